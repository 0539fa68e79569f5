import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import { type AslDefinition, exportAsl, placeholderFunctions } from '../../../workflow/export';
import { POLL_TIMEOUT_ERROR } from '../../../workflow/poll-loop';
import type { StepId } from '../../../workflow/step-catalogue';
import type { TeardownFunctions } from '../../../workflow/step-task';
import { TEARDOWN_MACHINE_STEP_IDS } from '../../../workflow/teardown/steps';
import { buildTeardownChain, buildTeardownDefinition } from '../../../workflow/teardown-cluster';
import { POLL_BUDGETS } from '../../../workflow/timings';
import { allStates, checksWithin, runAsl, type StepCall, type StubStep, stepError, TEST_EXECUTION_ID } from '../../helpers/asl';

/** When a stubbed delete step says it started its deletes. */
const STARTED_AT = '2026-01-01T00:00:00.000Z';

const GOLDEN = join(__dirname, '../../golden/teardown-cluster.asl.json');

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
const TEARDOWN_RETRY = {
  ErrorEquals: ['RetryableError'],
  IntervalSeconds: 5,
  MaxAttempts: 14,
  BackoffRate: 1.5,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const NOT_READY_RETRY = { ErrorEquals: ['NotReadyError'], IntervalSeconds: 3, MaxAttempts: 8, BackoffRate: 1.3, JitterStrategy: 'FULL' };

function importedFunctions(stack: Stack): TeardownFunctions {
  return placeholderFunctions(stack, TEARDOWN_MACHINE_STEP_IDS);
}

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'eu-west-1', account: '123456789012' } });
}

const INPUT = { clusterId: 'c-0123456789', clusterName: 'demo' };

/** Stubs of the teardown steps for a cluster with a master, two slaves, a NAT gateway and an image. */
function teardownStubs(overrides: Partial<Record<StepId, StubStep>> = {}): Partial<Record<StepId, StubStep>> {
  let terminationChecks = 0;
  return {
    'mark-deleting': () => ({ status: 'DELETE_IN_PROGRESS', vpcIds: ['vpc-1'] }),
    'delete-alarms': () => ({ deleted: ['demo-scale-out'] }),
    'terminate-cluster-instances': () => ({ ids: ['i-master-1', 'i-slave-1', 'i-slave-2'], startedAt: STARTED_AT }),
    // Still shutting down at the first check.
    'check-instances-terminated': () => (++terminationChecks < 2 ? { done: false, remaining: 2 } : { done: true, remaining: 0 }),
    'delete-nat-gateways': () => ({ ids: ['nat-1'], startedAt: STARTED_AT }),
    'check-nat-gateways-deleted': () => ({ done: true, remaining: 0 }),
    'delete-images': () => ({ deleted: ['ami-slave', 'snap-1'] }),
    'release-addresses': () => ({ deleted: ['eipalloc-1'] }),
    'delete-route-tables': () => ({ deleted: ['rtb-public', 'rtb-private'] }),
    'delete-internet-gateways': () => ({ deleted: ['igw-1'] }),
    'delete-security-groups': () => ({ deleted: ['sg-master', 'sg-slave'] }),
    'delete-subnets': () => ({ deleted: ['subnet-public', 'subnet-private'] }),
    'delete-vpc': () => ({ deleted: ['vpc-1'] }),
    'verify-deleted': () => ({ remaining: [] }),
    'record-failure': (p) => {
      const error = p.error as { Error: string; Cause: string };
      const stepId = error.Cause.split(':')[0] ?? 'unknown';
      return { failureCode: `${stepId.toUpperCase().replace(/-/g, '_')}_FAILED`, failureReason: error.Cause };
    },
    ...overrides,
  };
}

function stepsOf(calls: StepCall[]): StepId[] {
  return calls.map((c) => c.stepId);
}

describe('teardown-cluster machine definition', () => {
  let asl: AslDefinition;

  beforeAll(() => {
    asl = exportAsl('teardown-cluster');
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

  it('marks the cluster deleting, then deletes in the order of research (b): alarms, then instances ‖ NAT ‖ images, then the network inside out', () => {
    // Prepare
    const chain: string[] = [];
    let name: string | undefined = asl.StartAt;

    // Act
    while (name) {
      chain.push(name);
      name = asl.States[name]?.Next;
    }
    const branches = asl.States['Delete Instances NAT Gateways And Images']?.Branches?.map((b) => b.StartAt);

    // Assess
    expect(chain).toEqual([
      'Mark Cluster Deleting',
      'Delete Scaling Alarms',
      'Delete Instances NAT Gateways And Images',
      'Release Elastic IPs',
      'Delete Route Tables',
      'Delete Internet Gateways',
      'Delete Security Groups',
      'Delete Subnets',
      'Delete VPC',
      'Verify Nothing Left',
      'Cluster Deleted',
    ]);
    expect(branches).toEqual(['Terminate Instances', 'Delete NAT Gateways', 'Delete Images']);
    expect(allStates(asl)).toHaveLength(31);
  });

  it('sends every step only the cluster reference and the execution id, and the two checks their start and budget', () => {
    // Prepare
    const tasks = allStates(asl).filter(([name, s]) => s.Type === 'Task' && name !== 'Record Delete Failure');
    const reference = { 'clusterId.$': '$.clusterId', 'clusterName.$': '$.clusterName', 'executionId.$': '$$.Execution.Id' };

    // Act
    const payloads = new Set(tasks.map(([, s]) => JSON.stringify(s.Parameters?.Payload)));
    const payloadOf = (n: string) => tasks.find(([name]) => name === n)?.[1].Parameters?.Payload;
    const resultPaths = tasks.map(([, s]) => s.ResultPath);

    // Assess
    expect(tasks).toHaveLength(14);
    expect(payloads.size).toBe(3);
    expect(payloads).toContain(JSON.stringify(reference));
    expect(payloadOf('Check Instances Terminated')).toEqual({
      ...reference,
      'since.$': '$.teardown.instances.startedAt',
      budgetSeconds: POLL_BUDGETS.instancesTerminated,
    });
    expect(payloadOf('Check NAT Gateways Deleted')).toEqual({
      ...reference,
      'since.$': '$.teardown.natGateways.startedAt',
      budgetSeconds: POLL_BUDGETS.natGatewaysDeleted,
    });
    expect(new Set(resultPaths).size).toBe(14);
    for (const path of resultPaths) expect(path).toMatch(/^\$\.teardown\.[a-zA-Z]+$/);
  });

  it('retries the deletes with the teardown budget and the checks also on NotReadyError', () => {
    // Prepare
    const stack = newStack();
    buildTeardownDefinition(stack, importedFunctions(stack));
    const retryOf = (n: string) => stack.resolve((stack.node.findChild(n) as sfn.State).toStateJson()).Retry;

    // Act
    const deleteVpc = retryOf('Delete VPC');
    const checkTerminated = retryOf('Check Instances Terminated');

    // Assess
    expect(deleteVpc).toEqual([LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, TEARDOWN_RETRY]);
    expect(checkTerminated).toEqual([LAMBDA_SERVICE_RETRY, THROTTLE_RETRY, TIMED_OUT_RETRY, TEARDOWN_RETRY, NOT_READY_RETRY]);
  });

  it('never retries on States.ALL and catches every top-level step into Record Delete Failure', () => {
    // Prepare
    const retriers = allStates(asl).flatMap(([, s]) => s.Retry ?? []);
    const topLevel = Object.entries(asl.States).filter(
      ([n, s]) => (s.Type === 'Task' || s.Type === 'Parallel') && n !== 'Record Delete Failure'
    );

    // Act
    const catchAll = retriers.filter((r) => r.ErrorEquals.includes('States.ALL'));

    // Assess
    expect(catchAll).toEqual([]);
    expect(topLevel).toHaveLength(10);
    for (const [, s] of topLevel) {
      expect(s.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record Delete Failure' }]);
    }
  });

  it('prefixes every state of the chain, so that a create machine can embed it as its rollback', () => {
    // Prepare
    const stack = newStack();
    const teardown = buildTeardownChain(stack, 'Undo ', importedFunctions(stack));

    // Act
    const graph = new sfn.StateGraph(teardown.chain.next(new sfn.Succeed(stack, 'Done')).startState, 'test');
    const names = allStates(stack.resolve(graph.toGraphJson()) as AslDefinition).map(([n]) => n);

    // Assess
    expect(names.filter((n) => n !== 'Done').every((n) => n.startsWith('Undo '))).toBe(true);
    expect(names).toContain('Undo Delete VPC');
    expect(names).toContain('Undo Are NAT Gateways Deleted?');
  });
});

describe('teardown-cluster machine run (aws-local-stepfunctions)', () => {
  let asl: AslDefinition;

  beforeAll(() => {
    asl = exportAsl('teardown-cluster');
  });

  it('deletes everything in dependency order and ends in Cluster Deleted', async () => {
    // Prepare
    const stubs = teardownStubs();

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(run.entered.at(-1)).toBe('Cluster Deleted');
    const steps = stepsOf(run.calls);
    expect(steps.slice(0, 2)).toEqual(['mark-deleting', 'delete-alarms']);
    expect(steps.slice(-7)).toEqual([
      'release-addresses',
      'delete-route-tables',
      'delete-internet-gateways',
      'delete-security-groups',
      'delete-subnets',
      'delete-vpc',
      'verify-deleted',
    ]);
    expect(steps.filter((s) => s === 'check-instances-terminated')).toHaveLength(2);
    expect(run.calls[0]?.payload).toEqual({ clusterId: INPUT.clusterId, clusterName: 'demo', executionId: TEST_EXECUTION_ID });
    expect(run.output).toEqual(
      expect.objectContaining({
        teardown: expect.objectContaining({
          drained: { instanceIds: ['i-master-1', 'i-slave-1', 'i-slave-2'], natGatewayIds: ['nat-1'], imageIds: ['ami-slave', 'snap-1'] },
          vpc: { deleted: ['vpc-1'] },
          remaining: { remaining: [] },
        }),
      })
    );
  });

  it('retries a DependencyViolation (RetryableError) of Delete VPC, then succeeds', async () => {
    // Prepare
    let attempts = 0;
    const stubs = teardownStubs({
      'delete-vpc': () => {
        if (++attempts < 3) throw stepError('RetryableError', 'delete-vpc: DependencyViolation');
        return { deleted: ['vpc-1'] };
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(attempts).toBe(3);
    expect(run.events.filter((e) => e.type === 'StateRetried' && e.state.name === 'Delete VPC')).toHaveLength(2);
  });

  it('records DELETE_FAILED and fails with the code when a delete fails', async () => {
    // Prepare
    const stubs = teardownStubs({
      'delete-subnets': () => {
        throw stepError('FatalError', 'delete-subnets: UnauthorizedOperation');
      },
    });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('DELETE_FAILED');
    expect(run.cause).toBe('DELETE_SUBNETS_FAILED: delete-subnets: UnauthorizedOperation');
    expect(run.calls.find((c) => c.stepId === 'record-failure')?.payload).toEqual({
      clusterId: INPUT.clusterId,
      clusterName: 'demo',
      executionId: TEST_EXECUTION_ID,
      status: 'DELETE_FAILED',
      error: { Error: 'FatalError', Cause: 'delete-subnets: UnauthorizedOperation' },
    });
    expect(stepsOf(run.calls)).not.toContain('delete-vpc');
    expect(run.entered.slice(-2)).toEqual(['Record Delete Failure', 'Delete Failed']);
  });

  it('gives up on NAT gateways that are never deleted, naming check-nat-gateways-deleted', async () => {
    // Prepare
    const stubs = teardownStubs({ 'check-nat-gateways-deleted': () => ({ done: false, remaining: 1 }) });

    // Act
    const run = await runAsl(asl, INPUT, stubs);

    // Assess
    const cause = 'check-nat-gateways-deleted: NAT gateways not deleted after 15 min of a 15 min budget';
    expect(run.status).toBe('FAILED');
    expect(stepsOf(run.calls).filter((s) => s === 'check-nat-gateways-deleted')).toHaveLength(
      checksWithin(POLL_BUDGETS.natGatewaysDeleted)
    );
    expect(run.failed).toContainEqual({ state: 'Delete Instances NAT Gateways And Images', error: POLL_TIMEOUT_ERROR, cause });
    expect(run.calls.find((c) => c.stepId === 'record-failure')?.payload.error).toEqual({ Error: POLL_TIMEOUT_ERROR, Cause: cause });
    expect(run.cause).toBe(`CHECK_NAT_GATEWAYS_DELETED_FAILED: ${cause}`);
    expect(stepsOf(run.calls)).not.toContain('release-addresses');
  });
});
