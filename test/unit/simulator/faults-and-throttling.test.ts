import {
  CreateVpcCommand,
  DescribeInstancesCommand,
  DescribeVpcsCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, InvalidInstanceId, ListCommandInvocationsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { defaultLatencyModel, SimulatedCloud } from '../../../simulator';
import { buildNetwork, errorOf, type InstalledClock, installClock, launch, UBUNTU_2404 } from './support';

describe('simulated faults, throttling and eventual consistency', () => {
  let clock: InstalledClock;

  beforeEach(() => {
    clock = installClock();
  });

  afterEach(() => clock.uninstall());

  it('throws an injected fault for the next `count` calls only', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    cloud.injectFault({ operation: 'CreateVpc', code: 'VpcLimitExceeded', count: 2 });

    // Act
    const first = await errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })));
    const second = await errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })));
    const third = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));

    // Assess
    expect([first.name, second.name]).toEqual(['VpcLimitExceeded', 'VpcLimitExceeded']);
    expect(third.Vpc?.VpcId).toMatch(/^vpc-0[0-9a-f]{16}$/);
    expect(cloud.calls.CreateVpc).toBe(3);
    expect(cloud.faults()).toEqual([]);
  });

  it('throws a persistent fault on every call until the faults are cleared', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    cloud.injectFault({ operation: 'DescribeVpcsCommand', code: 'UnauthorizedOperation', message: 'You are not authorized' });

    // Act
    const errors = [await errorOf(() => ec2.send(new DescribeVpcsCommand({}))), await errorOf(() => ec2.send(new DescribeVpcsCommand({})))];
    cloud.clearFaults();
    const after = await ec2.send(new DescribeVpcsCommand({}));

    // Assess
    expect(errors.map((e) => [e.name, e.message, e.$metadata?.httpStatusCode])).toEqual([
      ['UnauthorizedOperation', 'You are not authorized', 403],
      ['UnauthorizedOperation', 'You are not authorized', 403],
    ]);
    expect(after.Vpcs).toEqual([]);
  });

  it('lets the SDK retry a single injected RequestLimitExceeded transparently (maxAttempts 3)', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 3 });
    cloud.injectFault({ operation: 'CreateVpc', code: 'RequestLimitExceeded', count: 1 });

    // Act
    const pending = ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    await clock.runAllAsync();
    const out = await pending;

    // Assess
    expect(out.Vpc?.VpcId).toBeDefined();
    expect(out.$metadata.attempts).toBe(2);
    expect(out.$metadata.totalRetryDelay).toBeGreaterThan(0);
    expect(cloud.calls.CreateVpc).toBe(2);
  });

  it('gives up after maxAttempts on a persistent 5xx fault, which the SDK retries as a server error', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 3 });
    cloud.injectFault({ operation: 'CreateVpc', code: 'InternalError' });

    // Act
    const pending = errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' })));
    await clock.runAllAsync();
    const err = await pending;

    // Assess
    expect(err).toMatchObject({ name: 'InternalError', $fault: 'server', $metadata: { httpStatusCode: 500, attempts: 3 } });
    expect(cloud.calls.CreateVpc).toBe(3);
  });

  it('shapes a throttling error so that the SDK classifies it as throttling', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    cloud.injectFault({ operation: 'SendCommand', code: 'ThrottlingException', count: 1 });

    // Act
    const err = await errorOf(() => cloud.handle('ssm', 'SendCommandCommand', {}));

    // Assess
    expect(err).toMatchObject({
      name: 'ThrottlingException',
      Code: 'ThrottlingException',
      $fault: 'client',
      $retryable: { throttling: true },
    });
  });

  it('throttles a burst of RunInstances beyond 5 calls, and refills 2 tokens per second', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const run = () => launch(ec2, net.privateSubnetId, net.securityGroupId);

    // Act
    for (let i = 0; i < 5; i++) await run();
    const throttled = await errorOf(run);
    clock.tick(500);
    const refilled = await run();

    // Assess
    expect(throttled).toMatchObject({ name: 'RequestLimitExceeded', $retryable: { throttling: true }, $metadata: { httpStatusCode: 503 } });
    expect(refilled.ids).toHaveLength(1);
    expect(cloud.calls.RunInstances).toBe(7);
  });

  it('does not throttle when the model switches throttling off', async () => {
    // Prepare
    const cloud = new SimulatedCloud({ latencyModel: { ...defaultLatencyModel(), throttling: false } });
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);

    // Act
    const launched = [];
    for (let i = 0; i < 8; i++) launched.push(await launch(ec2, net.privateSubnetId, net.securityGroupId));

    // Assess
    expect(launched).toHaveLength(8);
    expect(cloud.inventory().filter((item) => item.type === 'instance')).toHaveLength(8);
  });

  it('answers NotFound by id inside the consistency window, and the real answer after it', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
    const vpcId = vpc.Vpc?.VpcId as string;

    // Act
    const describeEarly = await errorOf(() => ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] })));
    const modifyEarly = await errorOf(() => ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } })));
    const unfiltered = await ec2.send(new DescribeVpcsCommand({}));
    clock.tick(2000);
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    const later = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));

    // Assess
    expect([describeEarly.name, modifyEarly.name]).toEqual(['InvalidVpcID.NotFound', 'InvalidVpcID.NotFound']);
    expect(unfiltered.Vpcs?.map((v) => v.VpcId)).toEqual([vpcId]);
    expect(later.Vpcs?.[0]).toMatchObject({ VpcId: vpcId, State: 'available' });
  });

  it('answers InvocationDoesNotExist and an empty invocation list right after SendCommand', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2, ssm } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(105_000);
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-CountAgents', InstanceIds: ids }));
    const commandId = sent.Command?.CommandId as string;

    // Act
    const early = await errorOf(() => ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ids[0] })));
    const listed = await ssm.send(new ListCommandInvocationsCommand({ CommandId: commandId }));
    clock.tick(1000);
    const later = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: ids[0] }));

    // Assess
    expect(early.name).toBe('InvocationDoesNotExist');
    expect(listed.CommandInvocations).toEqual([]);
    expect(later.Status).toBe('Pending');
  });

  it('ends the invocations of a faulted document with the injected status', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2, ssm } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(105_000);
    cloud.injectFault({ operation: 'Command:MesosCluster-ConfigureMaster', code: 'Failed', count: 1 });

    // Act
    const failed = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids }));
    const succeeded = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids }));
    clock.tick(200_000);
    const statuses = await Promise.all(
      [failed, succeeded].map((c) => ssm.send(new GetCommandInvocationCommand({ CommandId: c.Command?.CommandId, InstanceId: ids[0] })))
    );

    // Assess
    expect(statuses.map((s) => [s.Status, s.ResponseCode])).toEqual([
      ['Failed', 1],
      ['Success', 0],
    ]);
  });

  it('throws service errors that are instances of the SDK exception classes', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2, ssm } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(1000);

    // Act
    const ssmErr = await errorOf(() =>
      ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids }))
    );
    const unsupported = await errorOf(() => cloud.handle('ec2', 'CreateKeyPairCommand', {}));

    // Assess
    expect(ssmErr).toBeInstanceOf(InvalidInstanceId);
    expect(ssmErr).toMatchObject({ name: 'InvalidInstanceId', Code: 'InvalidInstanceId', $fault: 'client' });
    expect(unsupported.name).toBe('UnsupportedOperation');
    expect(unsupported.message).toContain('CreateKeyPairCommand');
  });

  it('throws VPCIdNotSpecified for RunInstances without a subnet, as there is no default VPC', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });

    // Act
    const noSubnet = await errorOf(() => ec2.send(new RunInstancesCommand({ ImageId: UBUNTU_2404, MinCount: 1, MaxCount: 1 })));
    const unknown = await errorOf(() => ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000000'] })));

    // Assess
    expect(noSubnet.name).toBe('VPCIdNotSpecified');
    expect(unknown.name).toBe('InvalidInstanceID.NotFound');
    expect(cloud.calls).toEqual({ RunInstances: 1, DescribeInstances: 1 });
  });
});
