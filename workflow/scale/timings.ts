/** The waits and poll bounds of the scale machine. */
import { Duration } from 'aws-cdk-lib';
import { DRAIN_POLL_SECONDS, DRAIN_TIMEOUT_SECONDS } from '../../functions/shared/scaling';
import { AGENT_QUERY_RESULT, expectedPoll, INSTANCES_ONLINE, INSTANCES_TERMINATED, type PollTiming, TYPICAL_SECONDS } from '../timings';

/**
 * Between Plan Scale and Check Scale Lease: long enough for a concurrent plan's lease write
 * (a Lambda call of a few API calls) to land, so that the check sees the last write.
 */
export const LEASE_SETTLE: Duration = Duration.seconds(5);

/** New slaves online in SSM: as any launch (running 15 s + agent 90 s). */
export const NEW_SLAVES_ONLINE: PollTiming = INSTANCES_ONLINE;

/**
 * New agents registered once the slaves are online: registration (20 s) read by a count that
 * ends AGENT_QUERY_RESULT after its query (the probe), so queries go out 10 s apart and the
 * second one reads the count at 20 s. One early check; bound ≈ 10 min.
 */
export const NEW_AGENTS_REGISTERED: PollTiming = expectedPoll({
  expected: TYPICAL_SECONDS.agentRegister,
  probe: AGENT_QUERY_RESULT.toSeconds(),
  interval: 5,
  early: 1,
  giveUpAfter: 600,
});

/**
 * A drain-agents command (drain or schedule clearing) done: delivery (2 s) + a few operator
 * API calls (≈ 3 s). Bound: the command's own delivery timeout (120 s) and a little more.
 */
export const DRAIN_COMMAND_DONE: PollTiming = expectedPoll({
  expected: TYPICAL_SECONDS.commandDelivery + TYPICAL_SECONDS.agentCount,
  interval: 5,
  early: 0,
  giveUpAfter: 150,
});

/**
 * The drained agents' tasks gone: Mesos gives them a 60 s grace period. A check every
 * DRAIN_POLL_SECONDS; after DRAIN_TIMEOUT_SECONDS the slaves are terminated anyway.
 */
export const TASKS_DRAINED: PollTiming = {
  firstWait: Duration.seconds(DRAIN_POLL_SECONDS),
  interval: Duration.seconds(DRAIN_POLL_SECONDS),
  maxChecks: DRAIN_TIMEOUT_SECONDS / DRAIN_POLL_SECONDS,
};

/** Removed slaves terminated: as any termination. */
export const REMOVED_SLAVES_GONE: PollTiming = INSTANCES_TERMINATED;

/** Plans of one alarm scale (the first included): each after the cooldown of the one before. */
export const MAX_ALARM_ROUNDS = 10;

/**
 * Execution timeout. One round takes minutes (≈ 27 min at worst for a scale-in: drain
 * timeout, termination, commands); an alarm scale adds a cooldown per round. The timeout
 * only backstops the loop bounds; the scale lease is held within one round only.
 */
export const SCALE_MACHINE_TIMEOUT: Duration = Duration.hours(6);
