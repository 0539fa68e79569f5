/**
 * The bounds of the state machines' waits.
 *
 * A poll loop's waits are not tuned to any latency: its check answers when to look next (a
 * tenth of the time already waited, 2 s to 120 s: functions/shared/poll.ts) and whether the
 * loop's time budget is used up. The budgets are what a slow but healthy operation needs,
 * from docs/research/aws-faults-and-timings.md (b) and (c): the create machine's come from the
 * cluster spec's `timeouts` (DEFAULT_TIMEOUTS, functions/shared/cluster-spec-rules.ts, where
 * each is sourced), the teardown and scale machines' from POLL_BUDGETS below. Only the drain
 * of a scale-in keeps a count of checks (TASKS_DRAINED, a Mesos drain policy, not a wait for
 * the cloud).
 */
import { Duration } from 'aws-cdk-lib';
import { DEFAULT_TIMEOUTS } from '../functions/shared/cluster-spec-rules';

/** One count-bounded poll loop: Wait `firstWait` → Check → (not done) Wait `interval` → Check …, at most `maxChecks` checks. */
export interface PollTiming {
  /** Wait before the first check. */
  readonly firstWait: Duration;
  /** Wait between two checks. */
  readonly interval: Duration;
  /** Checks before the loop fails with a timed-out error. */
  readonly maxChecks: number;
}

/** The longest a count-bounded loop can run: first wait plus (maxChecks − 1) intervals. */
export function pollBound(timing: PollTiming): Duration {
  return Duration.seconds(timing.firstWait.toSeconds() + (timing.maxChecks - 1) * timing.interval.toSeconds());
}

/**
 * The wait between Query Agents and reading its answer: rows "SendCommand → invocation
 * visible" (< 1 s) and "SSM command delivery" (1–5 s) of research (c), plus the count itself
 * (a local HTTP call on the master). Check Agents Registered retries NotReadyError if the
 * count has not finished yet.
 */
export const AGENT_QUERY_RESULT: Duration = Duration.seconds(5);

/**
 * The Marathon smoke test's budget, counted from the deploy: twice Marathon's default
 * `--task_launch_timeout` (300000 ms, 5 min: the time a task may take to reach TASK_RUNNING
 * before Marathon kills it and launches another), so a first task that never starts is
 * replaced once before the create gives up. A fixed budget, not a spec timeout: it follows
 * the chain of the spec's budgets (MAX_TIMEOUT_CHAIN_MINUTES, 100 min), within the margin
 * the 2-hour execution timeout leaves.
 */
export const SMOKE_TEST_BUDGET: Duration = Duration.minutes(10);

/**
 * From the remove command to reading its result: delivery (1–5 s, research (c)) and one
 * Marathon call on the master. Check Smoke Test Removal retries NotReadyError if it has not
 * finished yet.
 */
export const SMOKE_TEST_REMOVAL: Duration = Duration.seconds(5);

/**
 * The Lambda timeout of every step. Steps make a few API calls and never sleep (the state
 * machine polls), so 30 s leaves room for the SDK's own retries.
 */
export const STEP_LAMBDA_TIMEOUT: Duration = Duration.seconds(30);

/** Task `TimeoutSeconds`: the Lambda timeout + 10 s (research (d), "Retry best practice"). */
export const STEP_TASK_TIMEOUT: Duration = Duration.seconds(STEP_LAMBDA_TIMEOUT.toSeconds() + 10);

/**
 * Create execution timeout. A typical create takes 15–25 min, p95 35–45 min (research (c),
 * "Your workflow (model)"). An execution timeout cannot be caught, so it only backstops the
 * loop bounds and retry budgets, which end a stuck create (and run its rollback) well before.
 */
export const CREATE_MACHINE_TIMEOUT: Duration = Duration.hours(2);

/**
 * Teardown execution timeout. A typical teardown takes 2–4 min (research (b), "Parallelism");
 * the worst case of the bounds (10 min of polling, then six deletes that each exhaust a
 * ≈ 10 min DependencyViolation budget) is ≈ 70 min.
 */
export const TEARDOWN_MACHINE_TIMEOUT: Duration = Duration.hours(2);

/**
 * What a timed poll loop's check answers besides its own fields (functions/shared/poll.ts):
 * picked into the check's result so that the loop's Wait and Choice read it.
 */
export const POLL_ANSWER: Readonly<Record<string, string>> = {
  waitSeconds: '$.Payload.waitSeconds',
  timedOut: '$.Payload.timedOut',
  waited: '$.Payload.waited',
};

/**
 * The time budgets (seconds) of the loops whose machine has no cluster spec to read them
 * from (teardown, scale), from docs/research/aws-faults-and-timings.md (b) and (c).
 */
export const POLL_BUDGETS = {
  /** Instances terminated: 20–60 s observed, p95 2–5 min; "allow 10–20 min (TF instance delete timeout 20 min)". */
  instancesTerminated: 20 * 60,
  /** NAT gateways deleted: 20–60 s observed, p95 2–5 min; "allow 10 min (TF delete timeout 30 min)": 15 min. */
  natGatewaysDeleted: 15 * 60,
  /** New slaves Online in SSM (a scale-out): as a create's nodes (DEFAULT_TIMEOUTS.nodesOnlineMinutes). */
  nodesOnline: DEFAULT_TIMEOUTS.nodesOnlineMinutes * 60,
  /** New agents registered (a scale-out): as a create's agents (DEFAULT_TIMEOUTS.agentsMinutes). */
  agentsRegistered: DEFAULT_TIMEOUTS.agentsMinutes * 60,
  /** A drain-agents command: delivery 1–5 s plus a few operator calls, bounded by its 120 s delivery timeout: 3 min. */
  drainCommand: 3 * 60,
  /** The template slave's setup (a scale-out's bake): as a create's (DEFAULT_TIMEOUTS.slaveSetupMinutes). */
  templateSlaveSetup: DEFAULT_TIMEOUTS.slaveSetupMinutes * 60,
  /** The slave image available (a scale-out's bake): as a create's (DEFAULT_TIMEOUTS.imageMinutes). */
  slaveImage: DEFAULT_TIMEOUTS.imageMinutes * 60,
} as const;
