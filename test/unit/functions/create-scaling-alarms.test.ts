import { CloudWatchClient, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { CreateTagsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createScalingAlarmsStep } from '../../../functions/create-scaling-alarms/create-scaling-alarms';
import type { CreateScalingAlarmsInput } from '../../../functions/shared/contracts';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';
import { clusterVpc, vpcFilters } from './deleting-vpc';

const ec2Mock = mockClient(EC2Client);
const cloudwatchMock = mockClient(CloudWatchClient);
const clients = { ec2: new EC2Client({}), cloudwatch: new CloudWatchClient({}) };

const input: CreateScalingAlarmsInput = {
  clusterId: 'c-1234',
  clusterName: 'demo',
  vpcId: 'vpc-1',
  slaveInstanceType: 't3.large',
  slaves: 2,
  autoscaling: { minSlaves: 1, maxSlaves: 6, scaleOutAbovePercent: 80, scaleInBelowPercent: 20, step: 2, cooldownSeconds: 300 },
};

describe('create-scaling-alarms', () => {
  beforeEach(() => {
    ec2Mock.reset();
    cloudwatchMock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
    cloudwatchMock.on(PutMetricAlarmCommand).resolves({});
  });

  it('puts a scale-out alarm on 3 minutes above the threshold and a scale-in alarm on 10 minutes below', async () => {
    // Act
    const result = await invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    expect(result).toEqual({ alarmNames: ['mesos-cluster-c-1234-scale-out', 'mesos-cluster-c-1234-scale-in'] });
    const metric = {
      Namespace: 'MesosCluster',
      MetricName: 'AllocationPercent',
      Dimensions: [{ Name: 'ClusterId', Value: 'c-1234' }],
      Statistic: 'Average',
      Period: 60,
      TreatMissingData: 'notBreaching',
    };
    expect(cloudwatchMock).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      ...metric,
      AlarmName: 'mesos-cluster-c-1234-scale-out',
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 80,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 3,
      Tags: expect.arrayContaining([
        { Key: 'mesos-cluster:id', Value: 'c-1234' },
        { Key: 'mesos-cluster:role', Value: 'scale-out-alarm' },
      ]),
    });
    expect(cloudwatchMock).toHaveReceivedCommandWith(PutMetricAlarmCommand, {
      ...metric,
      AlarmName: 'mesos-cluster-c-1234-scale-in',
      ComparisonOperator: 'LessThanThreshold',
      Threshold: 20,
      EvaluationPeriods: 10,
      DatapointsToAlarm: 10,
    });
    const sent = cloudwatchMock.commandCalls(PutMetricAlarmCommand)[0]?.args[0].input;
    expect(sent?.AlarmActions).toBeUndefined();
  });

  it('records the scaling settings, the slave instance type and the slave count on the VPC', async () => {
    // Act
    await invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [
        { Key: 'mesos-cluster:autoscaling', Value: 'min=1,max=6,out=80,in=20,step=2,cooldown=300' },
        { Key: 'mesos-cluster:slave-instance-type', Value: 't3.large' },
        { Key: 'mesos-cluster:slaves', Value: '2' },
      ],
    });
  });

  it('overwrites the same alarms when it runs again', async () => {
    // Act
    const first = await invokeStep(createScalingAlarmsStep, input, clients);
    const second = await invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    expect(second).toEqual(first);
    const names = cloudwatchMock.commandCalls(PutMetricAlarmCommand).map((c) => c.args[0].input.AlarmName);
    expect(new Set(names)).toEqual(new Set(first.alarmNames));
    expect(cloudwatchMock).toHaveReceivedCommandTimes(PutMetricAlarmCommand, 4);
  });

  it('throws FatalError when the alarm quota is reached', async () => {
    // Prepare
    cloudwatchMock.on(PutMetricAlarmCommand).rejects(awsError('LimitExceeded', 'The maximum number of alarms has been reached'));
    // Act
    const run = invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(/^create-scaling-alarms: LimitExceeded: /),
    });
  });

  it('throws RetryableError when CloudWatch throttles', async () => {
    // Prepare
    cloudwatchMock.on(PutMetricAlarmCommand).rejects(awsError('Throttling'));
    // Act
    const run = invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('throws FatalError and puts no alarm when the cluster is being deleted (DELETE_IN_PROGRESS)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1234'));
    // Act
    const run = invokeStep(createScalingAlarmsStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: 'create-scaling-alarms: cluster c-1234 is being deleted (DELETE_IN_PROGRESS); create-scaling-alarms refused',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: vpcFilters('c-1234') });
    expect(cloudwatchMock).not.toHaveReceivedCommand(PutMetricAlarmCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });
});
