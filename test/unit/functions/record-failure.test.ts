import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describeFailure, recordFailureStep } from '../../../functions/record-failure/record-failure';
import type { CaughtError } from '../../../functions/shared/contracts';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const lambdaCause = (errorType: string, errorMessage: string) =>
  JSON.stringify({ errorType, errorMessage, trace: [`${errorType}: ${errorMessage}`, '    at run (/var/task/index.js:1:1)'] });
const natFailed: CaughtError = {
  Error: 'FatalError',
  Cause: lambdaCause('FatalError', 'check-nat-gateway: NAT gateway nat-1 failed: Gateway.NotAttached: no internet gateway'),
};
const run = (error: CaughtError, status: 'CREATE_FAILED' | 'DELETE_FAILED' = 'CREATE_FAILED') =>
  invokeStep(recordFailureStep, { clusterId: 'c-1', clusterName: 'demo', error, status }, { ec2: new EC2Client({}) });

describe('describeFailure', () => {
  it.each<[string, CaughtError, string, string]>([
    [
      'a step error in Lambda JSON',
      { Error: 'FatalError', Cause: lambdaCause('FatalError', 'create-nat-gateway: NatGatewayLimitExceeded: quota reached') },
      'CREATE_NAT_GATEWAY_FAILED',
      'FatalError: create-nat-gateway: NatGatewayLimitExceeded: quota reached',
    ],
    [
      'a teardown step error',
      { Error: 'RetryableError', Cause: lambdaCause('RetryableError', 'delete-vpc: DependencyViolation: has dependencies') },
      'DELETE_VPC_FAILED',
      'RetryableError: delete-vpc: DependencyViolation: has dependencies',
    ],
    [
      'a step error as plain text',
      { Error: 'ConflictError', Cause: "validate-spec: cluster name 'demo' is taken by cluster c-2 (vpc-2)" },
      'VALIDATE_SPEC_FAILED',
      "ConflictError: validate-spec: cluster name 'demo' is taken by cluster c-2 (vpc-2)",
    ],
    ['a state timeout', { Error: 'States.Timeout', Cause: '' }, 'TIMED_OUT', 'States.Timeout'],
    [
      'a Lambda failure without step prefix',
      { Error: 'Lambda.Unknown', Cause: 'The cause could not be determined because Lambda did not return an error type.' },
      'WORKFLOW_FAILED',
      'Lambda.Unknown: The cause could not be determined because Lambda did not return an error type.',
    ],
    ['a task failure without cause', { Error: 'States.TaskFailed' }, 'WORKFLOW_FAILED', 'States.TaskFailed'],
  ])('describes %s', (_, error, failureCode, failureReason) => {
    // Act
    const result = describeFailure(error);
    // Assess
    expect(result).toEqual({ failureCode, failureReason });
  });

  it('trims the failure reason to 1000 characters', () => {
    // Prepare
    const error = { Error: 'FatalError', Cause: lambdaCause('FatalError', `launch-instances: ${'x'.repeat(2000)}`) };
    // Act
    const result = describeFailure(error);
    // Assess
    expect(result.failureCode).toBe('LAUNCH_INSTANCES_FAILED');
    expect(result.failureReason).toHaveLength(1000);
    expect(result.failureReason.startsWith('FatalError: launch-instances: xxx')).toBe(true);
  });
});

describe('record-failure', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('tags the cluster VPC with the failed status and the failure code', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(CreateTagsCommand).resolves({});
    // Act
    const result = await run(natFailed);
    // Assess
    expect(result).toEqual({
      failureCode: 'CHECK_NAT_GATEWAY_FAILED',
      failureReason: 'FatalError: check-nat-gateway: NAT gateway nat-1 failed: Gateway.NotAttached: no internet gateway',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [
        { Key: 'mesos-cluster:status', Value: 'CREATE_FAILED' },
        { Key: 'mesos-cluster:failure-code', Value: 'CHECK_NAT_GATEWAY_FAILED' },
      ],
    });
  });

  it('records DELETE_FAILED for a teardown', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(CreateTagsCommand).resolves({});
    // Act
    await run({ Error: 'States.Timeout' }, 'DELETE_FAILED');
    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Tags: [
        { Key: 'mesos-cluster:status', Value: 'DELETE_FAILED' },
        { Key: 'mesos-cluster:failure-code', Value: 'TIMED_OUT' },
      ],
    });
  });

  it('returns the failure without tagging when the cluster has no VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const result = await run(natFailed);
    // Assess
    expect(result.failureCode).toBe('CHECK_NAT_GATEWAY_FAILED');
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('returns the failure when tagging fails', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(CreateTagsCommand).rejects(awsError('UnauthorizedOperation'));
    // Act
    const result = await run(natFailed);
    // Assess
    expect(result.failureCode).toBe('CHECK_NAT_GATEWAY_FAILED');
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
  });

  it('throws RetryableError when the VPC it just listed is not visible by id yet', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(CreateTagsCommand).rejects(awsError('InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist"));
    // Act
    const error = await run(natFailed).catch((err: unknown) => err as Error);
    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe('RetryableError');
    expect((error as Error).message).toMatch(/^record-failure: .*InvalidVpcID\.NotFound/);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, { Resources: ['vpc-1'] });
  });

  it('returns the failure when the VPC lookup fails', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).rejects(awsError('RequestLimitExceeded'));
    // Act
    const result = await run(natFailed);
    // Assess
    expect(result.failureCode).toBe('CHECK_NAT_GATEWAY_FAILED');
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });
});
