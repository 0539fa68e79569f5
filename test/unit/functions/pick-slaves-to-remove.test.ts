import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { type CommandInvocationStatus, GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { pickSlavesToRemoveStep } from '../../../functions/pick-slaves-to-remove/pick-slaves-to-remove';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', instanceId: 'i-m1', commandId: 'cmd-l', count: 2 };

const T = Date.UTC(2026, 0, 1, 8, 0, 0);
const slave = (n: number, minute: number): Instance => ({
  InstanceId: `i-s${n}`,
  PrivateIpAddress: `10.0.1.${20 + n}`,
  LaunchTime: new Date(T + minute * 60_000),
});

function answer(stdout: string, Status: CommandInvocationStatus = 'Success'): void {
  ssmMock.on(GetCommandInvocationCommand).resolves({ Status, StandardOutputContent: stdout, ResponseCode: Status === 'Success' ? 0 : 1 });
}

describe('pick-slaves-to-remove', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [slave(1, 0), slave(2, 0), slave(3, 10), slave(4, 10)] }],
    });
  });

  it('chooses the slaves with the fewest tasks', async () => {
    // Prepare
    answer('10.0.1.21 5\n10.0.1.22 0\n10.0.1.23 7\n10.0.1.24 1\n');
    // Act
    const result = await invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-s2', 'i-s4'], agentIps: ['10.0.1.22', '10.0.1.24'], tasks: 1 });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-l', InstanceId: 'i-m1' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'tag:mesos-cluster:role', Values: ['slave'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    });
  });

  it('breaks ties by the newest launch', async () => {
    // Prepare
    answer('10.0.1.21 3\n10.0.1.22 3\n10.0.1.23 3\n10.0.1.24 3\n');
    // Act
    const result = await invokeStep(pickSlavesToRemoveStep, { ...input, count: 1 }, clients);
    // Assess
    expect(result.instanceIds).toEqual(['i-s4']);
  });

  it('prefers a live slave that is not registered with Mesos: it runs nothing', async () => {
    // Prepare
    answer('10.0.1.21 1\n10.0.1.22 2\n10.0.1.23 1\n');
    // Act
    const result = await invokeStep(pickSlavesToRemoveStep, { ...input, count: 1 }, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-s4'], agentIps: ['10.0.1.24'], tasks: 0 });
  });

  it('chooses the same slaves when it runs again on the same answer', async () => {
    // Prepare
    answer('10.0.1.21 2\n10.0.1.22 2\n10.0.1.23 0\n10.0.1.24 9\n');
    // Act
    const first = await invokeStep(pickSlavesToRemoveStep, input, clients);
    const second = await invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    expect(second).toEqual(first);
    expect(first.instanceIds).toEqual(['i-s3', 'i-s2']);
  });

  it('throws NotReadyError while the agent-load query runs', async () => {
    // Prepare
    answer('', 'InProgress');
    // Act
    const run = invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'NotReadyError' });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });

  it('throws NotReadyError while the invocation is not visible yet', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
    // Act
    const run = invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'NotReadyError' });
  });

  it('throws FatalError when the query failed on the master', async () => {
    // Prepare
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Failed', ResponseCode: 1, StandardErrorContent: 'no elected Mesos master\n' });
    // Act
    const run = invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('no elected Mesos master') });
  });

  it('throws FatalError on a garbled answer rather than taking it for no tasks', async () => {
    // Prepare
    answer('10.0.1.21 5\nsomething else\n');
    // Act
    const run = invokeStep(pickSlavesToRemoveStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('malformed line') });
  });

  it('throws FatalError on a count below 1', async () => {
    // Act
    const run = invokeStep(pickSlavesToRemoveStep, { ...input, count: 0 }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError' });
    expect(ssmMock).not.toHaveReceivedCommand(GetCommandInvocationCommand);
  });
});
