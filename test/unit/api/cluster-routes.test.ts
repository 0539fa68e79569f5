import { DescribeInstancesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteCluster } from '../../../functions/api/delete-cluster/delete-cluster';
import { getCluster, getExecutionEvents, progressEvents } from '../../../functions/api/get-cluster/get-cluster';
import { listClusters } from '../../../functions/api/list-clusters/list-clusters';
import { scaleCluster } from '../../../functions/api/scale-cluster/scale-cluster';
import { deriveStatus } from '../../../functions/api/shared/cluster-status';
import type { ExecutionSummary } from '../../../functions/api/shared/executions';
import { TAG_SCALE_EXECUTION } from '../../../functions/shared/tags';
import { awsError, CONFIG, EXECUTION, request, respond } from './helpers';

const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
const deps = () => ({ ec2: ec2 as unknown as EC2Client, sfn: sfn as unknown as SFNClient, config: CONFIG });
const ID = 'blue-0a1b2c';
const T0 = new Date('2026-01-01T10:00:00Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

const vpc = (tags: Record<string, string> = {}) => ({
  VpcId: 'vpc-1',
  CidrBlock: '172.28.128.0/22',
  Tags: Object.entries({ 'mesos-cluster:id': ID, 'mesos-cluster:name': 'blue', 'mesos-cluster:role': 'vpc', ...tags }).map(
    ([Key, Value]) => ({ Key, Value })
  ),
});
const item = (machine: string, name: string, status: string, start: number) => ({
  name,
  executionArn: EXECUTION(machine, name),
  stateMachineArn: `arn:aws:states:eu-west-1:123456789012:stateMachine:${machine}`,
  status: status as 'RUNNING',
  startDate: at(start),
  ...(status === 'RUNNING' ? {} : { stopDate: at(start + 60) }),
});
const instance = (id: string, role: string, publicIp?: string) => ({
  InstanceId: id,
  State: { Name: 'running' as const },
  PrivateIpAddress: '172.28.128.10',
  PublicIpAddress: publicIp,
  Placement: { AvailabilityZone: 'eu-west-1a' },
  LaunchTime: T0,
  Tags: [
    { Key: 'mesos-cluster:id', Value: ID },
    { Key: 'mesos-cluster:role', Value: role },
  ],
});

function executions(byMachine: Partial<Record<'Create' | 'Teardown' | 'Scale', ReturnType<typeof item>[]>>): void {
  for (const machine of ['Create', 'Teardown', 'Scale'] as const) {
    sfn
      .on(ListExecutionsCommand, {
        stateMachineArn: CONFIG[`${machine === 'Create' ? 'create' : machine === 'Teardown' ? 'teardown' : 'scale'}MachineArn`],
      })
      .resolves({
        executions: byMachine[machine] ?? [],
      });
  }
}

beforeEach(() => {
  ec2.reset();
  sfn.reset();
  ec2.onAnyCommand().resolves({});
  sfn.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
});

describe('cluster status', () => {
  const e = (kind: ExecutionSummary['kind'], status: string, start: number): ExecutionSummary => ({
    kind,
    name: `${kind}-${ID}`,
    executionArn: 'arn',
    status,
    startDate: at(start).toISOString(),
  });
  const none = { statusTag: null, failureCodeTag: null, hasResources: false };

  it.each([
    ['a running create', [e('create', 'RUNNING', 0)], none, 'CREATE_IN_PROGRESS'],
    ['a running delete after a stopped create', [e('delete', 'RUNNING', 9), e('create', 'ABORTED', 0)], none, 'DELETE_IN_PROGRESS'],
    ['a running scale', [e('scale', 'RUNNING', 9), e('create', 'SUCCEEDED', 0)], none, 'UPDATE_IN_PROGRESS'],
    ['a succeeded create', [e('create', 'SUCCEEDED', 0)], { ...none, statusTag: 'CREATE_COMPLETE', hasResources: true }, 'CREATE_COMPLETE'],
    ['an alarm scale holding the lease', [e('create', 'SUCCEEDED', 0)], { ...none, statusTag: 'UPDATE_IN_PROGRESS' }, 'UPDATE_IN_PROGRESS'],
    ['a failed create', [e('create', 'FAILED', 0)], none, 'CREATE_FAILED'],
    ['a timed-out create', [e('create', 'TIMED_OUT', 0)], none, 'CREATE_FAILED'],
    ['a succeeded delete', [e('delete', 'SUCCEEDED', 9), e('create', 'SUCCEEDED', 0)], none, 'DELETE_COMPLETE'],
    ['a failed delete', [e('delete', 'FAILED', 9), e('create', 'SUCCEEDED', 0)], none, 'DELETE_FAILED'],
    ['a tagged VPC without executions', [], { ...none, statusTag: 'CREATE_FAILED', hasResources: true }, 'CREATE_FAILED'],
    ['an untagged VPC without executions', [], { ...none, hasResources: true }, 'CREATE_IN_PROGRESS'],
  ])('is derived from %s', (_, list, inputs, status) => {
    // Act
    const derived = deriveStatus({ ...inputs, executions: list });

    // Assess
    expect(derived?.status).toBe(status);
  });

  it('is unknown when nothing shows the cluster', () => {
    // Act
    const derived = deriveStatus({ statusTag: null, failureCodeTag: null, hasResources: false, executions: [] });

    // Assess
    expect(derived).toBeUndefined();
  });
});

describe('GET /clusters/{id}', () => {
  it("answers the status, the masters' URLs, the slave count and the executions", async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'CREATE_COMPLETE' })] });
    ec2.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [instance('i-m1', 'master', '203.0.113.5'), instance('i-s1', 'slave'), instance('i-s2', 'slave')] }],
    });
    executions({ Create: [item('Create', `create-${ID}`, 'SUCCEEDED', 0), item('Create', 'create-other-ffffff', 'RUNNING', 5)] });

    // Act
    const response = await getCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      id: ID,
      name: 'blue',
      status: 'CREATE_COMPLETE',
      mesosUrl: 'http://203.0.113.5:5050',
      marathonUrl: 'http://203.0.113.5:8080',
      masters: [
        {
          instanceId: 'i-m1',
          availabilityZone: 'eu-west-1a',
          privateIp: '172.28.128.10',
          publicIp: '203.0.113.5',
          mesosUrl: 'http://203.0.113.5:5050',
          marathonUrl: 'http://203.0.113.5:8080',
        },
      ],
      slaveCount: 2,
      vpcId: 'vpc-1',
      imageId: null,
      currentExecution: null,
      recentExecutions: [
        {
          kind: 'create',
          name: `create-${ID}`,
          executionArn: EXECUTION('Create', `create-${ID}`),
          status: 'SUCCEEDED',
          startDate: T0.toISOString(),
          stopDate: at(60).toISOString(),
        },
      ],
    });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: CONFIG.scaleMachineArn, maxResults: 1000 });
  });

  it('answers the failure code and reason of a failed create from its cause', async () => {
    // Prepare
    executions({ Create: [item('Create', `create-${ID}`, 'FAILED', 0)] });
    sfn.on(DescribeExecutionCommand, { executionArn: EXECUTION('Create', `create-${ID}`) }).resolves({
      ...item('Create', `create-${ID}`, 'FAILED', 0),
      error: 'CreateFailed',
      cause: 'CREATE_NAT_GATEWAY_FAILED: create-nat-gateway: NatGatewayLimitExceeded: too many',
    });

    // Act
    const response = await getCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.body).toMatchObject({
      status: 'CREATE_FAILED',
      failureCode: 'CREATE_NAT_GATEWAY_FAILED',
      failureReason: 'create-nat-gateway: NatGatewayLimitExceeded: too many',
      masters: [],
      vpcId: null,
    });
  });

  it('finds a create older than the newest page by its name', async () => {
    // Prepare
    executions({});
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION('Create', `create-${ID}`) })
      .resolves(item('Create', `create-${ID}`, 'RUNNING', 0));

    // Act
    const response = await getCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.body).toMatchObject({ status: 'CREATE_IN_PROGRESS', currentExecution: { name: `create-${ID}`, status: 'RUNNING' } });
  });

  it('shows the alarm scale that holds the lease as the current execution', async () => {
    // Prepare
    const leaseArn = EXECUTION('Scale', '7f1c-uuid');
    ec2
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'UPDATE_IN_PROGRESS', [TAG_SCALE_EXECUTION]: leaseArn })] });
    executions({ Create: [item('Create', `create-${ID}`, 'SUCCEEDED', 0)] });
    sfn.on(DescribeExecutionCommand, { executionArn: leaseArn }).resolves(item('Scale', '7f1c-uuid', 'RUNNING', 100));

    // Act
    const response = await getCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.body).toMatchObject({ status: 'UPDATE_IN_PROGRESS', currentExecution: { kind: 'scale', name: '7f1c-uuid' } });
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: [ID] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
  });

  it('answers 404 for an unknown cluster and 400 for a malformed id', async () => {
    // Prepare
    executions({});

    // Act
    const unknown = await respond(() => getCluster(request({ pathParameters: { id: ID } }), deps()));
    const malformed = await respond(() => getCluster(request({ pathParameters: { id: 'Blue' } }), deps()));

    // Assess
    expect(unknown).toEqual({ statusCode: 404, body: { error: { code: 'NotFound', message: `no cluster ${ID}` } } });
    expect(malformed).toEqual({
      statusCode: 400,
      body: {
        error: {
          code: 'BadRequest',
          field: 'id',
          rule: 'must be a cluster id: <name>-<6 hex digits>',
          message: 'id: must be a cluster id: <name>-<6 hex digits>',
        },
      },
    });
  });
});

describe('GET /clusters', () => {
  it('lists the clusters of the VPCs and of the executions, leaving deleted ones out unless all=true', async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'CREATE_COMPLETE' })] });
    executions({
      Create: [
        item('Create', 'create-red-111111', 'RUNNING', 50),
        item('Create', `create-${ID}`, 'SUCCEEDED', 0),
        item('Create', 'create-gone-222222', 'SUCCEEDED', 1),
      ],
      Teardown: [item('Teardown', 'delete-gone-222222', 'SUCCEEDED', 40)],
    });

    // Act
    const live = await listClusters(request(), deps());
    const all = await listClusters(request({ queryStringParameters: { all: 'true' } }), deps());

    // Assess
    expect(live.body).toEqual({
      clusters: [
        { id: ID, name: 'blue', status: 'CREATE_COMPLETE', vpcId: 'vpc-1', currentExecution: null, createdAt: T0.toISOString() },
        {
          id: 'red-111111',
          name: 'red',
          status: 'CREATE_IN_PROGRESS',
          vpcId: null,
          currentExecution: 'create-red-111111',
          createdAt: at(50).toISOString(),
        },
      ],
    });
    expect((all.body as { clusters: { id: string; status: string }[] }).clusters.map((c) => [c.id, c.status])).toEqual([
      [ID, 'CREATE_COMPLETE'],
      ['gone-222222', 'DELETE_COMPLETE'],
      ['red-111111', 'CREATE_IN_PROGRESS'],
    ]);
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
        { Name: 'tag-key', Values: ['mesos-cluster:id'] },
      ],
    });
  });

  it('answers 400 for an all that is not true or false', async () => {
    // Act
    const response = await respond(() => listClusters(request({ queryStringParameters: { all: 'yes' } }), deps()));

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ error: { field: 'all', rule: 'must be true or false' } });
  });
});

describe('DELETE /clusters/{id}', () => {
  it('stops a running create, then starts delete-<clusterId>', async () => {
    // Prepare
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION('Create', `create-${ID}`) })
      .resolves(item('Create', `create-${ID}`, 'RUNNING', 0));
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION('Teardown', `delete-${ID}`), startDate: T0 });

    // Act
    const response = await deleteCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response).toEqual({
      statusCode: 202,
      headers: { Location: `https://api.example.com/v1/clusters/${ID}` },
      body: {
        clusterId: ID,
        status: 'DELETE_IN_PROGRESS',
        executionArn: EXECUTION('Teardown', `delete-${ID}`),
        statusUrl: `https://api.example.com/v1/clusters/${ID}`,
      },
    });
    expect(sfn).toHaveReceivedCommandWith(StopExecutionCommand, {
      executionArn: EXECUTION('Create', `create-${ID}`),
      error: 'ClusterDeleted',
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: CONFIG.teardownMachineArn,
      name: `delete-${ID}`,
      input: JSON.stringify({ clusterId: ID, clusterName: 'blue' }),
    });
  });

  it('returns the running delete instead of starting a second one', async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc()] });
    sfn.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION('Teardown', `delete-${ID}`) })
      .resolves(item('Teardown', `delete-${ID}`, 'RUNNING', 10));

    // Act
    const response = await deleteCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.body).toMatchObject({ executionArn: EXECUTION('Teardown', `delete-${ID}`), alreadyRunning: true });
    expect(sfn).toHaveReceivedCommandTimes(StartExecutionCommand, 1);
    expect(sfn).not.toHaveReceivedCommand(StopExecutionCommand);
  });

  it('starts delete-<clusterId>-2 after a failed delete', async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'DELETE_FAILED' })] });
    sfn.on(StartExecutionCommand, { name: `delete-${ID}` }).rejects(awsError('ExecutionAlreadyExists'));
    sfn.on(StartExecutionCommand, { name: `delete-${ID}-2` }).resolves({ executionArn: EXECUTION('Teardown', `delete-${ID}-2`) });
    sfn
      .on(DescribeExecutionCommand, { executionArn: EXECUTION('Teardown', `delete-${ID}`) })
      .resolves(item('Teardown', `delete-${ID}`, 'FAILED', 10));

    // Act
    const response = await deleteCluster(request({ pathParameters: { id: ID } }), deps());

    // Assess
    expect(response.body).toMatchObject({ executionArn: EXECUTION('Teardown', `delete-${ID}-2`) });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, { name: `delete-${ID}-2` });
  });

  it('answers 404 when nothing of the cluster exists', async () => {
    // Act
    const response = await respond(() => deleteCluster(request({ pathParameters: { id: ID } }), deps()));

    // Assess
    expect(response.statusCode).toBe(404);
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('POST /clusters/{id}/scale', () => {
  it('starts the scale machine with the exact target for a complete cluster', async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'CREATE_COMPLETE' })] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION('Scale', 'scale-x') });

    // Act
    const response = await scaleCluster(request({ pathParameters: { id: ID }, body: '{"slaves":5}' }), { ...deps(), now: () => 36 ** 6 });

    // Assess
    expect(response).toMatchObject({
      statusCode: 202,
      body: { clusterId: ID, status: 'UPDATE_IN_PROGRESS', targetSlaves: 5, executionArn: EXECUTION('Scale', 'scale-x') },
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: CONFIG.scaleMachineArn,
      name: expect.stringMatching(new RegExp(`^scale-${ID}-1000000[0-9a-f]{2}$`)),
      input: JSON.stringify({ clusterId: ID, clusterName: 'blue', targetSlaves: 5, source: 'api' }),
    });
  });

  it.each([
    ['{"slaves":2.5}', 'slaves', 'must be a whole number'],
    ['{"slaves":51}', 'slaves', 'must be at most 50'],
    ['{"slaves":"3"}', 'slaves', 'must be a number'],
    ['{}', 'slaves', 'is required'],
    ['{"slaves":3,"force":true}', 'force', 'is not a field of a scale request'],
    ['[3]', 'body', 'must be a JSON object'],
  ])('answers 400 for %s', async (body, field, rule) => {
    // Act
    const response = await respond(() => scaleCluster(request({ pathParameters: { id: ID }, body }), deps()));

    // Assess
    expect(response).toEqual({ statusCode: 400, body: { error: { code: 'BadRequest', message: `${field}: ${rule}`, field, rule } } });
  });

  it('answers 409 while the cluster is not complete, 404 without it, 501 without a scale machine', async () => {
    // Prepare
    const scale = (config = CONFIG) =>
      respond(() => scaleCluster(request({ pathParameters: { id: ID }, body: '{"slaves":1}' }), { ...deps(), config }));

    // Act
    const missing = await scale();
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [vpc({ 'mesos-cluster:status': 'UPDATE_IN_PROGRESS' })] });
    const busy = await scale();
    const unwired = await scale({ ...CONFIG, scaleMachineArn: undefined });

    // Assess
    expect([missing.statusCode, busy.statusCode, unwired.statusCode]).toEqual([404, 409, 501]);
    expect(busy.body).toMatchObject({
      error: { field: 'status', rule: 'is UPDATE_IN_PROGRESS; a cluster can be scaled when it is CREATE_COMPLETE' },
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });
});

describe('GET /clusters/{id}/executions/{execution}/events', () => {
  const history = [
    { id: 1, type: 'ExecutionStarted' as const, timestamp: T0 },
    { id: 2, previousEventId: 1, type: 'TaskStateEntered' as const, timestamp: at(1), stateEnteredEventDetails: { name: 'Create VPC' } },
    { id: 3, previousEventId: 2, type: 'TaskScheduled' as const, timestamp: at(1) },
    { id: 4, previousEventId: 3, type: 'TaskStarted' as const, timestamp: at(1) },
    {
      id: 5,
      previousEventId: 4,
      type: 'TaskFailed' as const,
      timestamp: at(2),
      taskFailedEventDetails: {
        resourceType: 'lambda',
        resource: 'invoke',
        error: 'RetryableError',
        cause: '{"errorType":"RetryableError","errorMessage":"create-vpc: throttled"}',
      },
    },
    { id: 6, previousEventId: 5, type: 'TaskStateExited' as const, timestamp: at(5), stateExitedEventDetails: { name: 'Create VPC' } },
    { id: 7, previousEventId: 6, type: 'ExecutionSucceeded' as const, timestamp: at(6) },
  ];

  it('condenses the history into state events with failures attributed to their state', () => {
    // Act
    const events = progressEvents(history);

    // Assess
    expect(events.map((e) => [e.id, e.type, e.state ?? e.status ?? null, e.elapsedMs])).toEqual([
      [1, 'ExecutionStarted', null, 0],
      [2, 'StateEntered', 'Create VPC', 1000],
      [5, 'StateFailed', 'Create VPC', 2000],
      [6, 'StateExited', 'Create VPC', 5000],
      [7, 'ExecutionEnded', 'SUCCEEDED', 6000],
    ]);
    expect(events[2]).toMatchObject({ stateType: 'Task', error: 'RetryableError', cause: 'create-vpc: throttled' });
  });

  it('answers the events after an id, with the execution status', async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).resolves({ events: history });

    // Act
    const response = await getExecutionEvents(
      request({ pathParameters: { id: ID, execution: `create-${ID}` }, queryStringParameters: { after: '5' } }),
      deps()
    );

    // Assess
    expect(response.body).toMatchObject({
      execution: { name: `create-${ID}`, executionArn: EXECUTION('Create', `create-${ID}`), status: 'SUCCEEDED' },
      events: [{ id: 6 }, { id: 7 }],
      lastEventId: 7,
      complete: true,
    });
    expect(sfn).toHaveReceivedCommandWith(GetExecutionHistoryCommand, {
      executionArn: EXECUTION('Create', `create-${ID}`),
      includeExecutionData: false,
    });
  });

  it("answers 400 for another cluster's execution and 404 for a missing one", async () => {
    // Prepare
    sfn.on(GetExecutionHistoryCommand).rejects(awsError('ExecutionDoesNotExist'));

    // Act
    const foreign = await respond(() =>
      getExecutionEvents(request({ pathParameters: { id: ID, execution: 'create-red-111111' } }), deps())
    );
    const missing = await respond(() => getExecutionEvents(request({ pathParameters: { id: ID, execution: `delete-${ID}-2` } }), deps()));

    // Assess
    expect(foreign.statusCode).toBe(400);
    expect(missing).toEqual({ statusCode: 404, body: { error: { code: 'NotFound', message: `no execution delete-${ID}-2` } } });
  });
});
