/**
 * When a poll loop looks next: the arithmetic every check step shares.
 *
 * A check measures how long the operation it waits for has been running (the age of the
 * thing, from the cloud's own timestamps: an instance's LaunchTime, a command's
 * RequestedDateTime, an image's CreationDate, a NAT gateway's CreateTime or DeleteTime;
 * or the start the loop hands in) and answers when to look again: a fixed fraction of the
 * time already waited, at least a floor and at most a cap. The operation ends somewhere
 * between two checks, so it is seen at most `factor` × its own duration late (or one floor,
 * for the shortest ones), whatever the cloud's speed: nothing here knows a typical duration.
 * Where the cloud reports progress (a snapshot's percentage), the check looks again when
 * the progress says the operation ends (at most the cap later).
 *
 * Each loop also has a time budget. A check past its budget answers `timedOut`, and the
 * last wait before it is cut so that the budget's end is looked at exactly.
 */

/** What a check of a poll loop receives besides its own fields. */
export interface PollInput {
  /** The loop's time budget in seconds; without it (and `budgetMinutes`) the check answers only its own fields. */
  readonly budgetSeconds?: number;
  /** The budget in minutes, as the cluster spec's `timeouts` give it (used when `budgetSeconds` is absent). */
  readonly budgetMinutes?: number;
  /**
   * Count from this instant (ISO 8601) instead of the resource's own start: for checks whose
   * resource carries no timestamp (an agent count), or a loop that waits for a chain.
   */
  readonly since?: string;
}

/** What a check of a poll loop adds to its answer. */
export interface PollAnswer {
  /** Seconds the loop's Wait state waits before the next check (0 when done or timed out). */
  readonly waitSeconds: number;
  /** Seconds the operation has been running, as far as the check can tell. */
  readonly elapsedSeconds: number;
  /** The budget the check judged against. */
  readonly budgetSeconds: number;
  /** True when the operation is not done and its budget is used up. */
  readonly timedOut: boolean;
  /** "after 18 min of a 30 min budget": for the cause of a loop that gave up. */
  readonly waited: string;
  /** When the operation started (ISO 8601; now while the cloud does not show it): a later loop may count from it. */
  readonly startedAt: string;
}

/** The back-off: next wait = clamp(factor × elapsed, floor, cap). */
export interface BackOff {
  /** Fraction of the elapsed time: the most a check can be late, relative to the operation's duration. */
  readonly factor: number;
  /** The shortest wait (seconds): the cost of a check against how late a short operation may be seen. */
  readonly floorSeconds: number;
  /** The longest wait (seconds), so that a long operation is still seen within this. */
  readonly capSeconds: number;
}

/**
 * The default back-off. 10 % of the time waited keeps an operation's end seen within
 * 1.10 × its real duration; 2 s bounds the lateness of operations shorter than 20 s and
 * keeps a loop within the EC2 Describe rate (one call per check, far below the 20 per
 * second refill of research (a) "Throttling"); 120 s keeps a 30-minute tail seen within
 * two minutes.
 */
export const DEFAULT_BACK_OFF: BackOff = { factor: 0.1, floorSeconds: 2, capSeconds: 120 };

/** Minutes as the failure reason shows them: whole minutes, or one decimal under ten. */
export function minutes(seconds: number): string {
  const m = seconds / 60;
  return m >= 10 || Number.isInteger(m) ? String(Math.round(m)) : m.toFixed(1);
}

export interface PollState {
  /** Whether the operation is done. */
  readonly done: boolean;
  /** When it started (epoch ms); undefined when the cloud does not show it yet. */
  readonly startedAt: number | undefined;
  /** Now (epoch ms). */
  readonly now: number;
  readonly budgetSeconds: number;
  /** Seconds the operation still needs, when the cloud reports progress. */
  readonly remainingSeconds?: number;
  readonly backOff?: BackOff;
}

/** The answer of a check: when to look again, how long it has waited, whether it gives up. */
export function pollAnswer(state: PollState): PollAnswer {
  const { factor, floorSeconds, capSeconds } = state.backOff ?? DEFAULT_BACK_OFF;
  if (!(state.budgetSeconds > 0)) throw new RangeError(`budgetSeconds must be positive, got ${state.budgetSeconds}`);
  // A start in the future (clock skew between the Lambda and the service) counts as now.
  const elapsedSeconds = state.startedAt === undefined ? 0 : Math.max(0, (state.now - state.startedAt) / 1000);
  const budgetSeconds = state.budgetSeconds;
  const waited = `after ${minutes(elapsedSeconds)} min of a ${minutes(budgetSeconds)} min budget`;
  const base = {
    elapsedSeconds: Math.round(elapsedSeconds * 10) / 10,
    budgetSeconds,
    waited,
    // Unknown yet (a new id the cloud does not show): now, so that a later loop can count from it.
    startedAt: new Date(state.startedAt ?? state.now).toISOString(),
  };
  if (state.done) return { waitSeconds: 0, timedOut: false, ...base };
  if (elapsedSeconds >= budgetSeconds) return { waitSeconds: 0, timedOut: true, ...base };

  let wait = Math.min(capSeconds, Math.max(floorSeconds, factor * elapsedSeconds));
  const remaining = state.remainingSeconds;
  // Progress says when it ends: look then (never later than the cap, never sooner than the floor).
  if (remaining !== undefined && Number.isFinite(remaining) && remaining > 0)
    wait = Math.min(capSeconds, Math.max(floorSeconds, remaining));
  // Whole seconds (a Wait state's SecondsPath takes a positive integer), and the last check
  // lands on the budget's end.
  const toBudget = Math.ceil(budgetSeconds - elapsedSeconds);
  const waitSeconds = Math.max(1, Math.min(Math.round(wait), toBudget));
  return { waitSeconds, timedOut: false, ...base };
}

/** The budget in seconds the machine gave (`budgetSeconds`, or `budgetMinutes` × 60); undefined without one. */
export function budgetSecondsOf(input: PollInput): number | undefined {
  return input.budgetSeconds ?? (input.budgetMinutes === undefined ? undefined : input.budgetMinutes * 60);
}

/** True when the machine gave the check a budget (it answers when to look next). */
export function isPolled(input: PollInput): boolean {
  return input.budgetSeconds !== undefined || input.budgetMinutes !== undefined;
}

/** Epoch ms of a timestamp the SDK returns (a Date, or an ISO string for some fields); undefined when absent or unreadable. */
export function epochOf(value: Date | string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = value instanceof Date ? value.getTime() : Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The earliest of several timestamps (the operation of a group started with its first member). */
export function earliest(values: readonly (number | undefined)[]): number | undefined {
  const known = values.filter((v): v is number => v !== undefined);
  return known.length === 0 ? undefined : Math.min(...known);
}

/**
 * The poll answer of a check, when the machine gave the loop a budget (the check's own
 * fields only, otherwise). `startedAt` is what the check read from the cloud; an input
 * `since` counts from an earlier instant instead (the loop waits for a chain that began then).
 */
export function withPoll<T extends object>(
  input: PollInput,
  answer: T,
  state: { done: boolean; startedAt?: number | undefined; remainingSeconds?: number; now?: number }
): T | (T & PollAnswer) {
  const budgetSeconds = budgetSecondsOf(input);
  if (budgetSeconds === undefined) return answer;
  const startedAt = epochOf(input.since) ?? state.startedAt;
  return {
    ...answer,
    ...pollAnswer({
      done: state.done,
      startedAt,
      now: state.now ?? Date.now(),
      budgetSeconds,
      ...(state.remainingSeconds === undefined ? {} : { remainingSeconds: state.remainingSeconds }),
    }),
  };
}
