/**
 * Named retry presets of the state machines. Each preset is a `RetryProps` for one error
 * name that the step functions throw (functions/shared/errors.ts) or that Lambda reports.
 * Values follow "Retry best practice" of docs/research/aws-faults-and-timings.md (d), after
 * https://docs.aws.amazon.com/step-functions/latest/dg/bp-lambda-serviceexception.html.
 *
 * `MaxAttempts` counts retries after the first attempt. No preset matches `States.ALL`:
 * an unnamed error is a bug or a fatal condition and goes straight to the Catch.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ERROR_NAMES } from '../functions/shared/errors';

/**
 * Lambda service errors. `LambdaInvoke` adds this retrier itself (`retryOnServiceExceptions`
 * defaults to true); it is listed here so that tests and readers see the whole policy.
 * Never add it a second time.
 */
export const LAMBDA_SERVICE_ERRORS: sfn.RetryProps = {
  errors: ['Lambda.ClientExecutionTimeoutException', 'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException'],
  interval: Duration.seconds(2),
  maxAttempts: 6,
  backoffRate: 2,
};

/** Lambda throttled the invocation (concurrency limit): back off hard, spread the retries. */
export const LAMBDA_THROTTLED: sfn.RetryProps = {
  errors: ['Lambda.TooManyRequestsException'],
  interval: Duration.seconds(5),
  backoffRate: 2,
  maxAttempts: 8,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * A step's invocation outlived its time: the function's own timeout (`Sandbox.Timedout`) or
 * the task's `TimeoutSeconds` (`States.Timeout`), for example when the SDK's retries of a
 * throttled EC2 API (RequestLimitExceeded) used up the function's 30 s. Every step is safe to
 * run twice, so it runs again, spread out so that throttled callers do not return together.
 * Out-of-memory and other unhandled errors (`Lambda.Unknown`) are bugs and are not retried.
 */
export const STEP_TIMED_OUT: sfn.RetryProps = {
  errors: [sfn.Errors.TIMEOUT, 'Sandbox.Timedout'],
  interval: Duration.seconds(10),
  backoffRate: 2,
  maxAttempts: 3,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * A transient AWS condition on the create path (eventual-consistency NotFound right after a
 * create, IAM propagation, throttling that outlived the SDK's own retries): ≈ 3–4 min budget.
 */
export const RETRYABLE_CREATE: sfn.RetryProps = {
  errors: [ERROR_NAMES.retryable],
  interval: Duration.seconds(3),
  backoffRate: 1.5,
  maxAttempts: 8,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/**
 * A transient condition on the delete path, mostly DependencyViolation / InUse while ENIs,
 * public addresses and snapshots drain: ≈ 10 min budget before jitter (5 + 7.5 + … capped at
 * 60 s), the window research (b) allows for EIP, IGW, SG, subnet and VPC deletes.
 */
export const RETRYABLE_TEARDOWN: sfn.RetryProps = {
  errors: [ERROR_NAMES.retryable],
  interval: Duration.seconds(5),
  backoffRate: 1.5,
  maxAttempts: 14,
  maxDelay: Duration.seconds(60),
  jitterStrategy: sfn.JitterType.FULL,
};

/** InsufficientInstanceCapacity: capacity often returns within a minute; try twice more, then fail. */
export const CAPACITY: sfn.RetryProps = {
  errors: [ERROR_NAMES.capacity],
  interval: Duration.seconds(30),
  maxAttempts: 2,
};

/**
 * A check found the resource still changing (for example an SSM invocation that does not
 * exist yet): re-ask soon. Longer waits belong to the poll loop, not to this retrier.
 */
export const NOT_READY: sfn.RetryProps = {
  errors: [ERROR_NAMES.notReady],
  interval: Duration.seconds(3),
  backoffRate: 1.3,
  maxAttempts: 8,
  jitterStrategy: sfn.JitterType.FULL,
};

/** The retry policy of a task, on top of LambdaInvoke's own service-error retrier. */
export type RetryPolicy = readonly sfn.RetryProps[];

/** A create step. */
export const CREATE_STEP_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, STEP_TIMED_OUT, RETRYABLE_CREATE];
/** A create step that launches instances. */
export const LAUNCH_STEP_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, STEP_TIMED_OUT, RETRYABLE_CREATE, CAPACITY];
/** A create-side check of a poll loop. */
export const CHECK_STEP_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, STEP_TIMED_OUT, RETRYABLE_CREATE, NOT_READY];
/**
 * The Lambda of a signal wait outlived its time (`Sandbox.Timedout`). Not States.Timeout:
 * that is the signal wait's own end, which the machine catches to check the command itself.
 */
export const SIGNAL_LAMBDA_TIMED_OUT: sfn.RetryProps = { ...STEP_TIMED_OUT, errors: ['Sandbox.Timedout'] };
/** The first half of a signal wait (a `.waitForTaskToken` task): everything a check retries but the task's own timeout. */
export const SIGNAL_STEP_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, SIGNAL_LAMBDA_TIMED_OUT, RETRYABLE_CREATE];
/** A teardown step. */
export const TEARDOWN_STEP_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, STEP_TIMED_OUT, RETRYABLE_TEARDOWN];
/** A teardown-side check of a poll loop. */
export const TEARDOWN_CHECK_RETRIES: RetryPolicy = [LAMBDA_THROTTLED, STEP_TIMED_OUT, RETRYABLE_TEARDOWN, NOT_READY];

/** Adds the retriers of a policy to a task, in order; throws if one would match States.ALL. */
export function applyRetries<T extends sfn.TaskStateBase>(task: T, policy: RetryPolicy): T {
  for (const retry of policy) {
    if (!retry.errors || retry.errors.length === 0 || retry.errors.includes(sfn.Errors.ALL)) {
      throw new Error(`${task.stateId}: a retrier must name its errors and never match ${sfn.Errors.ALL}`);
    }
    task.addRetry(retry);
  }
  return task;
}
