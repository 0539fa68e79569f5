/**
 * What starts the scale machine besides the API:
 *
 * - two EventBridge rules on CloudWatch "Alarm State Change" events of the clusters' scaling
 *   alarms (`mesos-cluster-<clusterId>-scale-out|in`, created by Create Scaling Alarms)
 *   entering ALARM; the target passes `{source: 'alarm', alarmName, direction}` (an input
 *   transformer cannot cut the cluster id out of the alarm name; Plan Scale does);
 * - EventBridge Scheduler: a schedule group and the role that lets its schedules start the
 *   scale machine, plus one schedule per entry of the `mesos-cluster:scheduledScaling`
 *   context (`{clusterId, targetSlaves | direction, source: 'schedule'}`).
 */
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
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
  private readonly machine: sfn.IStateMachine;

  constructor(scope: Construct, id: string, props: ScaleTriggersProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.machine = props.machine;

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
      }),
    });
    this.schedules.push(schedule);
    return schedule;
  }
}
