import { CreateTagsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { markReadyStep } from '../../../functions/mark-ready/mark-ready';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

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
});
