import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ListExecutionsCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { createCluster } from '../../../functions/api/create-cluster/create-cluster';
import { CONFIG, EXECUTION, request, respond } from './helpers';

const ec2 = mockClient(EC2Client);
const sfn = mockClient(SFNClient);
const deps = () => ({
  ec2: ec2 as unknown as EC2Client,
  sfn: sfn as unknown as SFNClient,
  config: CONFIG,
  newClusterId: (name: string) => `${name}-0a1b2c`,
});
const body = (spec: object) => request({ body: JSON.stringify(spec) });
const SPEC = { name: 'blue', adminCidr: '198.51.100.0/24', slaves: 3 };

describe('POST /clusters', () => {
  beforeEach(() => {
    ec2.reset();
    sfn.reset();
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: EXECUTION('Create', 'create-blue-0a1b2c'), startDate: new Date() });
  });

  it('starts the create machine with create-<clusterId> and answers 202 with the status URL', async () => {
    // Act
    const response = await createCluster(body(SPEC), deps());

    // Assess
    expect(response).toEqual({
      statusCode: 202,
      headers: { Location: 'https://api.example.com/v1/clusters/blue-0a1b2c' },
      body: {
        clusterId: 'blue-0a1b2c',
        name: 'blue',
        status: 'CREATE_IN_PROGRESS',
        executionArn: EXECUTION('Create', 'create-blue-0a1b2c'),
        statusUrl: 'https://api.example.com/v1/clusters/blue-0a1b2c',
      },
    });
    expect(sfn).toHaveReceivedCommandWith(StartExecutionCommand, {
      stateMachineArn: CONFIG.createMachineArn,
      name: 'create-blue-0a1b2c',
      input: expect.stringContaining('"clusterId":"blue-0a1b2c","clusterName":"blue","spec":{"name":"blue"'),
    });
    expect(ec2).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:name', Values: ['blue'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
    expect(sfn).toHaveReceivedCommandWith(ListExecutionsCommand, { stateMachineArn: CONFIG.createMachineArn, statusFilter: 'RUNNING' });
  });

  it('makes a random id of the name and 6 hex digits by default', async () => {
    // Act
    const response = await createCluster(body(SPEC), { ...deps(), newClusterId: undefined });

    // Assess
    expect((response.body as { clusterId: string }).clusterId).toMatch(/^blue-[0-9a-f]{6}$/);
  });

  it.each([
    [null, 'body', 'is required (a JSON object)'],
    ['{"name":', 'body', 'must be valid JSON'],
    [JSON.stringify({ name: 'blue' }), 'adminCidr', 'is required'],
    [
      JSON.stringify({ ...SPEC, name: 'Blue!' }),
      'name',
      'must be a lowercase DNS label of 3 to 32 characters (a-z, 0-9, -), starting with a letter',
    ],
    [JSON.stringify({ ...SPEC, masters: 2 }), 'masters', 'must be 1, 3 or 5 (an odd number, for a ZooKeeper majority)'],
    [JSON.stringify({ ...SPEC, privateSubnetCidr: '10.0.0.0/24' }), 'privateSubnetCidr', 'must lie inside vpcCidr 172.28.128.0/22'],
    [JSON.stringify({ ...SPEC, color: 'red' }), 'color', 'is not a field of the cluster spec'],
    [JSON.stringify({ ...SPEC, slaves: 60 }), 'slaves', "must be at most 50 (this deployment's limit)"],
    [
      JSON.stringify({ ...SPEC, slaveInstanceType: 'm6i.large' }),
      'slaveInstanceType',
      'must be one of t3.medium, t3.large (allowed by this deployment)',
    ],
  ])('answers 400 naming the field and the rule for %s', async (text, field, rule) => {
    // Act
    const response = await respond(() => createCluster(request({ body: text }), deps()));

    // Assess
    expect(response).toEqual({ statusCode: 400, body: { error: { code: 'BadRequest', message: `${field}: ${rule}`, field, rule } } });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 409 when a live cluster holds the name', async () => {
    // Prepare
    ec2.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', Tags: [{ Key: 'mesos-cluster:id', Value: 'blue-111111' }] }] });

    // Act
    const response = await respond(() => createCluster(body(SPEC), deps()));

    // Assess
    expect(response).toEqual({
      statusCode: 409,
      body: {
        error: {
          code: 'Conflict',
          field: 'name',
          rule: 'is taken by cluster blue-111111; delete it first',
          message: 'name: is taken by cluster blue-111111; delete it first',
        },
      },
    });
    expect(sfn).not.toHaveReceivedCommand(StartExecutionCommand);
  });

  it('answers 409 when a running create of the same name has no VPC yet, but not for a longer name', async () => {
    // Prepare
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: 'create-blue-222222',
          executionArn: 'a',
          stateMachineArn: CONFIG.createMachineArn,
          status: 'RUNNING',
          startDate: new Date(),
        },
        {
          name: 'create-blue-2-333333',
          executionArn: 'b',
          stateMachineArn: CONFIG.createMachineArn,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    // Act
    const response = await respond(() => createCluster(body(SPEC), deps()));

    // Assess
    expect(response.statusCode).toBe(409);
    expect((response.body as { error: { rule: string } }).error.rule).toBe('is taken by cluster blue-222222; delete it first');
  });
});
