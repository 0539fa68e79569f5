import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { awsErrorCode, isNotFound } from '../shared/aws-errors';
import type { CaughtError, RecordFailureInput, RecordFailureOutput } from '../shared/contracts';
import { RetryableError } from '../shared/errors';
import { logger } from '../shared/logger';
import { findClusterVpcIds } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_FAILURE_CODE, TAG_STATUS } from '../shared/tags';

/** The longest failure reason kept (the full error stays in the execution history). */
export const MAX_FAILURE_REASON = 1000;

/** A step id as invokeStep puts it in front of every message: kebab case, at least one hyphen. */
const STEP_PREFIX = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)+): /;

/** The message inside a Catch's Cause: Lambda's JSON `{errorType, errorMessage, trace}` or plain text. */
function causeMessage(cause: string | undefined): string {
  if (!cause) return '';
  try {
    const parsed: unknown = JSON.parse(cause);
    if (typeof parsed === 'object' && parsed !== null) {
      const { errorMessage } = parsed as { errorMessage?: unknown };
      if (typeof errorMessage === 'string') return errorMessage.trim();
    }
  } catch {
    // Not JSON: States.* errors carry a plain-text cause.
  }
  return cause.trim();
}

/**
 * Turns the error a Catch recorded into the cluster's failure code and reason: the code
 * names the step that failed (`CREATE_NAT_GATEWAY_FAILED`), or is `TIMED_OUT` for
 * States.Timeout and `WORKFLOW_FAILED` for errors that no step raised (Lambda.Unknown,
 * States.TaskFailed, ...). The reason is `<errorType>: <message>`, at most 1000 characters.
 */
export function describeFailure(error: CaughtError): RecordFailureOutput {
  const errorType = error?.Error || 'UnknownError';
  const message = causeMessage(error?.Cause);
  const step = STEP_PREFIX.exec(message)?.[1];
  let failureCode: string;
  if (step) failureCode = `${step.toUpperCase().replace(/-/g, '_')}_FAILED`;
  else if (errorType === 'States.Timeout') failureCode = 'TIMED_OUT';
  else failureCode = 'WORKFLOW_FAILED';
  const reason = message ? `${errorType}: ${message}` : errorType;
  return { failureCode, failureReason: reason.slice(0, MAX_FAILURE_REASON) };
}

/**
 * Record Failure: works out the failure code and reason and, when the cluster's VPC
 * exists, tags it with the failed status and the code. Recording a failure must not
 * fail itself: tagging errors are logged and the result is returned regardless, except
 * a NotFound from tagging a VPC that the tag filter just listed. That is eventual
 * consistency (a failure moments after Create VPC): it is thrown as RetryableError so
 * that the state machine's retry tags the VPC, which otherwise keeps no failed status.
 */
export const recordFailureStep = defineStep(
  'record-failure',
  async (input: RecordFailureInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<RecordFailureOutput> => {
    const failure = describeFailure(input.error);
    try {
      const vpcIds = await findClusterVpcIds(ec2, input.clusterId);
      if (vpcIds.length > 0) {
        await ec2.send(
          new CreateTagsCommand({
            Resources: vpcIds,
            Tags: [
              { Key: TAG_STATUS, Value: input.status },
              { Key: TAG_FAILURE_CODE, Value: failure.failureCode },
            ],
          })
        );
      }
    } catch (error) {
      if (isNotFound(error)) {
        throw new RetryableError(`the cluster VPC is not visible by id yet (${awsErrorCode(error)}); retry tags it`, { cause: error });
      }
      logger.warn('could not tag the cluster VPC with its failure', { error, failureCode: failure.failureCode });
    }
    return failure;
  }
);
