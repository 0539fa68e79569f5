import { DescribeInstancesCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { invokeStep } from '../../../functions/shared/step';
import { terminateClusterInstancesStep } from '../../../functions/terminate-cluster-instances/terminate-cluster-instances';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(terminateClusterInstancesStep, input, { ec2: new EC2Client({}) });
const TAG_FILTER = { Name: 'tag:mesos-cluster:id', Values: ['c-1'] };

describe('terminate-cluster-instances', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('terminates every live instance of the cluster with one TerminateInstances call', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-master' }] }], NextToken: 'page-2' })
      .resolvesOnce({ Reservations: [{ Instances: [{ InstanceId: 'i-slave-1' }, { InstanceId: 'i-slave-2' }] }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ ids: ['i-master', 'i-slave-1', 'i-slave-2'], startedAt: expect.any(String) });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [TAG_FILTER, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
    });
    expect(ec2Mock).toHaveReceivedNthSpecificCommandWith(2, DescribeInstancesCommand, { NextToken: 'page-2' });
    expect(ec2Mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: ['i-master', 'i-slave-1', 'i-slave-2'] });
  });

  it('splits more than 1000 instances into calls of 1000', async () => {
    // Prepare
    const instances = Array.from({ length: 1001 }, (_, i) => ({ InstanceId: `i-${i}` }));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: instances }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result.ids).toHaveLength(1001);
    const sizes = ec2Mock.commandCalls(TerminateInstancesCommand).map((c) => c.args[0].input.InstanceIds?.length);
    expect(sizes).toEqual([1000, 1]);
  });

  it('terminates nothing when every instance is already shutting down or gone', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ ids: [], startedAt: expect.any(String) });
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('throws RetryableError when TerminateInstances does not see a listed instance yet', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-new' }] }] });
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-new' does not exist"));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('i-new') });
  });
});
