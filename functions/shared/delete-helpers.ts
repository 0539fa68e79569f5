/**
 * The small helpers the teardown steps share, whatever the service: deleting each found
 * resource with "already gone" as success and dependency errors as "not yet", batching,
 * and narrowing optional SDK ids. No SDK client of its own.
 */
import { awsErrorCode, hasCode } from './aws-errors';
import { ERROR_NAMES, hasErrorName, RetryableError } from './errors';

/** Narrows away undefined, for `.filter(isString)` on optional SDK ids. */
export function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

/** Splits a list into chunks of at most `size` (the per-call limit of a batch API). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Awaits a call whose failure with one of `codes` means "already done" (already gone,
 * already detached). Resolves true when the call succeeded, false for such a code;
 * rethrows anything else.
 */
export async function unlessGone(call: Promise<unknown>, ...codes: string[]): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (err) {
    if (hasCode(err, ...codes)) return false;
    throw err;
  }
}

/** How `deleteEach` reads the errors of one delete. */
export interface DeleteEachOptions {
  /** The resources, in plural, for the error message: `security groups`. */
  readonly what: string;
  /** Codes meaning the resource is already gone: counted as success. */
  readonly goneCodes: readonly string[];
  /**
   * Codes meaning "not yet" (DependencyViolation, InUse): the resource is noted, the others
   * are still tried, and one RetryableError names every blocked resource at the end. A
   * RetryableError thrown by `remove` counts the same way.
   */
  readonly retryCodes: readonly string[];
}

/** At most this many blocked resources are named in a RetryableError. */
const MAX_NAMED = 10;

/**
 * Deletes each resource in turn with `remove`. Returns the ids it deleted (not those that
 * were already gone). Errors other than `goneCodes` and `retryCodes` are thrown at once.
 */
export async function deleteEach(
  ids: readonly string[],
  remove: (id: string) => Promise<unknown>,
  options: DeleteEachOptions
): Promise<string[]> {
  const deleted: string[] = [];
  const blocked: { id: string; err: unknown }[] = [];
  for (const id of ids) {
    try {
      await remove(id);
      deleted.push(id);
    } catch (err) {
      if (hasCode(err, ...options.goneCodes)) continue;
      const retryable = hasErrorName(err, ERROR_NAMES.retryable) || hasCode(err, ...options.retryCodes);
      if (!retryable) throw err;
      blocked.push({ id, err });
    }
  }
  if (blocked.length > 0) {
    const named = blocked.slice(0, MAX_NAMED).map(({ id, err }) => `${id} (${describeError(err)})`);
    const more = blocked.length > MAX_NAMED ? `; and ${blocked.length - MAX_NAMED} more` : '';
    throw new RetryableError(`${blocked.length} of ${ids.length} ${options.what} not deleted yet: ${named.join('; ')}${more}`, {
      cause: blocked[0]?.err,
    });
  }
  return deleted;
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = awsErrorCode(err);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
