/**
 * The planning phase of the scale machine:
 *
 *   Read Scale Request → Plan Scale → Is A Scale Needed?
 *     no:  Wait For The Cooldown? (an alarm scale that came within the cooldown)
 *            yes: Wait Out The Remaining Cooldown → Count Scale Rounds → Plan Scale …
 *            no:  No Scale Needed
 *     yes: Wait For Lease To Settle → Check Scale Lease → Which Way To Scale?
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { applyRetries, CREATE_STEP_RETRIES } from '../retry';
import { STEP_TASK_TIMEOUT } from '../timings';
import { J, PLAN, type ScalePhaseContext } from './context';
import { LEASE_SETTLE, MAX_ALARM_ROUNDS } from './timings';

export interface PlanPhase {
  /** Read Scale Request → Plan Scale; `decide` adds what follows. */
  readonly chain: sfn.Chain;
  readonly plan: tasks.LambdaInvoke;
  readonly checkLease: tasks.LambdaInvoke;
}

export function planPhase(ctx: ScalePhaseContext): PlanPhase {
  const { scope, functions, step } = ctx;
  // The input fields are optional (an alarm gives only its name): they are passed on as a
  // whole, with the lease owner (this execution) merged in.
  const readRequest = new sfn.Pass(scope, 'Read Scale Request', {
    parameters: { request: J.objectAt('$'), lease: { executionId: J.executionId }, round: { count: 1 } },
  });
  const plan = applyRetries(
    new tasks.LambdaInvoke(scope, 'Plan Scale', {
      lambdaFunction: functions['plan-scale'],
      payload: sfn.TaskInput.fromJsonPathAt(J.jsonMerge(J.objectAt('$.request'), J.objectAt('$.lease'))),
      // The plan's fields depend on its action (launch only for out): kept whole, it is small.
      resultSelector: { plan: J.objectAt('$.Payload') },
      resultPath: '$.scale',
      taskTimeout: sfn.Timeout.duration(STEP_TASK_TIMEOUT),
    }),
    CREATE_STEP_RETRIES
  );
  const checkLease = step('Check Scale Lease', {
    step: 'check-scale-lease',
    payload: {},
    result: { held: '$.Payload.held' },
    resultPath: '$.leaseCheck',
  });
  return { chain: sfn.Chain.start(readRequest).next(plan), plan, checkLease };
}

export interface DecideProps {
  readonly checkLease: tasks.LambdaInvoke;
  /** The scale-out branch. */
  readonly scaleOut: sfn.IChainable;
  /** The scale-in branch. */
  readonly scaleIn: sfn.IChainable;
  /** Count Scale Rounds: where a plan made within the cooldown waits its end and plans again. */
  readonly replan: sfn.IChainable;
}

/** Is A Scale Needed? and what follows each answer. */
export function decide(ctx: ScalePhaseContext, props: DecideProps): sfn.Choice {
  const { scope } = ctx;
  const which = new sfn.Choice(scope, 'Which Way To Scale?')
    .when(sfn.Condition.stringEquals(`${PLAN}.action`, 'in'), props.scaleIn)
    .otherwise(props.scaleOut);
  const waitRemaining = new sfn.Wait(scope, 'Wait Out The Remaining Cooldown', {
    time: sfn.WaitTime.secondsPath(`${PLAN}.retryAfterSeconds`),
  });
  waitRemaining.next(props.replan);
  const inCooldown = new sfn.Choice(scope, 'Wait For The Cooldown?')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.request.source', 'alarm'),
        sfn.Condition.isPresent(`${PLAN}.retryAfterSeconds`),
        sfn.Condition.numberLessThan('$.round.count', MAX_ALARM_ROUNDS)
      ),
      waitRemaining
    )
    .otherwise(new sfn.Succeed(scope, 'No Scale Needed'));
  return new sfn.Choice(scope, 'Is A Scale Needed?').when(sfn.Condition.stringEquals(`${PLAN}.action`, 'none'), inCooldown).otherwise(
    sfn.Chain.start(new sfn.Wait(scope, 'Wait For Lease To Settle', { time: sfn.WaitTime.duration(LEASE_SETTLE) }))
      .next(props.checkLease)
      .next(which)
  );
}
