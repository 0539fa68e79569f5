/**
 * The failure path of the create machine:
 *
 *   Was Spec Validated? → Record Create Failure (or Record Rejected Spec: no name yet)
 *   → Keep Resources? → the teardown chain ('Roll Back …') unless the spec says
 *   keepOnFailure or was never validated → Fail `Create Failed`, whose cause is
 *   `<FAILURE_CODE>: <reason>`; a failed rollback ends in `Rollback Failed`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { FAILURE_CAUSE_PATH, recordFailureTask, unrecordedFailure } from '../record-failure';
import { buildTeardownChain } from '../teardown-cluster';
import { type CreatePhaseContext, SPEC } from './context';

/** Prefix of the rollback states (the teardown chain embedded in the create machine). */
export const ROLLBACK_PREFIX = 'Roll Back ';

export interface FailurePhase {
  /** Was Spec Validated?: where every caught error (in `$.error`) goes. */
  readonly handler: sfn.Choice;
}

export function failurePhase(ctx: CreatePhaseContext): FailurePhase {
  const { scope, functions, cluster } = ctx;
  const createFailed = new sfn.Fail(scope, 'Create Failed', { error: 'CREATE_FAILED', causePath: FAILURE_CAUSE_PATH });
  const rollbackFailed = new sfn.Fail(scope, 'Rollback Failed', { error: 'ROLLBACK_FAILED', causePath: FAILURE_CAUSE_PATH });

  const rollback = buildTeardownChain(scope, ROLLBACK_PREFIX, functions, { cluster });
  rollback.chain.next(createFailed);
  rollback.addCatch(rollbackFailed, { errors: [sfn.Errors.ALL], resultPath: '$.rollbackError' });

  // A spec that never validated created nothing; keepOnFailure (a validated spec always
  // has it, but a missing path must not break the failure path) keeps the resources for
  // inspection. Rules are tried in order, so no rule reads a path an earlier rule ruled out.
  const keepResources = new sfn.Choice(scope, 'Keep Resources?')
    .when(sfn.Condition.not(sfn.Condition.isPresent('$.validated')), createFailed)
    .when(sfn.Condition.not(sfn.Condition.isPresent(`${SPEC}.keepOnFailure`)), rollback.chain)
    .when(sfn.Condition.booleanEquals(`${SPEC}.keepOnFailure`, true), createFailed)
    .otherwise(rollback.chain);

  const unrecorded = unrecordedFailure(scope, 'Note Unrecorded Create Failure', 'CREATE_FAILED').next(keepResources);
  const recordFailure = recordFailureTask(scope, 'Record Create Failure', {
    fn: functions['record-failure'],
    cluster,
    status: 'CREATE_FAILED',
  });
  // Without a valid spec there is no cluster name: the cluster is known by its id.
  const recordRejected = recordFailureTask(scope, 'Record Rejected Spec', {
    fn: functions['record-failure'],
    cluster: { clusterId: cluster.clusterId, clusterName: cluster.clusterId },
    status: 'CREATE_FAILED',
  });
  for (const record of [recordFailure, recordRejected]) {
    record.addCatch(unrecorded, { errors: [sfn.Errors.ALL], resultPath: '$.recordError' });
    record.next(keepResources);
  }
  const handler = new sfn.Choice(scope, 'Was Spec Validated?')
    .when(sfn.Condition.isPresent('$.validated'), recordFailure)
    .otherwise(recordRejected);
  return { handler };
}
