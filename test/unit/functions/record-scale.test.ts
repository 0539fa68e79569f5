import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { recordScaleStep } from '../../../functions/record-scale/record-scale';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}) };
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const AT = new Date(NOW).toISOString();

function vpcTags(tags: Record<string, string>): void {
  ec2Mock
    .on(DescribeVpcsCommand)
    .resolves({ Vpcs: [{ VpcId: 'vpc-1', Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] });
}

const HELD = { 'mesos-cluster:status': 'UPDATE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-1' };

describe('record-scale', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });

  afterEach(() => jest.restoreAllMocks());

  it('releases the lease and records the time, the outcome and the new slave count in one call', async () => {
    // Prepare
    vpcTags(HELD);
    // Act
    const result = await invokeStep(
      recordScaleStep,
      { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'succeeded', target: 5 },
      clients
    );
    // Assess
    expect(result).toEqual({ recorded: true, status: 'CREATE_COMPLETE', lastScaledAt: AT });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [
        { Key: 'mesos-cluster:status', Value: 'CREATE_COMPLETE' },
        { Key: 'mesos-cluster:scale-execution', Value: '' },
        { Key: 'mesos-cluster:last-scaled-at', Value: AT },
        { Key: 'mesos-cluster:last-scale-execution', Value: 'exec-1' },
        { Key: 'mesos-cluster:last-scale-outcome', Value: 'succeeded' },
        { Key: 'mesos-cluster:slaves', Value: '5' },
      ],
    });
  });

  it('releases the lease after a failed scale without changing the slave count, starting the cooldown', async () => {
    // Prepare
    vpcTags(HELD);
    // Act
    const result = await invokeStep(recordScaleStep, { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'failed', target: 5 }, clients);
    // Assess
    expect(result.recorded).toBe(true);
    const tags = ec2Mock.commandCalls(CreateTagsCommand)[0]?.args[0].input.Tags ?? [];
    expect(tags).toContainEqual({ Key: 'mesos-cluster:last-scale-outcome', Value: 'failed' });
    expect(tags).toContainEqual({ Key: 'mesos-cluster:last-scaled-at', Value: AT });
    expect(tags.map((t) => t.Key)).not.toContain('mesos-cluster:slaves');
  });

  it('writes nothing when a teardown has begun', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'DELETE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-1' });
    // Act
    const result = await invokeStep(
      recordScaleStep,
      { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'succeeded', target: 5 },
      clients
    );
    // Assess
    expect(result).toEqual({ recorded: false, status: 'DELETE_IN_PROGRESS' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('writes nothing when another execution holds the lease', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'UPDATE_IN_PROGRESS', 'mesos-cluster:scale-execution': 'exec-2' });
    // Act
    const result = await invokeStep(recordScaleStep, { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'failed' }, clients);
    // Assess
    expect(result).toEqual({ recorded: false, status: 'UPDATE_IN_PROGRESS' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('returns what the first run recorded when it runs again', async () => {
    // Prepare
    vpcTags({
      'mesos-cluster:status': 'CREATE_COMPLETE',
      'mesos-cluster:scale-execution': '',
      'mesos-cluster:last-scale-execution': 'exec-1',
      'mesos-cluster:last-scaled-at': '2026-01-01T11:59:00.000Z',
    });
    // Act
    const result = await invokeStep(
      recordScaleStep,
      { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'succeeded', target: 5 },
      clients
    );
    // Assess
    expect(result).toEqual({ recorded: true, status: 'CREATE_COMPLETE', lastScaledAt: '2026-01-01T11:59:00.000Z' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('records nothing for a cluster that is gone', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const result = await invokeStep(recordScaleStep, { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'succeeded' }, clients);
    // Assess
    expect(result).toEqual({ recorded: false, status: 'DELETE_COMPLETE' });
  });
  it('names the failed step in the failure code and reason when given the caught error', async () => {
    // Prepare
    vpcTags(HELD);
    const error = {
      Error: 'FatalError',
      Cause: JSON.stringify({ errorType: 'FatalError', errorMessage: 'launch-instances: InvalidAMIID.NotFound: ami-1 is gone' }),
    };
    // Act
    const result = await invokeStep(recordScaleStep, { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'failed', error }, clients);
    // Assess
    expect(result).toEqual({
      recorded: true,
      status: 'CREATE_COMPLETE',
      lastScaledAt: AT,
      failureCode: 'LAUNCH_INSTANCES_FAILED',
      failureReason: 'FatalError: launch-instances: InvalidAMIID.NotFound: ami-1 is gone',
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateTagsCommand, 1);
  });

  it('describes the failure without writing when the lease is not its own', async () => {
    // Prepare
    vpcTags({ 'mesos-cluster:status': 'DELETE_IN_PROGRESS' });
    const error = { Error: 'ConflictError', Cause: 'check-scale-lease: cluster c-1234 is DELETE_IN_PROGRESS; the scale stops' };
    // Act
    const result = await invokeStep(recordScaleStep, { clusterId: 'c-1234', executionId: 'exec-1', outcome: 'failed', error }, clients);
    // Assess
    expect(result).toEqual({
      recorded: false,
      status: 'DELETE_IN_PROGRESS',
      failureCode: 'CHECK_SCALE_LEASE_FAILED',
      failureReason: 'ConflictError: check-scale-lease: cluster c-1234 is DELETE_IN_PROGRESS; the scale stops',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });
});
