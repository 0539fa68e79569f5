import { DeleteSubnetCommand, DescribeNetworkInterfacesCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteSubnetsStep } from '../../../functions/delete-subnets/delete-subnets';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteSubnetsStep, input, { ec2: new EC2Client({}) });

describe('delete-subnets', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('deletes every subnet of the cluster', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-public' }, { SubnetId: 'subnet-private' }] });
    ec2Mock.on(DeleteSubnetCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['subnet-public', 'subnet-private'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, { Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSubnetCommand, { SubnetId: 'subnet-public' });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSubnetCommand, { SubnetId: 'subnet-private' });
  });

  it('deletes nothing when the cluster has no subnet left', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSubnetCommand);
  });

  it('treats InvalidSubnetID.NotFound as already deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-public' }] });
    ec2Mock.on(DeleteSubnetCommand).rejects(awsError('InvalidSubnetID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSubnetCommand, 1);
  });

  it('throws RetryableError naming at most 10 ENIs left in the subnet on DependencyViolation', async () => {
    // Prepare
    const enis = Array.from({ length: 12 }, (_, i) => ({ NetworkInterfaceId: `eni-${i}` }));
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-public' }] });
    ec2Mock
      .on(DeleteSubnetCommand)
      .rejects(awsError('DependencyViolation', "The subnet 'subnet-public' has dependencies and cannot be deleted."));
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: enis });
    // Act
    const act = run();
    // Assess
    const listed = enis.slice(0, 10).map((e) => e.NetworkInterfaceId);
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message:
        'delete-subnets: 1 of 1 subnets not deleted yet: subnet-public (DependencyViolation: ' +
        `The subnet 'subnet-public' has dependencies and cannot be deleted. (network interfaces ${listed.join(', ')}))`,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, {
      Filters: [{ Name: 'subnet-id', Values: ['subnet-public'] }],
    });
  });

  it('still throws RetryableError on DependencyViolation when the ENI lookup fails', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-public' }] });
    ec2Mock.on(DeleteSubnetCommand).rejects(awsError('DependencyViolation', 'has dependencies'));
    ec2Mock.on(DescribeNetworkInterfacesCommand).rejects(awsError('UnauthorizedOperation'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringContaining('subnet-public (DependencyViolation: has dependencies (no network interface left))'),
    });
  });
});
