/**
 * How long the state machines wait before they first check an asynchronous operation, how
 * often they check again, and how many checks they allow before they give up.
 *
 * The first wait is the operation's typical duration, so that a typical run needs one or
 * two checks (each check is a Lambda invocation and about four state transitions); the
 * recheck interval is the SDK waiter's delay or less; the bound (first wait + maxChecks ×
 * interval) covers the tail with room to spare and keeps every loop far below the
 * 25,000-event history limit. Sources: the rows of research/aws-faults-and-timings.md (c)
 * "Latency model" named on each entry.
 */
import { Duration } from 'aws-cdk-lib';

/** One poll loop: Wait `firstWait` → Check → (not done) Wait `interval` → Check …, at most `maxChecks` checks. */
export interface PollTiming {
  /** Wait before the first check: the typical duration of the operation. */
  readonly firstWait: Duration;
  /** Wait between two checks. */
  readonly interval: Duration;
  /** Checks before the loop fails with a timed-out error. */
  readonly maxChecks: number;
}

/** The longest a loop can run: first wait plus (maxChecks − 1) intervals. */
export function pollBound(timing: PollTiming): Duration {
  return Duration.seconds(timing.firstWait.toSeconds() + (timing.maxChecks - 1) * timing.interval.toSeconds());
}

/**
 * Row "NAT gateway pending → available": typical 1.5–2 min (eight terraform logs, 1m24s–2m01s),
 * p95 2.5–3 min, TF create timeout 10 min, SDK waiter delay 15 s. Bound ≈ 11 min.
 */
export const NAT_GATEWAY_AVAILABLE: PollTiming = { firstWait: Duration.seconds(90), interval: Duration.seconds(15), maxChecks: 40 };

/**
 * Rows "RunInstances → running" (5–20 s) + "SSM agent registered, PingStatus=Online" (1–2 min
 * after running; one case ≈ 6 min; > 10 min means misconfiguration). Bound ≈ 11 min.
 */
export const INSTANCES_ONLINE: PollTiming = { firstWait: Duration.seconds(100), interval: Duration.seconds(15), maxChecks: 40 };

/**
 * Row "Script runtime: ZooKeeper + Mesos master + Marathon install": 2–5 min, 10–15 min on slow
 * mirrors plus apt-lock waits on first boot. Bound ≈ 18 min.
 */
export const MASTER_SETUP: PollTiming = { firstWait: Duration.seconds(180), interval: Duration.seconds(15), maxChecks: 60 };

/** Row "Script runtime: Mesos agent install on template slave": 1–3 min, worst 10 min. Bound ≈ 14 min. */
export const TEMPLATE_SLAVE_SETUP: PollTiming = { firstWait: Duration.seconds(120), interval: Duration.seconds(15), maxChecks: 48 };

/**
 * Row "CreateImage → available (8 GB gp2/gp3 Ubuntu, with reboot)": 3–8 min; AWS "several
 * minutes"; TF AMI create timeout 40 min. Bound ≈ 40 min.
 */
export const IMAGE_AVAILABLE: PollTiming = { firstWait: Duration.seconds(300), interval: Duration.seconds(20), maxChecks: 106 };

/**
 * Rows "N slaves from AMI → running" (same as one instance: 5–20 s, boot 20–25 s) and the
 * model's "join/verify ≈ 1 min": the agents of slaves launched from the baked image register
 * with the master within a minute or two. Bound ≈ 10 min of waits (plus the query round trips).
 */
export const AGENTS_REGISTERED: PollTiming = { firstWait: Duration.seconds(30), interval: Duration.seconds(10), maxChecks: 58 };

/**
 * Rows "SendCommand → invocation visible" (< 1 s) and "SSM command delivery" (1–5 s): the wait
 * between Query Agents and reading its result. Check Agents Registered retries NotReadyError if
 * the short count command has not finished yet.
 */
export const AGENT_QUERY_RESULT: Duration = Duration.seconds(5);

/**
 * Row "TerminateInstances → terminated": 20–35 s observed, p95 2–5 min, TF delete timeout 20 min.
 * Bound ≈ 10 min.
 */
export const INSTANCES_TERMINATED: PollTiming = { firstWait: Duration.seconds(30), interval: Duration.seconds(10), maxChecks: 58 };

/**
 * Row "DeleteNatGateway → deleted": 20–60 s observed, p95 2–5 min; research (b) allows 10 min.
 * Bound ≈ 10 min.
 */
export const NAT_GATEWAYS_DELETED: PollTiming = { firstWait: Duration.seconds(40), interval: Duration.seconds(10), maxChecks: 57 };

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
