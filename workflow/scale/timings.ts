/** The waits and bounds of the scale machine (the poll budgets are POLL_BUDGETS, workflow/timings.ts). */
import { Duration } from 'aws-cdk-lib';
import { DRAIN_POLL_SECONDS, DRAIN_TIMEOUT_SECONDS } from '../../functions/shared/scaling';
import type { PollTiming } from '../timings';

/**
 * Between Plan Scale and Check Scale Lease: long enough for a concurrent plan's lease write
 * (a Lambda call of a few API calls) to land, so that the check sees the last write.
 */
export const LEASE_SETTLE: Duration = Duration.seconds(5);

/**
 * The drained agents' tasks gone: Mesos gives them a 60 s grace period. A check every
 * DRAIN_POLL_SECONDS; after DRAIN_TIMEOUT_SECONDS the slaves are terminated anyway.
 */
export const TASKS_DRAINED: PollTiming = {
  firstWait: Duration.seconds(DRAIN_POLL_SECONDS),
  interval: Duration.seconds(DRAIN_POLL_SECONDS),
  maxChecks: DRAIN_TIMEOUT_SECONDS / DRAIN_POLL_SECONDS,
};

/** Plans of one alarm scale (the first included): each after the cooldown of the one before. */
export const MAX_ALARM_ROUNDS = 10;

/**
 * Execution timeout. One round takes minutes (≈ 27 min at worst for a scale-in: drain
 * timeout, termination, commands); an alarm scale adds a cooldown per round. The timeout
 * only backstops the loop bounds; the scale lease is held within one round only.
 */
export const SCALE_MACHINE_TIMEOUT: Duration = Duration.hours(6);
