/**
 * Classification of AWS SDK errors after the SDK's own retries, following the fault
 * catalogue in docs/faults.md: what is retried, what is fatal, what means "already there"
 * or "already gone".
 */
import { CapacityError, FatalError, NAMED_ERRORS, RetryableError } from './errors';

/** The AWS error code of an SDK error (`name`), or undefined for non-AWS errors. */
export function awsErrorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; Code?: unknown; $metadata?: unknown };
  if (typeof e.Code === 'string') return e.Code;
  if (e.$metadata !== undefined && typeof e.name === 'string') return e.name;
  return undefined;
}

/** True when the error carries one of the given AWS error codes. */
export function hasCode(err: unknown, ...codes: string[]): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && codes.includes(code);
}

/** Codes meaning that a resource does not exist (or no longer exists). */
export const NOT_FOUND_CODES = [
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidRouteTableID.NotFound',
  'InvalidInternetGatewayID.NotFound',
  'InvalidAllocationID.NotFound',
  'InvalidAssociationID.NotFound',
  'NatGatewayNotFound',
  'InvalidNatGatewayID.NotFound',
  'InvalidInstanceID.NotFound',
  'InvalidAMIID.NotFound',
  'InvalidAMIID.Unavailable',
  'InvalidSnapshot.NotFound',
  'InvalidNetworkInterfaceID.NotFound',
  'InvocationDoesNotExist',
  'ResourceNotFound',
  'ResourceNotFoundException',
  'ParameterNotFound',
];

export function isNotFound(err: unknown): boolean {
  const code = awsErrorCode(err);
  return code !== undefined && (NOT_FOUND_CODES.includes(code) || code.endsWith('.NotFound'));
}

const RETRYABLE_CODES = [
  'RequestLimitExceeded',
  'Throttling',
  'ThrottlingException',
  'TooManyRequestsException',
  'EC2ThrottledException',
  'InternalError',
  'InternalFailure',
  'ServiceUnavailable',
  'Unavailable',
  'RequestTimeout',
  'RequestTimeoutException',
  'DependencyViolation',
  'IncorrectState',
  'IncorrectInstanceState',
  'InvalidIPAddress.InUse',
  'InvalidSnapshot.InUse',
  'InvalidGroup.InUse',
  'InvocationDoesNotExist',
  'InvalidInstanceId',
];

const CAPACITY_CODES = ['InsufficientInstanceCapacity', 'InsufficientCapacity'];

/**
 * Maps an error that the step did not handle itself to a named error: transient AWS
 * codes become RetryableError, capacity shortages CapacityError, everything else
 * (quotas, permissions, bad parameters, unknown errors) FatalError. Named errors pass
 * through. The AWS code is kept in the message so the failure reason names it.
 */
export function toStepError(err: unknown): Error {
  if (err instanceof Error && NAMED_ERRORS.has(err.name)) return err;
  const code = awsErrorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  const message = code ? `${code}: ${detail}` : detail;
  if (code && (RETRYABLE_CODES.includes(code) || code.endsWith('.NotFound'))) {
    return new RetryableError(message, { cause: err });
  }
  if (code && CAPACITY_CODES.includes(code)) return new CapacityError(message, { cause: err });
  return new FatalError(message, { cause: err });
}
