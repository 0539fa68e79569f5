/**
 * The record phase of the scale machine: Record Scale (gives the lease back, starts the
 * cooldown) → Keep Following The Alarm?
 *   alarm scale, rounds left: Wait Out The Cooldown → Count Scale Rounds → Plan Scale …
 *   otherwise: Cluster Scaled
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { J, PLAN, type ScalePhaseContext } from './context';
import { MAX_ALARM_ROUNDS } from './timings';

export interface RecordPhaseProps {
  /** Plan Scale: the next round starts there. */
  readonly plan: sfn.IChainable;
}

export interface RecordPhase {
  readonly recordScale: tasks.LambdaInvoke;
  /** Count Scale Rounds → Plan Scale. */
  readonly countRounds: sfn.Pass;
}

export function recordPhase(ctx: ScalePhaseContext, props: RecordPhaseProps): RecordPhase {
  const { scope, step } = ctx;
  const recordScale = step('Record Scale', {
    step: 'record-scale',
    payload: { outcome: 'succeeded', target: J.numberAt(`${PLAN}.target`) },
    result: { recorded: '$.Payload.recorded', status: '$.Payload.status' },
    resultPath: '$.recorded',
  });
  const countRounds = new sfn.Pass(scope, 'Count Scale Rounds', {
    parameters: { count: J.mathAdd(J.numberAt('$.round.count'), 1) },
    resultPath: '$.round',
  });
  const waitCooldown = new sfn.Wait(scope, 'Wait Out The Cooldown', { time: sfn.WaitTime.secondsPath(`${PLAN}.cooldownSeconds`) });
  waitCooldown.next(countRounds).next(props.plan);
  recordScale.next(
    new sfn.Choice(scope, 'Keep Following The Alarm?')
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.request.source', 'alarm'),
          sfn.Condition.numberLessThan('$.round.count', MAX_ALARM_ROUNDS)
        ),
        waitCooldown
      )
      .otherwise(new sfn.Succeed(scope, 'Cluster Scaled'))
  );
  return { recordScale, countRounds };
}
