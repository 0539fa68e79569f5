/**
 * Create Scaling Alarms: the last step of a create. Puts the cluster's scale-out and
 * scale-in alarms on the Mesos allocation that the leading master publishes every minute,
 * and records the scaling settings on the VPC, where Plan Scale reads them.
 *
 * The alarms have no actions: EventBridge receives every alarm state change and starts
 * the scale machine. PutMetricAlarm and CreateTags overwrite, so a re-run converges.
 */
import { type ComparisonOperator, PutMetricAlarmCommand, type Tag } from '@aws-sdk/client-cloudwatch';
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { AutoscalingSpec } from '../shared/cluster-spec-rules';
import type { CreateScalingAlarmsInput, CreateScalingAlarmsOutput, ScaleDirection } from '../shared/contracts';
import { CLUSTER_METRICS } from '../shared/documents';
import { FatalError } from '../shared/errors';
import { assertClusterNotDeleting } from '../shared/network';
import { formatAutoscalingTag, scalingAlarmName } from '../shared/scaling';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_AUTOSCALING, TAG_ID, TAG_NAME, TAG_ROLE, TAG_SLAVE_INSTANCE_TYPE, TAG_SLAVES } from '../shared/tags';

/** One datapoint a minute: the leading master publishes every minute. */
export const ALARM_PERIOD_SECONDS = 60;
/** Scale out after 3 minutes above the threshold: quick, a short burst does not count. */
export const SCALE_OUT_PERIODS = 3;
/** Scale in after 10 minutes below the threshold: slow, removing slaves costs task restarts. */
export const SCALE_IN_PERIODS = 10;

/** The alarm of one direction, as PutMetricAlarm takes it. */
export function scalingAlarm(input: CreateScalingAlarmsInput, direction: ScaleDirection): PutMetricAlarmCommand {
  const { autoscaling: a } = input;
  const out = direction === 'out';
  const periods = out ? SCALE_OUT_PERIODS : SCALE_IN_PERIODS;
  const threshold = out ? a.scaleOutAbovePercent : a.scaleInBelowPercent;
  const comparison: ComparisonOperator = out ? 'GreaterThanThreshold' : 'LessThanThreshold';
  const tags: Tag[] = [
    { Key: TAG_ID, Value: input.clusterId },
    { Key: TAG_NAME, Value: input.clusterName },
    { Key: TAG_ROLE, Value: `scale-${direction}-alarm` },
  ];
  return new PutMetricAlarmCommand({
    AlarmName: scalingAlarmName(input.clusterId, direction),
    AlarmDescription:
      `Scale ${direction} Mesos cluster ${input.clusterName} (${input.clusterId}): allocation ` +
      `${out ? 'above' : 'below'} ${threshold}% for ${periods} minutes; ${bounds(a)}`,
    Namespace: CLUSTER_METRICS.namespace,
    MetricName: CLUSTER_METRICS.allocation,
    Dimensions: [{ Name: CLUSTER_METRICS.dimension, Value: input.clusterId }],
    Statistic: 'Average',
    Unit: 'Percent',
    Period: ALARM_PERIOD_SECONDS,
    EvaluationPeriods: periods,
    DatapointsToAlarm: periods,
    Threshold: threshold,
    ComparisonOperator: comparison,
    // No datapoints (no leading master, publisher stopped) must neither add nor remove slaves.
    TreatMissingData: 'notBreaching',
    ActionsEnabled: true,
    Tags: tags,
  });
}

function bounds(a: AutoscalingSpec): string {
  return `${a.minSlaves} to ${a.maxSlaves} slaves, step ${a.step}, cooldown ${a.cooldownSeconds}s`;
}

/** Puts both scaling alarms and tags the VPC with the scaling settings. */
export const createScalingAlarmsStep = defineStep(
  'create-scaling-alarms',
  async (
    input: CreateScalingAlarmsInput,
    { cloudwatch, ec2 }: Pick<StepClients, 'cloudwatch' | 'ec2'>
  ): Promise<CreateScalingAlarmsOutput> => {
    await assertClusterNotDeleting(ec2, input.clusterId, 'create-scaling-alarms');
    const tags = [
      { Key: TAG_AUTOSCALING, Value: formatAutoscalingTag(input.autoscaling) },
      { Key: TAG_SLAVE_INSTANCE_TYPE, Value: input.slaveInstanceType },
    ];
    if (input.slaves !== undefined) tags.push({ Key: TAG_SLAVES, Value: String(input.slaves) });
    await ec2.send(new CreateTagsCommand({ Resources: [input.vpcId], Tags: tags }));

    const alarmNames: string[] = [];
    for (const direction of ['out', 'in'] as const) {
      const command = scalingAlarm(input, direction);
      try {
        await cloudwatch.send(command);
      } catch (err) {
        if (hasCode(err, 'LimitExceeded', 'LimitExceededException')) {
          throw new FatalError(`LimitExceeded: the account's CloudWatch alarm quota is reached: ${(err as Error).message}`, { cause: err });
        }
        throw err;
      }
      alarmNames.push(command.input.AlarmName ?? '');
    }
    return { alarmNames };
  }
);
