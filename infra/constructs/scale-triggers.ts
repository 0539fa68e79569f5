/**
 * What starts the scale machine besides the API:
 *
 * - two EventBridge rules on CloudWatch "Alarm State Change" events of the clusters' scaling
 *   alarms (`mesos-cluster-<clusterId>-scale-out|in`, created by Create Scaling Alarms)
 *   entering ALARM; the target passes `{source: 'alarm', alarmName, direction}` (an input
 *   transformer cannot cut the cluster id out of the alarm name; Plan Scale does);
 * - EventBridge Scheduler: a schedule group and the role that lets its schedules start the
 *   scale machine, plus one schedule per entry of the `mesos-cluster:scheduledScaling`
 *   context (`{clusterId, targetSlaves | direction, source: 'schedule'}`);
 * - a dead-letter queue (SQS, encrypted, TLS only, kept 14 days) for every start that
 *   EventBridge or the scheduler gave up on after its retries (3 attempts within an hour), and
 *   an alarm as soon as one message is in it, so that a failed start is never silently dropped
 *   (https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-rule-dlq.html).
 */
import { Duration, Stack, TimeZone, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { ScaleRequest } from '../../functions/shared/contracts';
import type { ScheduledScaling } from '../settings';

/** The name prefix of every cluster alarm (functions/shared/scaling.ts scalingAlarmName). */
export const CLUSTER_ALARM_PREFIX = 'mesos-cluster-';

export interface ScaleTriggersProps {
  readonly machine: sfn.IStateMachine;
  /** @default none */
  readonly schedules?: readonly ScheduledScaling[];
}

/** The alarm rules and the scheduler wiring of the scale machine. */
export class ScaleTriggers extends Construct {
  readonly alarmRules: Readonly<Record<'out' | 'in', events.Rule>>;
  readonly scheduleGroup: scheduler.ScheduleGroup;
  readonly schedulerRole: iam.Role;
  readonly schedules: scheduler.Schedule[] = [];
  /** Where the starts of the scale machine that failed after their retries go. */
  readonly deadLetterQueue: sqs.Queue;
  /** Fires when a start landed in the dead-letter queue. */
  readonly deadLetterAlarm: cloudwatch.Alarm;
  private readonly machine: sfn.IStateMachine;

  constructor(scope: Construct, id: string, props: ScaleTriggersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.machine = props.machine;

    this.deadLetterQueue = new sqs.Queue(this, 'StartDeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'This queue is itself the dead-letter queue of the alarm rules and schedules that start the scale machine',
    });
    this.deadLetterAlarm = new cloudwatch.Alarm(this, 'StartDeadLetterAlarm', {
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
        period: Duration.minutes(5),
        statistic: cloudwatch.Stats.MAXIMUM,
      }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      alarmDescription: 'A start of the scale machine (scaling alarm or schedule) failed after its retries: see the dead-letter queue',
    });

    const rule = (direction: 'out' | 'in') => {
      const alarmRule = new events.Rule(this, `ScaleAlarm${direction === 'out' ? 'Out' : 'In'}Rule`, {
        description: `Starts the scale machine (${direction}) when a cluster's scale-${direction} alarm enters ALARM`,
        eventPattern: {
          source: ['aws.cloudwatch'],
          detailType: ['CloudWatch Alarm State Change'],
          detail: {
            alarmName: events.Match.wildcard(`${CLUSTER_ALARM_PREFIX}*-scale-${direction}`),
            state: { value: ['ALARM'] },
          },
        },
      });
      alarmRule.addTarget(
        new targets.SfnStateMachine(props.machine, {
          input: events.RuleTargetInput.fromObject({
            source: 'alarm',
            alarmName: events.EventField.fromPath('$.detail.alarmName'),
            direction,
          }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
          deadLetterQueue: this.deadLetterQueue,
        })
      );
      return alarmRule;
    };
    this.alarmRules = { out: rule('out'), in: rule('in') };

    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', {
      scheduleGroupName: `${stack.stackName}-scaling`,
    });
    this.schedulerRole = new iam.Role(this, 'SchedulerRole', {
      description: "Lets the scaling schedules start this stack's scale machine",
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account } },
      }),
    });
    props.machine.grantStartExecution(this.schedulerRole);

    for (const entry of props.schedules ?? []) this.addSchedule(entry);
  }

  /** A schedule that starts the scale machine for one cluster. */
  addSchedule(entry: ScheduledScaling): scheduler.Schedule {
    const request: ScaleRequest = {
      clusterId: entry.clusterId,
      source: 'schedule',
      ...(entry.slaves !== undefined ? { targetSlaves: entry.slaves } : { direction: entry.direction }),
    };
    const schedule = new scheduler.Schedule(this, `Schedule-${entry.name}`, {
      description: `Scales cluster ${entry.clusterId} (${entry.slaves !== undefined ? `to ${entry.slaves} slaves` : `one step ${entry.direction}`})`,
      schedule: scheduler.ScheduleExpression.expression(entry.expression, entry.timezone ? TimeZone.of(entry.timezone) : undefined),
      scheduleGroup: this.scheduleGroup,
      target: new schedulerTargets.StepFunctionsStartExecution(this.machine, {
        input: scheduler.ScheduleTargetInput.fromObject(request),
        role: this.schedulerRole,
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
        deadLetterQueue: this.deadLetterQueue,
      }),
    });
    this.schedules.push(schedule);
    return schedule;
  }
}
