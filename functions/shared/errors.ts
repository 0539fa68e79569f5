/**
 * Named errors of the step functions. Step Functions matches Retry and Catch on the
 * error's `name` (Lambda reports it as `errorType`), so every class sets a string
 * literal: class names do not survive minification.
 */

/** The resource is still changing state; the state machine polls again. */
export class NotReadyError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotReadyError';
  }
}

/** A transient AWS condition (throttling, eventual consistency, DependencyViolation while draining). */
export class RetryableError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'RetryableError';
  }
}

/** EC2 has no capacity for the instance type in the zone (InsufficientInstanceCapacity). */
export class CapacityError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'CapacityError';
  }
}

/** A condition that retrying cannot fix: quota, permission, bad parameter, failed resource. */
export class FatalError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'FatalError';
  }
}

/** The cluster spec is invalid; `field` names the offending field. */
export class ValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = 'ValidationError';
    this.field = field;
  }
}

/** Another live cluster already uses the requested name. */
export class ConflictError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/** Error names that the state machines match on. */
export const ERROR_NAMES = {
  notReady: 'NotReadyError',
  retryable: 'RetryableError',
  capacity: 'CapacityError',
  fatal: 'FatalError',
  validation: 'ValidationError',
  conflict: 'ConflictError',
} as const;

/** Narrows an unknown caught value to an Error, wrapping anything else. */
export function assertIsError(err: unknown): asserts err is Error {
  if (!(err instanceof Error)) {
    throw new FatalError(`non-error value thrown: ${String(err)}`);
  }
}
