/**
 * The scale machine: adds slaves to a Mesos cluster or drains and removes some, one scale
 * at a time per cluster.
 *
 *   Read Scale Request → Plan Scale → Is A Scale Needed?
 *       no:  Wait For The Cooldown? (an alarm scale that came within the cooldown)
 *              yes: Wait Out The Remaining Cooldown → Count Scale Rounds → Plan Scale …
 *              no:  No Scale Needed
 *       yes: Wait For Lease To Settle → Check Scale Lease → Which Way To Scale?
 *         out: Has The Cluster A Slave Image? (no, for a cluster created without slaves: bake it
 *              from the recipe its VPC recorded, or reuse one of that recipe; a failed bake is
 *              discarded) → Launch Slaves (the cluster's image, one RunInstances call per zone)
 *              → wait online in SSM → Query Agents → wait registered (= the plan's target)
 *         in:  Query Agent Load → Pick Slaves To Remove (fewest tasks) → Drain Slaves
 *              (Mesos maintenance + drain) → wait command → wait until their tasks have
 *              left, or the drain timeout → Terminate Removed Slaves → wait gone
 *              → Clear Maintenance Schedule → wait command
 *       → Record Scale → Keep Following The Alarm?
 *           alarm scale, rounds left: Wait Out The Cooldown → Count Scale Rounds → Plan Scale …
 *           otherwise: Cluster Scaled
 *
 * One scale at a time: Plan Scale takes the cluster's scale lease (status UPDATE_IN_PROGRESS
 * with this execution's id on the VPC) and refuses while another execution holds it or the
 * cluster is not CREATE_COMPLETE. EC2 tags are no conditional write, so two plans at the same
 * moment may both write the lease; after a short wait Check Scale Lease lets only the
 * execution whose write won go on. Record Scale gives the lease back and starts the cooldown.
 *
 * Refusals (ValidationError, ConflictError from Plan Scale or Check Scale Lease) end in
 * `Scale Refused` with the step's message, except an alarm scale that finds another scale
 * running or a teardown begun: that one ends quietly in `Scale Skipped` (the running scale,
 * or the teardown, covers it). Any other failure: Record Scale Failure (releases the lease,
 * names the failed step) → `Scale Failed`, whose cause is `<FAILURE_CODE>: <reason>`.
 *
 * An alarm scale moves one `step`; while its alarm stays in ALARM it plans again after each
 * cooldown (EventBridge sends one event per state change, not one per evaluation, so an
 * alarm that stays in ALARM is not delivered again), at most MAX_ALARM_ROUNDS plans. For the
 * same reason an alarm that comes within the cooldown of another scale waits for its end
 * and plans again, instead of being dropped. Plan Scale answers `none` (without
 * `retryAfterSeconds`) once the alarm is OK or a bound is reached: the scale ends.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { ScaleRequest } from '../functions/shared/contracts';
import { ERROR_NAMES } from '../functions/shared/errors';
import { ClusterMachine, type ClusterMachineProps } from './observability';
import { ERROR_PATH } from './record-failure';
import { type ScaleFunctions, scalePhaseContext } from './scale/context';
import { failurePhase } from './scale/failure';
import { decide, planPhase } from './scale/plan';
import { recordPhase } from './scale/record';
import { scaleInPhase } from './scale/scale-in';
import { scaleOutPhase } from './scale/scale-out';
import { SCALE_MACHINE_STEP_IDS } from './scale/steps';
import { SCALE_MACHINE_TIMEOUT } from './scale/timings';

export type { ScaleFunctions } from './scale/context';
export { SCALE_FAILED_ERROR, SCALE_REFUSED_ERROR } from './scale/failure';
export { LEASE_SETTLE, MAX_ALARM_ROUNDS, SCALE_MACHINE_TIMEOUT, TASKS_DRAINED } from './scale/timings';

/** The input of a scale execution (Plan Scale documents the fields). */
export type ScaleMachineInput = Omit<ScaleRequest, 'executionId'>;

/** The Comment of the scale machine's definition. */
export const SCALE_COMMENT = "Scales a Mesos cluster's slaves within its bounds: launch from its image, or drain and terminate";

/**
 * Builds the scale definition (from Read Scale Request, with its refusal and failure paths)
 * without a StateMachine, for the machine construct, tests and the ASL export. Each phase
 * lives in workflow/scale/: plan → scale out or in → record, with the refusal and failure
 * paths.
 */
export function buildScaleDefinition(scope: Construct, functions: ScaleFunctions): sfn.Chain {
  const ctx = scalePhaseContext(scope, functions);
  const planning = planPhase(ctx);
  const record = recordPhase(ctx, { plan: planning.plan });
  const failure = failurePhase(ctx);
  const refusals = [ERROR_NAMES.validation, ERROR_NAMES.conflict];
  planning.plan.addCatch(failure.readRefusal, { errors: refusals, resultPath: ERROR_PATH });
  planning.plan.addCatch(failure.wasPlanned, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  planning.checkLease.addCatch(failure.readRefusal, { errors: [ERROR_NAMES.conflict], resultPath: ERROR_PATH });

  const branch = { next: record.recordScale, onTimeout: failure.failOnTimeout };
  const scaleOut = scaleOutPhase(ctx, { ...branch, onFailure: failure.recordFailure });
  const scaleIn = scaleInPhase(ctx, branch);
  for (const state of [planning.checkLease, ...scaleOut.catchable, ...scaleIn.catchable, record.recordScale]) {
    state.addCatch(failure.recordFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }
  const needed = decide(ctx, {
    checkLease: planning.checkLease,
    scaleOut: scaleOut.chain,
    scaleIn: scaleIn.chain,
    replan: record.countRounds,
  });
  return planning.chain.next(needed);
}

/** The functions of the steps the machine invokes (SCALE_MACHINE_STEP_IDS). */
export type ScaleClusterMachineProps = ClusterMachineProps<ScaleFunctions>;

/**
 * The scale state machine (Standard). Input: `{ clusterId?, alarmName?, clusterName?,
 * direction?, targetSlaves?, source }` (ScaleRequest without executionId). Its failure alarm
 * counts refusals too.
 */
export class ScaleClusterMachine extends ClusterMachine<ScaleFunctions> {
  constructor(scope: Construct, id: string, props: ScaleClusterMachineProps) {
    super(scope, id, props, {
      label: 'scale',
      comment: SCALE_COMMENT,
      defaultTimeout: SCALE_MACHINE_TIMEOUT,
      minTimeout: { duration: Duration.hours(1), text: 'one hour (a scale-in round takes up to ≈ 27 min)' },
      stepIds: SCALE_MACHINE_STEP_IDS,
      definition: buildScaleDefinition,
    });
  }
}
