import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import { DEFAULT_TIMEOUTS, type TimeoutsSpec } from '../../../functions/shared/cluster-spec';
import { SIGNAL_TIMEOUT_SECONDS } from '../../../functions/shared/command-signals';
import { buildCreateDefinition, ROLLBACK_PREFIX } from '../../../workflow/create-cluster';
import { type AslDefinition, exportAsl, placeholderFunctions } from '../../../workflow/export';
import { POLL_TIMEOUT_ERROR } from '../../../workflow/poll-loop';
import { MACHINE_STEP_IDS, type StepId } from '../../../workflow/step-catalogue';
import { SMOKE_TEST_BUDGET } from '../../../workflow/timings';
import { allStates, checksWithin, runAsl, type StepCall, type StubStep, stepError, stepIdOf, TEST_EXECUTION_ID } from '../../helpers/asl';

/** When a stubbed delete step says it started its deletes. */
const STARTED_AT = '2026-01-01T00:00:00.000Z';
/** When the stubbed Query Agents sent the first count. */
/** Find Cached Image's answer when another cluster holds the bake of the recipe. */
const WAITING = { imageHash: 'hash-1', cachedImageId: null, checkedAt: '2026-01-01T08:00:00.000Z' };
const QUERIED_AT = '2026-01-01T00:10:00.000Z';

const GOLDEN = join(__dirname, '../../golden/create-cluster.asl.json');

const LAMBDA_SERVICE_RETRY = {
  ErrorEquals: [
    'Lambda.ClientExecutionTimeoutException',
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
  ],
  IntervalSeconds: 2,
  MaxAttempts: 6,
  BackoffRate: 2,
};
const THROTTLE_RETRY = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 5,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const TIMED_OUT_RETRY = {
  ErrorEquals: ['States.Timeout', 'Sandbox.Timedout'],
  IntervalSeconds: 10,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const RETRYABLE_CREATE_RETRY = {
  ErrorEquals: ['RetryableError'],
  IntervalSeconds: 3,
  MaxAttempts: 8,
  BackoffRate: 1.5,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const RETRYABLE_TEARDOWN_RETRY = {
  ErrorEquals: ['RetryableError'],
  IntervalSeconds: 5,
  MaxAttempts: 14,
  BackoffRate: 1.5,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const CAPACITY_RETRY = { ErrorEquals: ['CapacityError'], IntervalSeconds: 30, MaxAttempts: 2 };
const NOT_READY_RETRY = { ErrorEquals: ['NotReadyError'], IntervalSeconds: 3, MaxAttempts: 8, BackoffRate: 1.3, JitterStrategy: 'FULL' };

/** Builds the create chain in a fresh stack and returns the stack, to look states up by name. */
function buildInStack(): Stack {
  const stack = new Stack(new App(), 'Test', { env: { region: 'eu-west-1', account: '123456789012' } });
  buildCreateDefinition(stack, placeholderFunctions(stack, MACHINE_STEP_IDS['create-cluster']));
  return stack;
}

function stateJson(stack: Stack, stateName: string): Record<string, unknown> {
  const state = stack.node.findChild(stateName) as sfn.State;
  return stack.resolve(state.toStateJson());
}

const SPEC = {
  name: 'demo',
  masters: 1,
  slaves: 3,
  vpcCidr: '172.28.128.0/22',
  publicSubnetCidr: '172.28.128.0/24',
  privateSubnetCidr: '172.28.129.0/24',
  masterInstanceType: 't3.medium',
  slaveInstanceType: 't3.large',
  adminCidr: '203.0.113.0/24',
  allowPublicAdmin: false,
  software: {
    ubuntuRelease: '24.04',
    mesosVersion: '1.11.0',
    marathonVersion: '1.11.30',
    packageRepository: 'https://repo.example.com/ubuntu',
    packageKeyUrl: 'https://repo.example.com/key.asc',
  },
  keepOnFailure: false,
  availabilityZones: [] as string[],
  natGateways: 'single',
  freshImage: false,
  autoscaling: { minSlaves: 1, maxSlaves: 10, scaleOutAbovePercent: 75, scaleInBelowPercent: 25, step: 2, cooldownSeconds: 300 },
  timeouts: { ...DEFAULT_TIMEOUTS } as TimeoutsSpec,
};

type Spec = typeof SPEC;

/** Stubs of every create and teardown step that answer like the real steps on a good day. */
function cloudStubs(spec: Spec, overrides: Partial<Record<StepId, StubStep>> = {}): Partial<Record<StepId, StubStep>> {
  const ids = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}-${i + 1}`);
  const natChecks = { n: 0 };
  return {
    'validate-spec': () => ({ spec, baseImageId: 'ami-ubuntu', holds: { addresses: 1, vcpus: 8 } }),
    'create-vpc': () => ({ vpcId: 'vpc-1' }),
    'create-subnets': (p) => {
      const names = (p.availabilityZones as string[]).length > 0 ? (p.availabilityZones as string[]) : ['eu-west-1a'];
      const zones = names.map((availabilityZone, i) => ({
        availabilityZone,
        publicSubnetId: i === 0 ? 'subnet-public' : `subnet-public-${i + 1}`,
        privateSubnetId: i === 0 ? 'subnet-private' : `subnet-private-${i + 1}`,
      }));
      return {
        zones,
        availabilityZones: names,
        publicSubnetIds: zones.map((z) => z.publicSubnetId),
        privateSubnetIds: zones.map((z) => z.privateSubnetId),
        publicSubnetId: 'subnet-public',
        privateSubnetId: 'subnet-private',
        availabilityZone: names[0],
      };
    },
    'create-internet-gateway': () => ({ internetGatewayId: 'igw-1' }),
    'create-public-route-table': () => ({ routeTableId: 'rtb-public' }),
    'allocate-elastic-ip': (p) => ({
      allocationId: 'eipalloc-1',
      publicIp: '198.51.100.7',
      allocations: [{ availabilityZone: (p.availabilityZones as string[])[0], allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
    }),
    'create-security-groups': () => ({ masterSecurityGroupId: 'sg-master', slaveSecurityGroupId: 'sg-slave' }),
    'create-nat-gateway': (p) => {
      const [allocation] = p.allocations as { availabilityZone: string }[];
      return {
        natGatewayId: 'nat-1',
        natGatewayIds: ['nat-1'],
        nats: [{ availabilityZone: allocation?.availabilityZone, natGatewayId: 'nat-1' }],
      };
    },
    // Pending on the first check, like a NAT gateway that takes a little longer than typical.
    'check-nat-gateway': () => ({ state: ++natChecks.n < 2 ? 'pending' : 'available' }),
    'create-private-route-table': () => ({ routeTableId: 'rtb-private', routeTableIds: ['rtb-private'] }),
    'find-cached-image': () => ({
      imageHash: 'hash-1',
      cachedImageId: null,
      source: 'bake',
      bakingCluster: null,
      checkedAt: '2026-01-01T08:00:00.000Z',
    }),
    'launch-instances': (p) => {
      const n = p.count as number;
      return { instanceIds: ids(`i-${p.role}`, n), privateIps: ids(`10.0.${p.role === 'master' ? 1 : 2}`, n) };
    },
    'check-ssm-online': (p) => ({
      online: true,
      onlineCount: (p.instanceIds as string[]).length,
      total: (p.instanceIds as string[]).length,
    }),
    'configure-masters': () => ({ commandId: 'cmd-masters' }),
    'configure-template-slave': () => ({ commandId: 'cmd-template' }),
    'check-command': () => ({ done: true }),
    // The command's status event came: SendTaskSuccess's output (the state discards it).
    'await-command-signal': () => ({ status: 'Success' }),
    'bake-image': () => ({ imageId: 'ami-slave' }),
    'check-image': () => ({ state: 'available' }),
    'terminate-instances': (p) => ({ terminating: (p.instanceIds as string[]).length }),
    'query-agents': () => ({ commandId: 'cmd-agents', startedAt: QUERIED_AT }),
    'check-agents-registered': (p) => ({ registered: p.expected, ready: true, commandId: p.commandId }),
    // Deployed, seen running at the first check (which sends the removal), then removed.
    'marathon-smoke-test': (p) => {
      if (p.action === 'deploy') return { deployCommandId: 'cmd-smoke-deploy', queryCommandId: 'cmd-smoke-q1', deployedAt: STARTED_AT };
      if (p.action === 'check')
        return {
          deployCommandId: p.deployCommandId,
          deployedAt: p.since,
          running: true,
          status: 'running, 1 task(s) running',
          queryCommandId: p.queryCommandId,
          removeCommandId: 'cmd-smoke-remove',
        };
      return { removed: true };
    },
    'create-scaling-alarms': (p) => ({ alarmNames: [`mesos-cluster-${p.clusterId}-scale-out`, `mesos-cluster-${p.clusterId}-scale-in`] }),
    'mark-ready': () => ({ status: 'CREATE_COMPLETE' }),
    // Record Failure names the failed step from the error's `<step-id>: ` prefix.
    'record-failure': (p) => {
      const error = p.error as { Error: string; Cause: string };
      const stepId = error.Cause.split(':')[0] ?? 'unknown';
      return { failureCode: `${stepId.toUpperCase().replace(/-/g, '_')}_FAILED`, failureReason: error.Cause };
    },
    'delete-alarms': () => ({ deleted: [] }),
    'terminate-cluster-instances': () => ({ ids: ['i-master-1'], startedAt: STARTED_AT }),
    'check-instances-terminated': () => ({ done: true, remaining: 0 }),
    'delete-nat-gateways': () => ({ ids: ['nat-1'], startedAt: STARTED_AT }),
    'check-nat-gateways-deleted': () => ({ done: true, remaining: 0 }),
    'delete-images': () => ({ deleted: [] }),
    'release-addresses': () => ({ deleted: ['eipalloc-1'] }),
    'delete-route-tables': () => ({ deleted: ['rtb-public'] }),
    'delete-internet-gateways': () => ({ deleted: ['igw-1'] }),
    'delete-security-groups': () => ({ deleted: ['sg-master', 'sg-slave'] }),
    'delete-subnets': () => ({ deleted: ['subnet-public', 'subnet-private'] }),
    'delete-vpc': () => ({ deleted: ['vpc-1'] }),
    'verify-deleted': () => ({ remaining: [] }),
    ...overrides,
  };
}

const INPUT = { clusterId: 'c-0123456789', spec: SPEC };

function callsOf(calls: StepCall[], stepId: StepId): StepCall[] {
  return calls.filter((c) => c.stepId === stepId);
}

const ROLLBACK_STEPS: StepId[] = [
  'delete-alarms',
  'terminate-cluster-instances',
  'check-instances-terminated',
  'delete-nat-gateways',
  'check-nat-gateways-deleted',
  'delete-images',
  'release-addresses',
  'delete-route-tables',
  'delete-internet-gateways',
  'delete-security-groups',
  'delete-subnets',
  'delete-vpc',
  'verify-deleted',
];

describe('create-cluster machine definition', () => {
  let asl: AslDefinition;
  let stack: Stack;

  beforeAll(() => {
    asl = exportAsl('create-cluster');
    stack = buildInStack();
  });

  it('matches the golden ASL file (UPDATE_GOLDEN=1 rewrites it)', () => {
    // Prepare
    const rendered = `${JSON.stringify(asl, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, rendered);

    // Act
    const golden = readFileSync(GOLDEN, 'utf8');

    // Assess
    expect(JSON.parse(golden)).toEqual(asl);
  });

  it('passes the local runner validation of paths and ARNs', () => {
    // Prepare
    const options = { validationOptions: { checkPaths: true, checkArn: true } };

    // Act
    const build = () => new StateMachine(JSON.parse(JSON.stringify(asl)), options);

    // Assess
    expect(build).not.toThrow();
  });

  it('runs the steps of the brief in order: network, Launch Masters, then the masters and the slaves in parallel', () => {
    // Prepare
    const branchStarts = (name: string) => (asl.States[name]?.Branches ?? []).map((b) => b.StartAt);
    const slavesBranch = asl.States['Build Cluster Nodes']?.Branches?.[1]?.States ?? {};

    // Act
    const start = asl.StartAt;
    const gateways = branchStarts('Create Gateways And Security Groups');
    const nodes = branchStarts('Build Cluster Nodes');
    const supply = (slavesBranch['Prepare Slave Network And Image']?.Branches ?? []).map((b) => b.StartAt);

    // Assess
    expect(start).toBe('Validate Cluster Spec');
    expect(asl.States['Validate Cluster Spec']?.Next).toBe('Create VPC');
    expect(asl.States['Create VPC']?.Next).toBe('Create Subnets');
    expect(asl.States['Create Subnets']?.Next).toBe('Create Gateways And Security Groups');
    expect(asl.States['Create Gateways And Security Groups']?.Next).toBe('Launch Masters');
    expect(asl.States['Launch Masters']?.Next).toBe('Build Cluster Nodes');
    expect(asl.States['Build Cluster Nodes']?.Next).toBe('Any Slaves?');
    expect(gateways).toEqual(['Create Internet Gateway', 'Allocate Elastic IP', 'Create Security Groups']);
    expect(nodes).toEqual(['Wait For Masters Online', 'Prepare Slave Network And Image']);
    expect(supply).toEqual(['Create NAT Gateway', 'Are Slaves Wanted?']);
    expect(slavesBranch['Prepare Slave Network And Image']?.Next).toBe('Any Slaves To Launch?');
    expect(asl.States['Any Slaves?']?.Choices).toEqual([
      // The agents loop starts with a query: the slaves have been booting since their launch.
      { Variable: '$.validated.spec.slaves', NumericGreaterThan: 0, Next: 'Query Agents' },
    ]);
    expect(asl.TimeoutSeconds).toBe(7200);
  });

  it("launches the slaves in a branch beside the masters' setup, after the image and the NAT route only", () => {
    // Prepare
    const [mastersBranch, slavesBranch] = asl.States['Build Cluster Nodes']?.Branches ?? [];
    const supply = slavesBranch?.States['Prepare Slave Network And Image'];

    // Act
    const mastersStates = Object.keys(mastersBranch?.States ?? {});
    const slavesStates = Object.keys(slavesBranch?.States ?? {});
    const launchSlaves = slavesBranch?.States['Launch Slaves'];

    // Assess
    expect(mastersStates).toEqual(expect.arrayContaining(['Configure Masters', 'Check Master Setup', 'Masters Configured']));
    expect(mastersStates).not.toContain('Launch Slaves');
    expect(slavesStates).toEqual(expect.arrayContaining(['Any Slaves To Launch?', 'Launch Slaves', 'Check Slaves Online']));
    expect(slavesStates).not.toContain('Configure Masters');
    expect(slavesBranch?.States['Any Slaves To Launch?']?.Choices).toEqual([
      { Variable: '$.validated.spec.slaves', NumericGreaterThan: 0, Next: 'Launch Slaves' },
    ]);
    expect(supply?.ResultSelector).toEqual(
      expect.objectContaining({
        'privateRouteTableIds.$': '$[0].privateRouteTable.routeTableIds',
        'slaveImageId.$': '$[1].slaveImage.imageId',
      })
    );
    expect(launchSlaves?.Parameters?.Payload).toEqual(
      expect.objectContaining({ 'imageId.$': '$.slaveSupply.slaveImageId', 'masterIps.$': '$.masters.privateIps' })
    );
    // Launched before the Parallel: the masters' private IPs are known to both branches.
    expect(asl.States['Launch Masters']?.ResultPath).toBe('$.masters');
  });

  it('names states in Title Case and asks questions in Choice states', () => {
    // Prepare
    const states = allStates(asl);

    // Act
    const badNames = states.filter(([name]) => !name.split(' ').every((word) => /^[A-Z0-9]/.test(word)));
    const choicesWithoutQuestion = states.filter(([name, s]) => s.Type === 'Choice' && !name.endsWith('?'));
    const questionsNotChoices = states.filter(([name, s]) => s.Type !== 'Choice' && name.endsWith('?'));

    // Assess
    expect(badNames).toEqual([]);
    expect(choicesWithoutQuestion).toEqual([]);
    expect(questionsNotChoices).toEqual([]);
    expect(states.length).toBe(127);
  });

  it('gives every Task an explicit payload with the cluster reference and its own result key', () => {
    // Prepare
    const tasks = allStates(asl).filter(([, s]) => s.Type === 'Task');

    // Act
    const problems = tasks.flatMap(([name, s]) => {
      const payload = s.Parameters?.Payload as Record<string, unknown> | undefined;
      const selector = Object.values(s.ResultSelector ?? {});
      const issues: string[] = [];
      if (payload?.['clusterId.$'] !== '$.clusterId') issues.push('clusterId');
      if (payload?.['executionId.$'] !== '$$.Execution.Id') issues.push('executionId');
      if (name !== 'Validate Cluster Spec' && typeof payload?.['clusterName.$'] !== 'string') issues.push('clusterName');
      if (s.Resource?.endsWith('.waitForTaskToken')) {
        // A signal wait: its result is the signal (discarded), its timeout the fallback's.
        if (payload?.['taskToken.$'] !== '$$.Task.Token') issues.push('taskToken');
        if (s.ResultPath !== null || 'ResultSelector' in s) issues.push('signal result');
        if (s.TimeoutSeconds !== SIGNAL_TIMEOUT_SECONDS) issues.push('signal timeout');
        return issues.map((i) => `${name}: ${i}`);
      }
      if (typeof s.ResultPath !== 'string' || !/^\$\.[a-zA-Z]+(\.[a-zA-Z]+)?$/.test(s.ResultPath)) issues.push('resultPath');
      if (selector.length === 0 || !selector.every((v) => typeof v === 'string' && /^(\$\.Payload\.|States\.)/.test(v)))
        issues.push('resultSelector');
      if (s.TimeoutSeconds !== 40) issues.push('timeout');
      if ('OutputPath' in s) issues.push('outputPath');
      return issues.map((i) => `${name}: ${i}`);
    });

    // Assess
    expect(tasks.length).toBe(49);
    expect(tasks.filter(([, t]) => t.Resource?.endsWith('.waitForTaskToken')).map(([name]) => name)).toEqual([
      'Await Master Setup Signal',
      'Await Template Slave Setup Signal',
    ]);
    expect(problems).toEqual([]);
  });

  it('passes only the fields a step needs', () => {
    // Prepare
    const payload = (name: string) => asl.States[name]?.Parameters?.Payload;

    // Act
    const validate = payload('Validate Cluster Spec');
    const subnets = payload('Create Subnets');
    const alarms = payload('Create Scaling Alarms');

    // Assess
    expect(validate).toEqual({ 'clusterId.$': '$.clusterId', 'executionId.$': '$$.Execution.Id', 'spec.$': '$.spec' });
    expect(subnets).toEqual({
      'clusterId.$': '$.clusterId',
      'clusterName.$': '$.validated.spec.name',
      'executionId.$': '$$.Execution.Id',
      'vpcId.$': '$.vpc.vpcId',
      'vpcCidr.$': '$.validated.spec.vpcCidr',
      'publicCidr.$': '$.validated.spec.publicSubnetCidr',
      'privateCidr.$': '$.validated.spec.privateSubnetCidr',
      'availabilityZones.$': '$.validated.spec.availabilityZones',
      'zoneCount.$': '$.validated.spec.masters',
    });
    expect(alarms).toEqual({
      'clusterId.$': '$.clusterId',
      'clusterName.$': '$.validated.spec.name',
      'executionId.$': '$$.Execution.Id',
      'vpcId.$': '$.vpc.vpcId',
      'autoscaling.$': '$.validated.spec.autoscaling',
      'slaveInstanceType.$': '$.validated.spec.slaveInstanceType',
      'slaves.$': '$.validated.spec.slaves',
    });
  });

  it('never retries on States.ALL', () => {
    // Prepare
    const retriers = allStates(asl).flatMap(([, s]) => s.Retry ?? []);

    // Act
    const catchAll = retriers.filter((r) => r.ErrorEquals.includes('States.ALL') || r.ErrorEquals.includes('States.TaskFailed'));

    // Assess
    expect(retriers.length).toBeGreaterThan(100);
    expect(catchAll).toEqual([]);
  });

  it('retries a create step on throttling and RetryableError on top of the Lambda service retrier', () => {
    // Prepare
    const name = 'Create VPC';

    // Act
    const json = stateJson(stack, name);

    // Assess
    expect(json).toEqual(
      expect.objectContaining({ Retry: [LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_CREATE_RETRY] })
    );
  });

  it('retries CapacityError on the launch steps', () => {
    // Prepare
    const names = ['Launch Masters', 'Launch Template Slave', 'Launch Slaves'];

    // Act
    const retries = names.map((n) => stateJson(stack, n).Retry);

    // Assess
    for (const retry of retries)
      expect(retry).toEqual([LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_CREATE_RETRY, CAPACITY_RETRY]);
  });

  it('retries NotReadyError on the checks of the poll loops', () => {
    // Prepare
    const names = [
      'Check NAT Gateway',
      'Check Masters Online',
      'Check Master Setup',
      'Check Slaves Online',
      'Check Template Slave Online',
      'Check Template Slave Setup',
      'Check Slave Image',
      'Check Agents Registered',
      'Check Smoke Test App',
      'Check Smoke Test Removal',
    ];

    // Act
    const retries = names.map((n) => stateJson(stack, n).Retry);

    // Assess
    for (const retry of retries)
      expect(retry).toEqual([LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_CREATE_RETRY, NOT_READY_RETRY]);
  });

  it('retries the rollback deletes with the teardown budget', () => {
    // Prepare
    const name = `${ROLLBACK_PREFIX}Delete VPC`;

    // Act
    const json = stateJson(stack, name);

    // Assess
    expect(json).toEqual(
      expect.objectContaining({
        Retry: [LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_TEARDOWN_RETRY],
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.rollbackError', Next: 'Rollback Failed' }],
      })
    );
  });

  it('catches every error of the top-level states into the failure path', () => {
    // Prepare
    const topLevel = Object.entries(asl.States).filter(
      ([name, s]) =>
        (s.Type === 'Task' || s.Type === 'Parallel') &&
        !name.startsWith(ROLLBACK_PREFIX) &&
        !['Record Create Failure', 'Record Rejected Spec'].includes(name)
    );

    // Act
    const catches = topLevel.map(([name, s]) => [name, s.Catch]);

    // Assess
    expect(topLevel.map(([name]) => name).sort()).toEqual(
      [
        'Validate Cluster Spec',
        'Create VPC',
        'Create Subnets',
        'Create Gateways And Security Groups',
        'Launch Masters',
        'Build Cluster Nodes',
        'Query Agents',
        'Check Agents Registered',
        'Deploy Smoke Test App',
        'Check Smoke Test App',
        'Check Smoke Test Removal',
        'Create Scaling Alarms',
        'Mark Cluster Ready',
      ].sort()
    );
    for (const [, c] of catches) expect(c).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Was Spec Validated?' }]);
  });

  it('runs the smoke test after the agents have registered and before the alarms, and skips it without slaves', () => {
    // Prepare
    const state = (name: string) => asl.States[name];

    // Act
    const agentsDone = (state('Are Agents Registered?')?.Choices as unknown[] | undefined)?.[0];
    const running = state('Is Smoke Test App Running?');
    const timedOut = state('Smoke Test App Timed Out');

    // Assess
    expect(agentsDone).toEqual({ Variable: '$.agents.ready', BooleanEquals: true, Next: 'Deploy Smoke Test App' });
    expect(state('Any Slaves?')?.Default).toBe('Create Scaling Alarms');
    expect(state('Deploy Smoke Test App')?.Next).toBe('Wait For Smoke Test App');
    expect(state('Check Smoke Test App')?.Parameters?.Payload).toEqual(
      expect.objectContaining({ 'since.$': '$.smokeTest.deployedAt', budgetSeconds: SMOKE_TEST_BUDGET.toSeconds() })
    );
    expect(running?.Choices).toEqual([
      { Variable: '$.smokeTest.running', BooleanEquals: true, Next: 'Wait For Smoke Test Removal' },
      { Variable: '$.smokeTest.timedOut', BooleanEquals: true, Next: 'Smoke Test App Timed Out' },
    ]);
    expect(running?.Default).toBe('Wait To Recheck Smoke Test App');
    expect(state('Wait To Recheck Smoke Test App')?.SecondsPath).toBe('$.smokeTest.waitSeconds');
    expect(state('Wait For Smoke Test Removal')?.Next).toBe('Check Smoke Test Removal');
    expect(state('Check Smoke Test Removal')?.Next).toBe('Create Scaling Alarms');
    expect(timedOut?.Type).toBe('Pass');
    expect(timedOut?.ResultPath).toBe('$.error');
    expect(timedOut?.Next).toBe('Was Spec Validated?');
  });

  it("bounds the NAT gateway loop by the spec's budget, the check's answer deciding each wait and the timeout", () => {
    // Prepare
    const branch = asl.States['Build Cluster Nodes']?.Branches?.[1]?.States['Prepare Slave Network And Image']?.Branches?.[0]?.States ?? {};

    // Act
    const check = branch['Check NAT Gateway'];
    const choice = branch['Is NAT Gateway Available?'];

    // Assess
    expect(check?.Parameters?.Payload).toEqual(
      expect.objectContaining({ 'budgetMinutes.$': '$.validated.spec.timeouts.natGatewayMinutes' })
    );
    expect(check?.ResultSelector).toEqual({
      'state.$': '$.Payload.state',
      'waitSeconds.$': '$.Payload.waitSeconds',
      'timedOut.$': '$.Payload.timedOut',
      'waited.$': '$.Payload.waited',
    });
    expect(choice?.Choices).toEqual([
      { Variable: '$.natGatewayStatus.state', StringEquals: 'available', Next: 'Create Private Route Table' },
      { Variable: '$.natGatewayStatus.timedOut', BooleanEquals: true, Next: 'NAT Gateway Timed Out' },
    ]);
    expect(choice?.Default).toBe('Wait To Recheck NAT Gateway');
    expect(branch['Wait To Recheck NAT Gateway']).toEqual({
      Type: 'Wait',
      SecondsPath: '$.natGatewayStatus.waitSeconds',
      Next: 'Check NAT Gateway',
    });
    expect(branch['NAT Gateway Timed Out']).toEqual({
      Type: 'Pass',
      ResultPath: '$.pollTimeout',
      Parameters: {
        Error: POLL_TIMEOUT_ERROR,
        'Cause.$': "States.Format('check-nat-gateway: NAT gateway not available {}', $.natGatewayStatus.waited)",
      },
      Next: 'NAT Gateway Gave Up',
    });
    expect(branch['NAT Gateway Gave Up']).toEqual({ Type: 'Fail', Error: POLL_TIMEOUT_ERROR, CausePath: '$.pollTimeout.Cause' });
  });

  it('has no check counters left: every recheck waits what the check answers', () => {
    // Prepare
    const states = allStates(asl);

    // Act
    const counters = states.filter(([name]) => /^(Start|Count) .* Checks$/.test(name)).map(([n]) => n);
    const rechecks = states.filter(
      ([name]) => name.startsWith('Wait To Recheck ') || name.startsWith(`${ROLLBACK_PREFIX}Wait To Recheck `)
    );

    // Assess
    expect(counters).toEqual([]);
    expect(JSON.stringify(asl)).not.toContain('$.polls.');
    expect(rechecks.length).toBeGreaterThanOrEqual(8);
    for (const [, wait] of rechecks) expect(wait.SecondsPath).toMatch(/\.waitSeconds$/);
  });
});

describe('create-cluster machine run (aws-local-stepfunctions)', () => {
  let asl: AslDefinition;

  beforeAll(() => {
    asl = exportAsl('create-cluster');
  });

  it('creates a 1-master 3-slave cluster: network, nodes in parallel, slaves from the baked image', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC);

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    // Branch events reach the log asynchronously: the order is read from the calls and the
    // top-level states.
    const topLevel = run.entered.filter((state) => state in asl.States);
    expect(topLevel.at(-1)).toBe('Cluster Ready');
    const order = (state: string) => run.entered.indexOf(state);
    const call = (stateName: string) => run.calls.findIndex((c) => c.stateName === stateName);
    expect(order('Create VPC')).toBeLessThan(order('Create Subnets'));
    expect(order('Create Subnets')).toBeLessThan(order('Create Internet Gateway'));
    // The masters and the template slave do not wait for the NAT gateway.
    expect(call('Launch Masters')).toBeLessThan(call('Create NAT Gateway'));
    // (The template slave's launch comes before the NAT route, which waits for an available NAT gateway.)
    expect(call('Launch Template Slave')).toBeLessThan(call('Create Private Route Table'));
    // The slaves wait for the image and the NAT route, then boot before the agents are counted.
    expect(call('Terminate Template Slave')).toBeLessThan(call('Launch Slaves'));
    expect(call('Create Private Route Table')).toBeLessThan(call('Launch Slaves'));
    expect(call('Launch Slaves')).toBeLessThan(call('Check Slaves Online'));
    expect(call('Check Slaves Online')).toBeLessThan(call('Query Agents'));
    expect(call('Check Master Setup')).toBeLessThan(call('Query Agents'));
    expect(callsOf(run.calls, 'check-nat-gateway')).toHaveLength(2);
    expect(callsOf(run.calls, 'record-failure')).toEqual([]);
    expect(run.entered.filter((s) => s.startsWith(ROLLBACK_PREFIX))).toEqual([]);
    // The smoke test runs once the agents have registered, before the alarms.
    expect(call('Check Agents Registered')).toBeLessThan(call('Deploy Smoke Test App'));
    expect(callsOf(run.calls, 'marathon-smoke-test').map((c) => [c.stateName, c.payload.action])).toEqual([
      ['Deploy Smoke Test App', 'deploy'],
      ['Check Smoke Test App', 'check'],
      ['Check Smoke Test Removal', 'check-removal'],
    ]);
    expect(callsOf(run.calls, 'marathon-smoke-test')[2]?.payload.removeCommandId).toBe('cmd-smoke-remove');
    expect(call('Check Smoke Test Removal')).toBeLessThan(call('Create Scaling Alarms'));
    // Every task called once (the two signal waits included), except the NAT loop's extra check.
    expect(run.calls.length).toBe(34);
    expect(run.entered).toEqual(expect.arrayContaining(['Find Cached Slave Image', 'Is A Slave Image Cached?', 'Bake Slave Image']));
    expect(run.entered).not.toContain('Use Cached Slave Image');

    const launches = callsOf(run.calls, 'launch-instances').map((c) => c.payload);
    expect(launches).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role: 'master',
          count: 1,
          instanceType: 't3.medium',
          imageId: 'ami-ubuntu',
          subnetIds: ['subnet-public'],
          securityGroupId: 'sg-master',
        }),
        expect.objectContaining({
          role: 'template-slave',
          count: 1,
          instanceType: 't3.large',
          imageId: 'ami-ubuntu',
          subnetId: 'subnet-public',
          securityGroupId: 'sg-slave',
        }),
        {
          clusterId: INPUT.clusterId,
          clusterName: 'demo',
          executionId: TEST_EXECUTION_ID,
          role: 'slave',
          count: 3,
          instanceType: 't3.large',
          imageId: 'ami-slave',
          subnetIds: ['subnet-private'],
          securityGroupId: 'sg-slave',
          masterIps: ['10.0.1-1'],
        },
      ])
    );
    expect(callsOf(run.calls, 'create-nat-gateway')[0]?.payload).toEqual(
      expect.objectContaining({
        zones: [{ availabilityZone: 'eu-west-1a', publicSubnetId: 'subnet-public', privateSubnetId: 'subnet-private' }],
        allocations: [{ availabilityZone: 'eu-west-1a', allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
      })
    );
    expect(callsOf(run.calls, 'find-cached-image')[0]?.payload).toEqual(
      expect.objectContaining({ vpcId: 'vpc-1', baseImageId: 'ami-ubuntu', software: SPEC.software, freshImage: false })
    );
    expect(callsOf(run.calls, 'configure-masters')[0]?.payload).toEqual(
      expect.objectContaining({ instanceIds: ['i-master-1'], masterIps: ['10.0.1-1'], software: SPEC.software })
    );
    expect(callsOf(run.calls, 'bake-image')[0]?.payload).toEqual(
      expect.objectContaining({ instanceId: 'i-template-slave-1', vpcId: 'vpc-1', imageHash: 'hash-1', freshImage: false })
    );
    expect(callsOf(run.calls, 'terminate-instances')[0]?.payload).toEqual(expect.objectContaining({ instanceIds: ['i-template-slave-1'] }));
    expect(callsOf(run.calls, 'query-agents')[0]?.payload).toEqual(expect.objectContaining({ instanceId: 'i-master-1' }));
    expect(callsOf(run.calls, 'check-agents-registered')[0]?.payload).toEqual(
      expect.objectContaining({ commandId: 'cmd-agents', instanceId: 'i-master-1', expected: 3 })
    );
    expect(run.output).toEqual(
      expect.objectContaining({
        ready: { status: 'CREATE_COMPLETE' },
        nodes: {
          natGatewayId: 'nat-1',
          natGatewayIds: ['nat-1'],
          privateRouteTableId: 'rtb-private',
          privateRouteTableIds: ['rtb-private'],
          masterInstanceIds: ['i-master-1'],
          masterIps: ['10.0.1-1'],
          firstMasterId: 'i-master-1',
          slaveImageId: 'ami-slave',
          slaveImageHash: 'hash-1',
          // The slaves' launch as Check Slaves Online answered it (the test clock starts at 0).
          slavesLaunchedAt: new Date(0).toISOString(),
        },
        network: {
          internetGatewayId: 'igw-1',
          publicRouteTableId: 'rtb-public',
          allocationId: 'eipalloc-1',
          natPublicIp: '198.51.100.7',
          allocations: [{ availabilityZone: 'eu-west-1a', allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
          masterSecurityGroupId: 'sg-master',
          slaveSecurityGroupId: 'sg-slave',
        },
      })
    );
  });

  it('passes the requested zones to Create Subnets and spreads the nodes over their subnets', async () => {
    // Prepare
    const spec = { ...SPEC, masters: 3, availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] };

    // Act
    const run = await runAsl(asl, { ...INPUT, spec }, cloudStubs(spec));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'create-subnets')[0]?.payload).toEqual(
      expect.objectContaining({ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], zoneCount: 3 })
    );
    const launches = callsOf(run.calls, 'launch-instances').map((c) => c.payload);
    expect(launches).toContainEqual(
      expect.objectContaining({ role: 'master', count: 3, subnetIds: ['subnet-public', 'subnet-public-2', 'subnet-public-3'] })
    );
    expect(launches).toContainEqual(
      expect.objectContaining({ role: 'slave', subnetIds: ['subnet-private', 'subnet-private-2', 'subnet-private-3'] })
    );
    expect(callsOf(run.calls, 'create-public-route-table')[0]?.payload).toEqual(
      expect.objectContaining({ subnetIds: ['subnet-public', 'subnet-public-2', 'subnet-public-3'] })
    );
    expect(callsOf(run.calls, 'allocate-elastic-ip')[0]?.payload).toEqual(
      expect.objectContaining({ availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'], natGateways: 'single' })
    );
  });

  it('skips the template slave and the bake when an image of the same recipe is cached', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'find-cached-image': () => ({
        imageHash: 'hash-1',
        cachedImageId: 'ami-cached',
        source: 'cached',
        bakingCluster: null,
        checkedAt: '2026-01-01T08:00:00.000Z',
      }),
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'find-cached-image')).toHaveLength(1);
    expect(run.entered).not.toContain('Launch Template Slave');
    expect(callsOf(run.calls, 'bake-image')).toEqual([]);
    expect(callsOf(run.calls, 'configure-template-slave')).toEqual([]);
    expect(callsOf(run.calls, 'launch-instances').map((c) => c.payload.role)).toEqual(['master', 'slave']);
    expect(callsOf(run.calls, 'launch-instances').find((c) => c.payload.role === 'slave')?.payload.imageId).toBe('ami-cached');
    expect(run.output).toEqual(expect.objectContaining({ nodes: expect.objectContaining({ slaveImageId: 'ami-cached' }) }));
  });

  it("waits for another cluster's bake of the same recipe and launches the slaves from its image: no template slave", async () => {
    // Prepare
    let checks = 0;
    const stubs = cloudStubs(SPEC, {
      'find-cached-image': () => ({ ...WAITING, source: 'wait', bakingCluster: 'red' }),
      'check-image-bake': () =>
        ++checks < 3
          ? { state: 'waiting', imageId: null, bakingCluster: 'red' }
          : { state: 'available', imageId: 'ami-red', bakingCluster: null },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    const bakeChecks = callsOf(run.calls, 'check-image-bake');
    expect(bakeChecks).toHaveLength(3);
    expect(bakeChecks[0]?.payload).toEqual(
      expect.objectContaining({ imageHash: 'hash-1', since: WAITING.checkedAt, vpcId: 'vpc-1', budgetMinutes: expect.any(Number) })
    );
    expect(run.entered).toContain('Use Baked Slave Image');
    expect(run.entered).not.toContain('Launch Template Slave');
    expect(callsOf(run.calls, 'bake-image')).toEqual([]);
    expect(callsOf(run.calls, 'launch-instances').find((c) => c.payload.role === 'slave')?.payload.imageId).toBe('ami-red');
  });

  it('bakes itself when the bake it waited for was given up (the claim passed to this cluster)', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'find-cached-image': () => ({ ...WAITING, source: 'wait', bakingCluster: 'red' }),
      'check-image-bake': () => ({ state: 'claimed', imageId: null, bakingCluster: null }),
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).toContain('Launch Template Slave');
    expect(callsOf(run.calls, 'bake-image')).toHaveLength(1);
    expect(callsOf(run.calls, 'check-image')[0]?.payload).toEqual(expect.objectContaining({ imageHash: 'hash-1' }));
    expect(callsOf(run.calls, 'launch-instances').find((c) => c.payload.role === 'slave')?.payload.imageId).toBe('ami-slave');
  });

  it("fails with CHECK_IMAGE_BAKE_FAILED, naming the time waited, when the other cluster's bake outlasts the budget", async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'find-cached-image': () => ({ ...WAITING, source: 'wait', bakingCluster: 'red' }),
      'check-image-bake': () => ({
        state: 'waiting',
        imageId: null,
        bakingCluster: 'red',
        waitSeconds: 0,
        timedOut: true,
        waited: 'after 55 min of a 55 min budget',
      }),
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    const failure = callsOf(run.calls, 'record-failure')[0]?.payload.error as { Cause: string };
    expect(failure.Cause).toBe(
      'check-image-bake: slave image bake of the cluster holding the claim not finished after 55 min of a 55 min budget'
    );
    expect(callsOf(run.calls, 'delete-images')).toHaveLength(1);
  });

  it('skips the slaves and the slave image when the spec asks for no slaves: no template slave, no bake', async () => {
    // Prepare
    const spec = { ...SPEC, slaves: 0 };

    // Act
    const run = await runAsl(asl, { ...INPUT, spec }, cloudStubs(spec));

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered).not.toContain('Launch Slaves');
    expect(run.entered.filter((state) => state in asl.States).slice(-4)).toEqual([
      'Any Slaves?',
      'Create Scaling Alarms',
      'Mark Cluster Ready',
      'Cluster Ready',
    ]);
    expect(callsOf(run.calls, 'check-ssm-online').map((c) => c.stateName)).toEqual(['Check Masters Online']);
    expect(callsOf(run.calls, 'launch-instances').map((c) => c.payload.role)).toEqual(['master']);
    for (const stepId of [
      'find-cached-image',
      'configure-template-slave',
      'bake-image',
      'check-image',
      'terminate-instances',
      'query-agents',
    ] as const) {
      expect(callsOf(run.calls, stepId)).toEqual([]);
    }
    expect(run.entered).toContain('No Slave Image Needed');
    expect(run.output).toEqual(expect.objectContaining({ nodes: expect.objectContaining({ slaveImageId: null, slaveImageHash: null }) }));
    // No agent to run an app on: no smoke test.
    expect(callsOf(run.calls, 'marathon-smoke-test')).toEqual([]);
  });

  it('retries a RetryableError and a NotReadyError, then succeeds', async () => {
    // Prepare
    let vpcCalls = 0;
    let agentChecks = 0;
    const stubs = cloudStubs(SPEC, {
      'create-vpc': () => {
        if (++vpcCalls === 1) throw stepError('RetryableError', 'create-vpc: RequestLimitExceeded');
        return { vpcId: 'vpc-1' };
      },
      'check-agents-registered': () => {
        if (++agentChecks === 1) throw stepError('NotReadyError', 'check-agents-registered: command still running');
        return { registered: 3, ready: true, commandId: 'cmd-agents' };
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'create-vpc')).toHaveLength(2);
    expect(callsOf(run.calls, 'check-agents-registered')).toHaveLength(2);
    const retried = run.events.flatMap((e) => (e.type === 'StateRetried' ? [e.state.name] : []));
    expect(retried).toEqual(['Create VPC', 'Check Agents Registered']);
  });

  it('records the failure, rolls back and fails when Create NAT Gateway throws FatalError', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'create-nat-gateway': () => {
        throw stepError('FatalError', 'create-nat-gateway: NatGatewayLimitExceeded: too many NAT gateways');
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CREATE_FAILED');
    expect(run.cause).toBe('CREATE_NAT_GATEWAY_FAILED: create-nat-gateway: NatGatewayLimitExceeded: too many NAT gateways');
    expect(callsOf(run.calls, 'record-failure').map((c) => c.payload)).toEqual([
      {
        clusterId: INPUT.clusterId,
        clusterName: 'demo',
        executionId: TEST_EXECUTION_ID,
        status: 'CREATE_FAILED',
        error: { Error: 'FatalError', Cause: 'create-nat-gateway: NatGatewayLimitExceeded: too many NAT gateways' },
      },
    ]);
    const rollbackSteps = run.calls.filter((c) => c.stateName.startsWith(ROLLBACK_PREFIX));
    expect(new Set(rollbackSteps.map((c) => c.stepId))).toEqual(new Set(ROLLBACK_STEPS));
    expect(rollbackSteps.map((c) => c.payload)).toContainEqual({
      clusterId: INPUT.clusterId,
      clusterName: 'demo',
      executionId: TEST_EXECUTION_ID,
    });
    const firstRollback = run.entered.indexOf(`${ROLLBACK_PREFIX}Delete Scaling Alarms`);
    expect(run.entered.indexOf('Record Create Failure')).toBeLessThan(firstRollback);
    expect(run.entered.slice(-2)).toEqual([`${ROLLBACK_PREFIX}Verify Nothing Left`, 'Create Failed']);
    expect(callsOf(run.calls, 'mark-ready')).toEqual([]);
    // The failure code is in the execution history for the CLI.
    const failedStateInput = run.events.find((e) => e.type === 'StateEntered' && e.state.name === 'Create Failed');
    expect(failedStateInput?.type === 'StateEntered' && failedStateInput.state.input).toEqual(
      expect.objectContaining({ failure: expect.objectContaining({ failureCode: 'CREATE_NAT_GATEWAY_FAILED' }) })
    );
  });

  it('keeps the resources when the spec asks for keepOnFailure', async () => {
    // Prepare
    const spec = { ...SPEC, keepOnFailure: true };
    const stubs = cloudStubs(spec, {
      'configure-masters': () => {
        throw stepError('FatalError', 'configure-masters: InvalidInstanceId: not managed');
      },
    });

    // Act
    const run = await runAsl(asl, { ...INPUT, spec }, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.cause).toBe('CONFIGURE_MASTERS_FAILED: configure-masters: InvalidInstanceId: not managed');
    expect(callsOf(run.calls, 'record-failure')).toHaveLength(1);
    expect(run.calls.filter((c) => ROLLBACK_STEPS.includes(c.stepId))).toEqual([]);
    // The failure path is top-level; a cancelled branch may still log a state after it.
    expect(run.entered.filter((state) => state in asl.States).slice(-3)).toEqual([
      'Record Create Failure',
      'Keep Resources?',
      'Create Failed',
    ]);
  });

  it('does not roll back when the spec is rejected, and names the cluster by its id', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'validate-spec': () => {
        throw stepError('ValidationError', 'validate-spec: slaves: must be at most 200');
      },
    });

    // Act
    const run = await runAsl(asl, { clusterId: INPUT.clusterId, spec: { slaves: 999 } }, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CREATE_FAILED');
    expect(run.cause).toBe('VALIDATE_SPEC_FAILED: validate-spec: slaves: must be at most 200');
    expect(run.entered).toEqual([
      'Validate Cluster Spec',
      'Was Spec Validated?',
      'Record Rejected Spec',
      'Keep Resources?',
      'Create Failed',
    ]);
    expect(callsOf(run.calls, 'record-failure')[0]?.payload).toEqual(
      expect.objectContaining({ clusterId: INPUT.clusterId, clusterName: INPUT.clusterId, status: 'CREATE_FAILED' })
    );
    expect(run.calls.map((c) => c.stepId)).toEqual(['validate-spec', 'record-failure']);
  });

  it('gives up on a NAT gateway that stays pending, naming check-nat-gateway in the cause', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, { 'check-nat-gateway': () => ({ state: 'pending' }) });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    const cause = 'check-nat-gateway: NAT gateway not available after 15 min of a 15 min budget';
    expect(run.status).toBe('FAILED');
    expect(callsOf(run.calls, 'check-nat-gateway')).toHaveLength(checksWithin(DEFAULT_TIMEOUTS.natGatewayMinutes * 60));
    expect(run.failed).toContainEqual({ state: 'Build Cluster Nodes', error: POLL_TIMEOUT_ERROR, cause });
    expect(callsOf(run.calls, 'record-failure')[0]?.payload.error).toEqual({ Error: POLL_TIMEOUT_ERROR, Cause: cause });
    expect(run.cause).toBe(`CHECK_NAT_GATEWAY_FAILED: ${cause}`);
    expect(run.entered).toContain(`${ROLLBACK_PREFIX}Delete VPC`);
  });

  it("applies the spec's timeouts: a NAT gateway budget of 4 min ends the loop at 4 min", async () => {
    // Prepare
    const spec = { ...SPEC, timeouts: { ...DEFAULT_TIMEOUTS, natGatewayMinutes: 4 } };
    const stubs = cloudStubs(spec, { 'check-nat-gateway': () => ({ state: 'pending' }) });

    // Act
    const run = await runAsl(asl, { ...INPUT, spec }, stubs);

    // Assess
    const checks = callsOf(run.calls, 'check-nat-gateway');
    expect(run.status).toBe('FAILED');
    expect(checks[0]?.payload).toEqual(expect.objectContaining({ natGatewayIds: ['nat-1'], budgetMinutes: 4 }));
    expect(checks).toHaveLength(checksWithin(4 * 60));
    expect(checks.length).toBeLessThan(checksWithin(DEFAULT_TIMEOUTS.natGatewayMinutes * 60));
    expect(run.cause).toBe('CHECK_NAT_GATEWAY_FAILED: check-nat-gateway: NAT gateway not available after 4 min of a 4 min budget');
  });

  it('gives up on slaves that never come online in SSM and rolls back', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'check-ssm-online': (p) => {
        const ids = p.instanceIds as string[];
        const slaves = ids.some((id) => id.startsWith('i-slave'));
        return { online: !slaves, onlineCount: slaves ? 0 : ids.length, total: ids.length };
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    const cause = 'check-ssm-online: slaves not online in SSM after 15 min of a 15 min budget';
    expect(run.status).toBe('FAILED');
    expect(callsOf(run.calls, 'check-ssm-online').filter((c) => c.stateName === 'Check Slaves Online')).toHaveLength(
      checksWithin(DEFAULT_TIMEOUTS.nodesOnlineMinutes * 60)
    );
    expect(run.failed).toContainEqual({ state: 'Build Cluster Nodes', error: POLL_TIMEOUT_ERROR, cause });
    expect(run.cause).toBe(`CHECK_SSM_ONLINE_FAILED: ${cause}`);
    expect(callsOf(run.calls, 'query-agents')).toEqual([]);
    expect(run.entered).toContain(`${ROLLBACK_PREFIX}Delete VPC`);
  });

  it('gives up on agents that never register and rolls back', async () => {
    // Prepare
    // Each short count answers the next query it sent.
    let queries = 0;
    const stubs = cloudStubs(SPEC, {
      'check-agents-registered': () => ({ registered: 1, ready: false, commandId: `cmd-next-${++queries}` }),
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    // Counted from the first query (the nodes built): the spec's agents budget.
    const budget = DEFAULT_TIMEOUTS.agentsMinutes;
    const checks = callsOf(run.calls, 'check-agents-registered');
    expect(run.status).toBe('FAILED');
    expect(checks[0]?.payload).toEqual(expect.objectContaining({ commandId: 'cmd-agents', budgetMinutes: budget, since: QUERIED_AT }));
    expect(checks[1]?.payload).toEqual(expect.objectContaining({ commandId: 'cmd-next-1' }));
    expect(checks).toHaveLength(checksWithin(budget * 60));
    // Query Agents sends the first count only; a recheck re-enters the check.
    expect(callsOf(run.calls, 'query-agents')).toHaveLength(1);
    expect(run.entered).toContain('Agents Timed Out');
    expect(run.cause).toBe(
      `CHECK_AGENTS_REGISTERED_FAILED: check-agents-registered: agents not registered with the master after ${budget} min of a ${budget} min budget`
    );
    expect(run.entered.slice(-2)).toEqual([`${ROLLBACK_PREFIX}Verify Nothing Left`, 'Create Failed']);
  });

  it('gives up on a smoke test app that never runs, with its last status, and rolls back', async () => {
    // Prepare
    const status = 'deploying, 0 task(s) running; last task failure: Failed to launch container: image not found';
    const checks = { n: 0 };
    const stubs = cloudStubs(SPEC, {
      'marathon-smoke-test': (p) => {
        if (p.action === 'deploy') return { deployCommandId: 'cmd-smoke-deploy', queryCommandId: 'cmd-smoke-q0', deployedAt: STARTED_AT };
        checks.n += 1;
        return {
          deployCommandId: p.deployCommandId,
          deployedAt: p.since,
          running: false,
          status,
          queryCommandId: `cmd-smoke-q${checks.n}`,
          removeCommandId: null,
        };
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    const smokeChecks = callsOf(run.calls, 'marathon-smoke-test').filter((c) => c.payload.action === 'check');
    expect(smokeChecks).toHaveLength(checksWithin(SMOKE_TEST_BUDGET.toSeconds()));
    expect(smokeChecks.every((c) => c.payload.since === STARTED_AT)).toBe(true);
    // Each check reads the query the previous one sent.
    expect(smokeChecks.slice(0, 3).map((c) => c.payload.queryCommandId)).toEqual(['cmd-smoke-q0', 'cmd-smoke-q1', 'cmd-smoke-q2']);
    expect(run.entered).toContain('Smoke Test App Timed Out');
    expect(run.entered).not.toContain('Check Smoke Test Removal');
    expect(run.entered).not.toContain('Create Scaling Alarms');
    expect(run.cause).toBe(
      `MARATHON_SMOKE_TEST_FAILED: marathon-smoke-test: Marathon smoke test app not running after 10 min of a 10 min budget; last status: ${status}`
    );
    expect(run.entered.slice(-2)).toEqual([`${ROLLBACK_PREFIX}Verify Nothing Left`, 'Create Failed']);
  });

  it('fails with MARATHON_SMOKE_TEST_FAILED and rolls back when the smoke test step fails', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'marathon-smoke-test': (p) => {
        if (p.action === 'deploy') return { deployCommandId: 'cmd-smoke-deploy', queryCommandId: 'cmd-smoke-q0', deployedAt: STARTED_AT };
        throw stepError(
          'FatalError',
          'marathon-smoke-test: command cmd-smoke-deploy failed on i-master-1: Marathon refused the smoke test app (HTTP 422)'
        );
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.cause).toMatch(/^MARATHON_SMOKE_TEST_FAILED: marathon-smoke-test: command cmd-smoke-deploy failed/);
    expect(callsOf(run.calls, 'record-failure')).toHaveLength(1);
    expect(run.entered.slice(-2)).toEqual([`${ROLLBACK_PREFIX}Verify Nothing Left`, 'Create Failed']);
  });

  it('ends in Rollback Failed with the create failure as cause when the rollback fails', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'mark-ready': () => {
        throw stepError('FatalError', 'mark-ready: UnauthorizedOperation');
      },
      'delete-vpc': () => {
        throw stepError('FatalError', 'delete-vpc: DependencyViolation: an ENI is left');
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('ROLLBACK_FAILED');
    expect(run.cause).toBe('MARK_READY_FAILED: mark-ready: UnauthorizedOperation');
    expect(callsOf(run.calls, 'verify-deleted')).toEqual([]);
  });

  it('still rolls back when Record Create Failure itself fails', async () => {
    // Prepare
    const stubs = cloudStubs(SPEC, {
      'create-security-groups': () => {
        throw stepError('FatalError', 'create-security-groups: InvalidParameterValue');
      },
      'record-failure': () => {
        throw stepError('FatalError', 'record-failure: UnauthorizedOperation');
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CREATE_FAILED');
    expect(run.cause).toBe('CREATE_FAILED: FatalError - the failure could not be recorded, see the execution history');
    expect(run.entered).toContain('Note Unrecorded Create Failure');
    expect(run.entered).toContain(`${ROLLBACK_PREFIX}Verify Nothing Left`);
  });

  it('invokes each Task with the function named after its step id', () => {
    // Prepare
    const tasks = allStates(asl).filter(([, s]) => s.Type === 'Task');

    // Act
    const stepIds = new Set(tasks.map(([, s]) => stepIdOf(s)));

    // Assess
    expect([...stepIds].sort()).toEqual([...MACHINE_STEP_IDS['create-cluster']].sort());
  });
});
