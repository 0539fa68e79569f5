import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { markDeletingStep } from '../../../functions/mark-deleting/mark-deleting';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo' };

describe('mark-deleting', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
  });

  it('tags the cluster VPC DELETE_IN_PROGRESS', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    // Act
    const result = await invokeStep(markDeletingStep, input, clients);
    // Assess
    expect(result).toEqual({ status: 'DELETE_IN_PROGRESS', vpcIds: ['vpc-1'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [{ Key: 'mesos-cluster:status', Value: 'DELETE_IN_PROGRESS' }],
    });
  });

  it('succeeds without tagging anything when the cluster has no VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const result = await invokeStep(markDeletingStep, input, clients);
    // Assess
    expect(result).toEqual({ status: 'DELETE_IN_PROGRESS', vpcIds: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('throws RetryableError when the VPC it found is not visible to CreateTags yet', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(CreateTagsCommand).rejects(awsError('InvalidVpcID.NotFound'));
    // Act
    const run = invokeStep(markDeletingStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('InvalidVpcID.NotFound') });
  });
});
