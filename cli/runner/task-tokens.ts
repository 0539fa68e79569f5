/**
 * Task tokens of the callback pattern (`.waitForTaskToken`), as the local runner hands them
 * out: a Task state that waits for a token gets a fresh one in `$$.Task.Token`, and its
 * result is what SendTaskSuccess with that token delivers (or the error of SendTaskFailure).
 * Whoever answers a Step Functions client's SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat (the simulated cloud, for one) settles the pending task through this
 * registry, with the errors Step Functions returns:
 *
 * - `InvalidToken` ("The provided token is not valid."): a token this registry never
 *   issued;
 * - `TaskTimedOut` ("The task token has either expired or the task associated with the
 *   token has already been closed."): a token whose task already ended: succeeded, failed,
 *   timed out, or its execution stopped. A token is therefore good for one
 *   SendTaskSuccess or SendTaskFailure.
 *
 * Source: the Step Functions API reference, SendTaskSuccess / SendTaskFailure /
 * SendTaskHeartbeat, "Errors" (https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html).
 */

/** What a task's token settles to: SendTaskSuccess's output, or SendTaskFailure's error and cause. */
export type TaskOutcome = { readonly output: unknown } | { readonly error: string; readonly cause?: string };

/** The error a Step Functions call about a task token fails with (`name` = the service's error code). */
export class TaskTokenError extends Error {
  constructor(
    override readonly name: 'InvalidToken' | 'TaskTimedOut' | 'InvalidOutput',
    message: string
  ) {
    super(message);
  }
}

/** The error the waiting Task state fails with (`States.Timeout`, `States.HeartbeatTimeout`, or SendTaskFailure's error). */
export class TaskStateError extends Error {
  constructor(
    override readonly name: string,
    message: string
  ) {
    super(message);
  }
}

interface Pending {
  readonly resolve: (outcome: TaskOutcome) => void;
  /** Called on every heartbeat. */
  onHeartbeat?: () => void;
}

const INVALID_TOKEN = 'The provided token is not valid.';
const CLOSED_TOKEN = 'The task token has either expired or the task associated with the token has already been closed.';
/** The documented bound on a token's length (API reference, "Length Constraints: Maximum length of 2048"). */
const MAX_TOKEN_LENGTH = 2048;

/** The tokens of one runner (or of every run against one simulated cloud). */
export class TaskTokens {
  readonly #open = new Map<string, Pending>();
  /** Issued, not yet claimed by a waiting task: a token read from `$$.Task.Token`. */
  readonly #issued = new Set<string>();
  readonly #closed = new Set<string>();
  #count = 0;

  /** A fresh token (opaque, unique, as long as real ones roughly are). */
  issue(): string {
    this.#count += 1;
    const random = Math.floor(Math.random() * 2 ** 48)
      .toString(16)
      .padStart(12, '0');
    const token = `AQC${Buffer.from(`local-task-token:${this.#count}:${random}`).toString('base64')}`;
    this.#issued.add(token);
    return token;
  }

  /** True for a token this registry issued and that no task has claimed yet. */
  isUnclaimed(token: string): boolean {
    return this.#issued.has(token);
  }

  /**
   * Makes `token` the pending task's: the promise settles with SendTaskSuccess's output or
   * SendTaskFailure's error. `close` ends it from the task's side (a timeout, a stop).
   */
  claim(token: string): { readonly outcome: Promise<TaskOutcome>; readonly onHeartbeat: (listener: () => void) => void } {
    if (!this.#issued.delete(token)) throw new Error(`task token ${token.slice(0, 16)}… was not issued or is already claimed`);
    let resolve!: (outcome: TaskOutcome) => void;
    const outcome = new Promise<TaskOutcome>((r) => {
      resolve = r;
    });
    const pending: Pending = { resolve };
    this.#open.set(token, pending);
    return {
      outcome,
      onHeartbeat: (listener) => {
        pending.onHeartbeat = listener;
      },
    };
  }

  /** Ends the token from the task's side: later calls with it fail with TaskTimedOut. */
  close(token: string): void {
    if (this.#open.delete(token) || this.#issued.delete(token)) this.#closed.add(token);
  }

  /** SendTaskSuccess: `output` is the JSON text the task's result is parsed from. */
  sendSuccess(token: string, output: string): void {
    this.pending(token);
    let parsed: unknown;
    try {
      parsed = JSON.parse(output);
    } catch {
      throw new TaskTokenError('InvalidOutput', 'The provided JSON output data is not valid.');
    }
    this.settle(token, { output: parsed });
  }

  /** SendTaskFailure: the task fails with `error` (default `''`, as Step Functions records it) and `cause`. */
  sendFailure(token: string, error?: string, cause?: string): void {
    this.settle(token, { error: error ?? '', ...(cause === undefined ? {} : { cause }) });
  }

  /** SendTaskHeartbeat: resets the task's HeartbeatSeconds clock. */
  sendHeartbeat(token: string): void {
    this.pending(token).onHeartbeat?.();
  }

  private settle(token: string, outcome: TaskOutcome): void {
    const pending = this.pending(token);
    this.#open.delete(token);
    this.#closed.add(token);
    pending.resolve(outcome);
  }

  private pending(token: string): Pending {
    if (typeof token !== 'string' || token.length === 0 || token.length > MAX_TOKEN_LENGTH) {
      throw new TaskTokenError('InvalidToken', INVALID_TOKEN);
    }
    const pending = this.#open.get(token);
    if (pending) return pending;
    // Issued but not yet claimed: the task is starting; Step Functions has not handed the
    // token to anyone yet, so nobody can hold it. Treated like a closed one.
    if (this.#closed.has(token) || this.#issued.has(token)) throw new TaskTokenError('TaskTimedOut', CLOSED_TOKEN);
    throw new TaskTokenError('InvalidToken', INVALID_TOKEN);
  }
}
