/**
 * Named errors of the step functions. Step Functions matches Retry and Catch on the
 * error's `name` (Lambda reports it as `errorType`), so every class sets its name from
 * ERROR_NAMES, a string constant: class names do not survive minification.
 */

/**
 * The wire name of every named error: what Lambda reports as `errorType` and what the state
 * machines' Retry and Catch lists, the CLI and the failure mapping match on. The classes
 * below take their `name` from here, so each name is written once.
 */
export const ERROR_NAMES = {
  notReady: 'NotReadyError',
  retryable: 'RetryableError',
  capacity: 'CapacityError',
  fatal: 'FatalError',
  validation: 'ValidationError',
  conflict: 'ConflictError',
  configuration: 'ConfigurationError',
} as const;

/** One of the named errors' wire names. */
export type ErrorName = (typeof ERROR_NAMES)[keyof typeof ERROR_NAMES];

/** Every named error's wire name. */
export const NAMED_ERRORS: ReadonlySet<string> = new Set<string>(Object.values(ERROR_NAMES));

/** Whether a caught value is an Error with one of the given names. */
export function hasErrorName(err: unknown, ...names: ErrorName[]): err is Error {
  return err instanceof Error && (names as string[]).includes(err.name);
}

/** The resource is still changing state; the state machine polls again. */
export class NotReadyError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.notReady;
  }
}

/** A transient AWS condition (throttling, eventual consistency, DependencyViolation while draining). */
export class RetryableError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.retryable;
  }
}

/** EC2 has no capacity for the instance type in the zone (InsufficientInstanceCapacity). */
export class CapacityError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.capacity;
  }
}

/** A condition that retrying cannot fix: quota, permission, bad parameter, failed resource. */
export class FatalError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.fatal;
  }
}

/** The cluster spec is invalid; `field` names the offending field. */
export class ValidationError extends Error {
  readonly field: string;
  constructor(field: string, message: string, options?: ErrorOptions) {
    super(`${field}: ${message}`, options);
    this.name = ERROR_NAMES.validation;
    this.field = field;
  }
}

/** Another live cluster already uses the requested name. */
export class ConflictError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.conflict;
  }
}

/** A setting the process needs is missing or malformed (an environment variable the stack sets). */
export class ConfigurationError extends Error {
  constructor(message?: string, options?: ErrorOptions) {
    super(message, options);
    this.name = ERROR_NAMES.configuration;
  }
}

/** Narrows an unknown caught value to an Error, wrapping anything else. */
export function assertIsError(err: unknown): asserts err is Error {
  if (!(err instanceof Error)) {
    throw new FatalError(`non-error value thrown: ${String(err)}`);
  }
}
