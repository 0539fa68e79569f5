/**
 * The last phase of the create machine: Create Scaling Alarms → Mark Cluster Ready →
 * Cluster Ready. The scaling alarms and settings go last: no alarm may start a scale of a
 * cluster that is not complete (Plan Scale refuses anything but CREATE_COMPLETE anyway).
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { type CatchableState, type CreatePhaseContext, J, SPEC } from './context';

export interface ReadyPhase {
  /** Create Scaling Alarms. */
  readonly start: tasks.LambdaInvoke;
  /** Its steps, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function readyPhase(ctx: CreatePhaseContext): ReadyPhase {
  const { scope, step } = ctx;
  const markReady = step('Mark Cluster Ready', {
    step: 'mark-ready',
    payload: { vpcId: J.stringAt('$.vpc.vpcId') },
    result: { status: '$.Payload.status' },
    resultPath: '$.ready',
  });
  markReady.next(new sfn.Succeed(scope, 'Cluster Ready'));
  const createAlarms = step('Create Scaling Alarms', {
    step: 'create-scaling-alarms',
    payload: {
      vpcId: J.stringAt('$.vpc.vpcId'),
      autoscaling: J.objectAt(`${SPEC}.autoscaling`),
      slaveInstanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      slaves: J.numberAt(`${SPEC}.slaves`),
    },
    result: { alarmNames: '$.Payload.alarmNames' },
    resultPath: '$.scalingAlarms',
  });
  createAlarms.next(markReady);
  return { start: createAlarms, catchable: [createAlarms, markReady] };
}
