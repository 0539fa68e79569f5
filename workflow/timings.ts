/**
 * How long the state machines wait before they first check an asynchronous operation, how
 * often they check again, and how many checks they allow before they give up.
 *
 * Each loop starts from the operation's expected duration: the sum of the typical
 * durations of what it waits for (TYPICAL_SECONDS, the typical column of
 * docs/research/aws-faults-and-timings.md (c) "Latency model", the same column the simulator's
 * default latency model takes). The recheck interval is about a tenth of that duration, and
 * the first check comes one or two intervals before it: a typical run is seen at once
 * (one to three checks, each a Lambda invocation and about four state transitions), a run a
 * little faster than typical is caught early, and a slower one is seen at most one interval
 * late, whatever its length. The bound (first wait + (maxChecks − 1) × interval) covers the
 * tail with room to spare and keeps every loop far below the 25,000-event history limit.
 * bench/ measures the effect against the critical-path bound (bench/README.md).
 */
import { Duration } from 'aws-cdk-lib';
import { DEFAULT_TIMEOUTS } from '../functions/shared/cluster-spec-rules';

/** One poll loop: Wait `firstWait` → Check → (not done) Wait `interval` → Check …, at most `maxChecks` checks. */
export interface PollTiming {
  /** Wait before the first check: a little less than the expected duration of the operation. */
  readonly firstWait: Duration;
  /** Wait between two checks. */
  readonly interval: Duration;
  /** Checks before the loop fails with a timed-out error. */
  readonly maxChecks: number;
  /**
   * A wait inside the check itself (Query Agents → Wait For Agent Count → Check Agents
   * Registered): every check takes this long, so rechecks come `interval + probeWait` apart.
   * @default none
   */
  readonly probeWait?: Duration;
}

/** The longest a loop can run: first wait plus (maxChecks − 1) intervals, plus the checks' own waits. */
export function pollBound(timing: PollTiming): Duration {
  const probe = timing.probeWait?.toSeconds() ?? 0;
  return Duration.seconds(timing.firstWait.toSeconds() + (timing.maxChecks - 1) * timing.interval.toSeconds() + timing.maxChecks * probe);
}

/**
 * Typical durations (seconds), from the rows of docs/research/aws-faults-and-timings.md (c)
 * "Latency model" named on each entry (the typical column, as in simulator/latency-model.json).
 */
export const TYPICAL_SECONDS = {
  /** "RunInstances → running": 5–20 s (4.9 s in 2021; 16.4–16.6 s across current types). */
  instanceRunning: 15,
  /** "SSM agent registered, PingStatus=Online": 1–2 min after running; also the boot of a slave. */
  ssmOnline: 90,
  /** "SSM command delivery (Pending → InProgress)": 1–5 s. */
  commandDelivery: 2,
  /** "Script runtime: ZooKeeper + Mesos master + Marathon install": 2–5 min. */
  masterInstall: 180,
  /** "Script runtime: Mesos agent install on template slave": 1–3 min. */
  agentInstall: 120,
  /** "CreateImage → available (8 GB gp2/gp3 Ubuntu, with reboot)": 3–8 min. */
  imageAvailable: 300,
  /** "NAT gateway pending → available": 1m24s–2m01s in eight terraform logs. */
  natGatewayAvailable: 100,
  /** Agent registration with a running master: within the model's "join/verify ≈ 1 min" (estimate). */
  agentRegister: 20,
  /** The count-agents query on a master (an estimate: a local HTTP call). */
  agentCount: 3,
  /** "TerminateInstances → terminated": 20–35 s observed. */
  instanceTerminate: 30,
  /** "DeleteNatGateway → deleted": 20–60 s observed. */
  natGatewayDelete: 40,
} as const;

/** What a poll loop is built from. */
export interface ExpectedPoll {
  /** When the operation is expected to be done, in seconds after the loop starts. */
  readonly expected: number;
  /** Seconds between two checks. */
  readonly interval: number;
  /** Checks before the expected time: the first check comes `early × interval` before it. */
  readonly early: number;
  /** Seconds after which the loop gives up (rounded up to a whole check). */
  readonly giveUpAfter: number;
  /**
   * Seconds the check itself waits before it reads its answer (see PollTiming.probeWait): the
   * first check starts that much earlier, so that its answer is read at `expected`.
   * @default 0
   */
  readonly probe?: number;
}

/** The timing of a loop that expects its operation done at `expected` (see ExpectedPoll). */
export function expectedPoll(p: ExpectedPoll): PollTiming {
  const probe = p.probe ?? 0;
  const period = p.interval + probe;
  const first = p.expected - probe - p.early * period;
  if (!Number.isInteger(first) || !Number.isInteger(period) || first < 1 || p.interval < 1 || probe < 0) {
    throw new Error(`expectedPoll: whole, positive seconds needed (first wait ${first}, interval ${p.interval}, probe ${probe})`);
  }
  const maxChecks = 1 + Math.ceil(Math.max(0, p.giveUpAfter - first - probe) / period);
  return {
    firstWait: Duration.seconds(first),
    interval: Duration.seconds(p.interval),
    maxChecks,
    ...(probe > 0 ? { probeWait: Duration.seconds(probe) } : {}),
  };
}

const T = TYPICAL_SECONDS;

/**
 * NAT gateway available: typical 100 s; p95 2.5–3 min, TF create timeout 10 min, SDK waiter
 * delay 15 s (the interval). One early check. Bound ≈ 11 min.
 */
export const NAT_GATEWAY_AVAILABLE: PollTiming = expectedPoll({
  expected: T.natGatewayAvailable,
  interval: 15,
  early: 1,
  giveUpAfter: 670,
});

/**
 * Instances Online in SSM after launch: running (15 s) + agent Online (90 s) = 105 s; one case
 * ≈ 6 min, > 10 min means misconfiguration. Two early checks. Bound ≈ 11 min.
 */
export const INSTANCES_ONLINE: PollTiming = expectedPoll({
  expected: T.instanceRunning + T.ssmOnline,
  interval: 10,
  early: 2,
  giveUpAfter: 685,
});

/**
 * Master setup: delivery (2 s) + install (180 s) = 182 s; 10–15 min on slow mirrors plus
 * apt-lock waits on first boot. Two early checks. Bound ≈ 18 min.
 */
export const MASTER_SETUP: PollTiming = expectedPoll({
  expected: T.commandDelivery + T.masterInstall,
  interval: 18,
  early: 2,
  giveUpAfter: 1064,
});

/** Template slave setup: delivery (2 s) + agent install (120 s) = 122 s; worst 10 min. Two early checks. Bound ≈ 14 min. */
export const TEMPLATE_SLAVE_SETUP: PollTiming = expectedPoll({
  expected: T.commandDelivery + T.agentInstall,
  interval: 12,
  early: 2,
  giveUpAfter: 830,
});

/**
 * Slave image available: 300 s; AWS "several minutes"; TF AMI create timeout 40 min. Two early
 * checks. Bound 40 min.
 */
export const IMAGE_AVAILABLE: PollTiming = expectedPoll({ expected: T.imageAvailable, interval: 30, early: 2, giveUpAfter: 2400 });

/**
 * Rows "SendCommand → invocation visible" (< 1 s) and "SSM command delivery" (1–5 s) plus the
 * count itself: the wait between Query Agents and reading its result. Check Agents Registered
 * retries NotReadyError if the count has not finished yet.
 */
export const AGENT_QUERY_RESULT: Duration = Duration.seconds(T.commandDelivery + T.agentCount);

/**
 * Agents registered once the slaves are Online in SSM (booted) and the masters configured
 * (a master runs): registration (20 s), read by a count that ends AGENT_QUERY_RESULT after
 * its query (the probe), so queries go out 10 s apart and the second one reads the count at
 * 20 s. One early check (each costs a query, a wait and a check). Bound ≈ 10 min, as the
 * agents keep retrying ZooKeeper.
 */
export const AGENTS_REGISTERED: PollTiming = expectedPoll({
  expected: T.agentRegister,
  probe: AGENT_QUERY_RESULT.toSeconds(),
  interval: 5,
  early: 1,
  giveUpAfter: 600,
});

/** Instances terminated: 30 s (20–35 s observed), p95 2–5 min, TF delete timeout 20 min. Two early checks. Bound 10 min. */
export const INSTANCES_TERMINATED: PollTiming = expectedPoll({ expected: T.instanceTerminate, interval: 5, early: 2, giveUpAfter: 600 });

/** NAT gateways deleted: 40 s (20–60 s observed), p95 2–5 min; research (b) allows 10 min. One early check. Bound ≈ 10 min. */
export const NAT_GATEWAYS_DELETED: PollTiming = expectedPoll({ expected: T.natGatewayDelete, interval: 10, early: 1, giveUpAfter: 590 });

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
} as const;
