import { CloudWatchClient, DeleteAlarmsCommand, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteAlarmsStep } from '../../../functions/delete-alarms/delete-alarms';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const cloudwatchMock = mockClient(CloudWatchClient);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteAlarmsStep, input, { cloudwatch: new CloudWatchClient({}) });
const alarm = (suffix: string) => ({ AlarmName: `mesos-cluster-c-1-${suffix}` });

describe('delete-alarms', () => {
  beforeEach(() => {
    cloudwatchMock.reset();
  });

  it('deletes every alarm with the cluster prefix across pages in one call', async () => {
    // Prepare
    cloudwatchMock
      .on(DescribeAlarmsCommand)
      .resolvesOnce({ MetricAlarms: [alarm('scale-out')], NextToken: 'page-2' })
      .resolvesOnce({ MetricAlarms: [alarm('scale-in')] });
    cloudwatchMock.on(DeleteAlarmsCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['mesos-cluster-c-1-scale-out', 'mesos-cluster-c-1-scale-in'] });
    expect(cloudwatchMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'mesos-cluster-c-1-' });
    expect(cloudwatchMock).toHaveReceivedNthSpecificCommandWith(2, DescribeAlarmsCommand, {
      AlarmNamePrefix: 'mesos-cluster-c-1-',
      NextToken: 'page-2',
    });
    expect(cloudwatchMock).toHaveReceivedCommandTimes(DeleteAlarmsCommand, 1);
    expect(cloudwatchMock).toHaveReceivedCommandWith(DeleteAlarmsCommand, {
      AlarmNames: ['mesos-cluster-c-1-scale-out', 'mesos-cluster-c-1-scale-in'],
    });
  });

  it('deletes in batches of 100 alarms', async () => {
    // Prepare
    const alarms = Array.from({ length: 150 }, (_, i) => alarm(`a${i}`));
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: alarms });
    cloudwatchMock.on(DeleteAlarmsCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result.deleted).toHaveLength(150);
    expect(cloudwatchMock).toHaveReceivedCommandTimes(DeleteAlarmsCommand, 2);
    const batches = cloudwatchMock.commandCalls(DeleteAlarmsCommand).map((c) => c.args[0].input.AlarmNames?.length);
    expect(batches).toEqual([100, 50]);
  });

  it('deletes nothing when the cluster has no alarms left', async () => {
    // Prepare
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(cloudwatchMock).not.toHaveReceivedCommand(DeleteAlarmsCommand);
  });

  it('treats ResourceNotFound as already deleted and deletes the rest of the batch one by one', async () => {
    // Prepare
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('scale-out'), alarm('scale-in')] });
    cloudwatchMock
      .on(DeleteAlarmsCommand)
      .rejectsOnce(awsError('ResourceNotFound'))
      .resolvesOnce({})
      .rejectsOnce(awsError('ResourceNotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['mesos-cluster-c-1-scale-out'] });
    expect(cloudwatchMock).toHaveReceivedCommandTimes(DeleteAlarmsCommand, 3);
    expect(cloudwatchMock).toHaveReceivedNthSpecificCommandWith(2, DeleteAlarmsCommand, { AlarmNames: ['mesos-cluster-c-1-scale-out'] });
    expect(cloudwatchMock).toHaveReceivedNthSpecificCommandWith(3, DeleteAlarmsCommand, { AlarmNames: ['mesos-cluster-c-1-scale-in'] });
  });

  it('throws FatalError when CloudWatch refuses the delete', async () => {
    // Prepare
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [alarm('scale-out')] });
    cloudwatchMock.on(DeleteAlarmsCommand).rejects(awsError('AccessDenied', 'not authorized'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'FatalError', message: 'delete-alarms: AccessDenied: not authorized' });
  });
});
