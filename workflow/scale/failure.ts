/**
 * The refusal and failure paths of the scale machine.
 *
 * Refusals (ValidationError, ConflictError from Plan Scale or Check Scale Lease) end in
 * `Scale Refused` with the step's message, except an alarm scale that finds another scale
 * running or a teardown begun: that one ends quietly in `Scale Skipped`. Any other
 * failure: Record Scale Failure (releases the lease, names the failed step) → `Scale
 * Failed`, whose cause is `<FAILURE_CODE>: <reason>`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ERROR_NAMES } from '../../functions/shared/errors';
import { ERROR_PATH, FAILURE_CAUSE_PATH, FAILURE_PATH } from '../record-failure';
import { J, type OnPollTimeout, PLAN, type ScalePhaseContext } from './context';

/** The error of `Scale Refused`, the end of a refused request (bad target, cluster busy or not complete). */
export const SCALE_REFUSED_ERROR = 'SCALE_REFUSED';
/** The error of `Scale Failed`. */
export const SCALE_FAILED_ERROR = 'SCALE_FAILED';

/** Appended to a failure that could not be recorded (plain text: no intrinsic escapes). */
const UNRECORDED = ' - the failure could not be recorded and the scale lease may still be held, see the execution history';

export interface FailurePhase {
  /** Record Scale Failure: where a failure after the plan goes (its error in `$.error`). */
  readonly recordFailure: tasks.LambdaInvoke;
  /** Was A Scale Planned?: where a failure of Plan Scale goes. */
  readonly wasPlanned: sfn.Choice;
  /** Read Refusal: where a refusal (ValidationError, ConflictError) goes. */
  readonly readRefusal: sfn.Pass;
  /** A poll loop at its bound records the timeout as the caught error and fails the scale. */
  readonly failOnTimeout: OnPollTimeout;
}

export function failurePhase(ctx: ScalePhaseContext): FailurePhase {
  const { scope, step } = ctx;
  const scaleFailed = new sfn.Fail(scope, 'Scale Failed', { error: SCALE_FAILED_ERROR, causePath: FAILURE_CAUSE_PATH });
  const recordFailure = step('Record Scale Failure', {
    step: 'record-scale',
    payload: { outcome: 'failed', error: J.objectAt(ERROR_PATH) },
    result: {
      failureCode: '$.Payload.failureCode',
      failureReason: '$.Payload.failureReason',
      cause: J.format('{}: {}', J.stringAt('$.Payload.failureCode'), J.stringAt('$.Payload.failureReason')),
    },
    resultPath: FAILURE_PATH,
  });
  const unrecorded = new sfn.Pass(scope, 'Note Unrecorded Scale Failure', {
    parameters: {
      failureCode: SCALE_FAILED_ERROR,
      failureReason: J.format(`{}${UNRECORDED}`, J.stringAt(`${ERROR_PATH}.Error`)),
      cause: J.format(`${SCALE_FAILED_ERROR}: {}${UNRECORDED}`, J.stringAt(`${ERROR_PATH}.Error`)),
    },
    resultPath: FAILURE_PATH,
  });
  recordFailure.addCatch(unrecorded.next(scaleFailed), { errors: [sfn.Errors.ALL], resultPath: '$.recordError' });
  recordFailure.next(scaleFailed);

  // Plan Scale failed before it knew the cluster (an alarm names it only by its alarm): no
  // lease was taken, nothing to record; the cause keeps the caught error as it is.
  const planningFailed = new sfn.Pass(scope, 'Note Planning Failure', {
    parameters: {
      failureCode: 'PLAN_SCALE_FAILED',
      failureReason: J.format('{}: {}', J.stringAt(`${ERROR_PATH}.Error`), J.stringAt(`${ERROR_PATH}.Cause`)),
      cause: J.format('PLAN_SCALE_FAILED: {}: {}', J.stringAt(`${ERROR_PATH}.Error`), J.stringAt(`${ERROR_PATH}.Cause`)),
    },
    resultPath: FAILURE_PATH,
  }).next(scaleFailed);
  const wasPlanned = new sfn.Choice(scope, 'Was A Scale Planned?')
    .when(sfn.Condition.isPresent(PLAN), recordFailure)
    .otherwise(planningFailed);

  // ValidationError and ConflictError come from our steps: their cause is Lambda's JSON error.
  const readRefusal = new sfn.Pass(scope, 'Read Refusal', {
    parameters: { reason: J.stringToJson(J.stringAt(`${ERROR_PATH}.Cause`)) },
    resultPath: '$.refusal',
  });
  const refused = new sfn.Fail(scope, 'Scale Refused', { error: SCALE_REFUSED_ERROR, causePath: '$.refusal.reason.errorMessage' });
  // Rules are tried in order: no rule reads a path an earlier rule ruled out.
  readRefusal.next(
    new sfn.Choice(scope, 'Should The Alarm Scale Stop Quietly?')
      .when(sfn.Condition.not(sfn.Condition.isPresent('$.request.source')), refused)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.request.source', 'alarm'),
          sfn.Condition.stringEquals(`${ERROR_PATH}.Error`, ERROR_NAMES.conflict)
        ),
        new sfn.Succeed(scope, 'Scale Skipped')
      )
      .otherwise(refused)
  );
  const failOnTimeout = (s: Construct, stateName: string, error: string, cause: string) =>
    new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(recordFailure);
  return { recordFailure, wasPlanned, readRefusal, failOnTimeout };
}
