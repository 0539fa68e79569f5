/**
 * The first states of a failure path: Record Failure writes the cluster's failed status
 * and turns the caught error into a failure code and reason; its result also carries the
 * cause that the final Fail state reports (`CREATE_NAT_GATEWAY_FAILED: <reason>`).
 */
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import type { RecordFailureInput } from '../functions/shared/contracts';
import { CREATE_STEP_RETRIES } from './retry';
import { type ClusterPaths, stepTask } from './step-task';

/** Where the failure (code, reason, cause) is written. */
export const FAILURE_PATH = '$.failure';
/** Where a Catch writes the caught error. */
export const ERROR_PATH = '$.error';
/** The JSONPath of the cause that the Fail states report. */
export const FAILURE_CAUSE_PATH = `${FAILURE_PATH}.cause`;

export interface RecordFailureProps {
  readonly fn: lambda.IFunction;
  readonly cluster: ClusterPaths;
  readonly status: RecordFailureInput['status'];
}

/** A record-failure task: payload {clusterId, clusterName, executionId, error, status}, result → $.failure. */
export function recordFailureTask(scope: Construct, stateName: string, props: RecordFailureProps): tasks.LambdaInvoke {
  return stepTask(scope, stateName, {
    fn: props.fn,
    cluster: props.cluster,
    payload: { error: sfn.JsonPath.objectAt(ERROR_PATH), status: props.status },
    result: {
      failureCode: '$.Payload.failureCode',
      failureReason: '$.Payload.failureReason',
      // ResultSelector accepts intrinsic functions: the Fail state then reads one ready string.
      cause: sfn.JsonPath.format(
        '{}: {}',
        sfn.JsonPath.stringAt('$.Payload.failureCode'),
        sfn.JsonPath.stringAt('$.Payload.failureReason')
      ),
    },
    resultPath: FAILURE_PATH,
    retries: CREATE_STEP_RETRIES,
  });
}

/** Appended to the error name when the failure could not be recorded (plain text: no intrinsic escapes needed). */
const UNRECORDED = ' - the failure could not be recorded, see the execution history';

/**
 * A Pass that stands in for Record Failure when that step itself failed: the failure
 * keeps the status as its code and the caught error's name as its reason.
 */
export function unrecordedFailure(scope: Construct, stateName: string, status: RecordFailureInput['status']): sfn.Pass {
  return new sfn.Pass(scope, stateName, {
    parameters: {
      failureCode: status,
      failureReason: sfn.JsonPath.format(`{}${UNRECORDED}`, sfn.JsonPath.stringAt(`${ERROR_PATH}.Error`)),
      cause: sfn.JsonPath.format(`${status}: {}${UNRECORDED}`, sfn.JsonPath.stringAt(`${ERROR_PATH}.Error`)),
    },
    resultPath: FAILURE_PATH,
  });
}
