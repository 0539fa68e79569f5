import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { markReadyStep } from '../../../functions/mark-ready/mark-ready';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';
import { clusterVpc, vpcFilters } from './deleting-vpc';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1' };
const run = () => invokeStep(markReadyStep, input, { ec2: new EC2Client({}) });

describe('mark-ready', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('tags the VPC with CREATE_COMPLETE', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ status: 'CREATE_COMPLETE' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [{ Key: 'mesos-cluster:status', Value: 'CREATE_COMPLETE' }],
    });
  });

  it('throws RetryableError when EC2 throttles the tagging', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^mark-ready: RequestLimitExceeded/),
    });
  });

  it('throws FatalError when the step may not tag', async () => {
    // Prepare
    ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError' });
  });

  it('throws FatalError and tags nothing when the cluster is being deleted (DELETE_IN_PROGRESS)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'FatalError',
      message: 'mark-ready: cluster c-1 is being deleted (DELETE_IN_PROGRESS); mark-ready refused',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: vpcFilters('c-1') });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('tags the VPC when the cluster VPC is still CREATE_IN_PROGRESS', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1', 'CREATE_IN_PROGRESS'));
    ec2Mock.on(CreateTagsCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ status: 'CREATE_COMPLETE' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, { Resources: ['vpc-1'] });
  });
});
