import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkScaleLeaseStep } from '../../../functions/check-scale-lease/check-scale-lease';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}) };
const input = { clusterId: 'c-1234', executionId: 'exec-1' };

function vpcTags(tags: Record<string, string>): void {
  ec2Mock
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [{ VpcId: 'vpc-1', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] });
}

describe('check-scale-lease', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('confirms the lease this execution holds', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'UPDATE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-1' });
    // Act
    const result = await invokeStep(checkScaleLeaseStep, input, clients);
    // Assess
    expect(result).toEqual({ held: true });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
  });

  it('throws ConflictError naming the holder when a concurrent plan won the lease', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'UPDATE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-2' });
    // Act
    const run = invokeStep(checkScaleLeaseStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'check-scale-lease: cluster c-1234 is UPDATE_IN_PROGRESS (the scale lease is held by exec-2); the scale stops',
    });
  });

  it('throws ConflictError when a teardown has begun', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'DELETE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-1' });
    // Act
    const run = invokeStep(checkScaleLeaseStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringContaining('is DELETE_IN_PROGRESS') });
  });

  it('throws ConflictError when the cluster is gone', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const run = invokeStep(checkScaleLeaseStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringContaining('no longer exists') });
  });
});
