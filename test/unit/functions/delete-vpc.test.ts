import { DeleteVpcCommand, DescribeNetworkInterfacesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteVpcStep } from '../../../functions/delete-vpc/delete-vpc';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteVpcStep, input, { ec2: new EC2Client({}) });

describe('delete-vpc', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('deletes the VPC found by the cluster tag', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', State: 'available' }] });
    ec2Mock.on(DeleteVpcCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['vpc-1'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteVpcCommand, { VpcId: 'vpc-1' });
  });

  it('deletes nothing when the VPC is already gone', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteVpcCommand);
  });

  it('treats InvalidVpcID.NotFound as already deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(DeleteVpcCommand).rejects(awsError('InvalidVpcID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteVpcCommand, 1);
  });

  it('throws RetryableError naming the ENIs left in the VPC on DependencyViolation', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(DeleteVpcCommand).rejects(awsError('DependencyViolation', "The vpc 'vpc-1' has dependencies and cannot be deleted."));
    ec2Mock.on(DescribeNetworkInterfacesCommand).resolves({ NetworkInterfaces: [{ NetworkInterfaceId: 'eni-manual' }] });
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(
        /^delete-vpc: 1 of 1 VPCs not deleted yet: vpc-1 \(DependencyViolation: .*\(network interfaces eni-manual\)\)$/
      ),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNetworkInterfacesCommand, { Filters: [{ Name: 'vpc-id', Values: ['vpc-1'] }] });
  });
});
