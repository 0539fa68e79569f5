/**
 * What every phase of the scale machine is built with: the scope, the step builders, the
 * plan of the current round and the paths derived from it.
 */

import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CHECK_STEP_RETRIES, CREATE_STEP_RETRIES, LAUNCH_STEP_RETRIES } from '../retry';
import type { ScaleMachineStepId } from '../step-catalogue';
import { type ClusterPaths, type StepBuilder, stepBuilder } from '../step-task';

/** The functions the scale machine invokes. */
export type ScaleFunctions = Readonly<Record<ScaleMachineStepId, lambda.IFunction>>;

/** JSONPath helpers. */
export const J = sfn.JsonPath;

/** The plan of the current round (Plan Scale's whole answer). */
export const PLAN = '$.scale.plan';

/** The cluster reference of the scale machine: the plan's. */
export const SCALE_CLUSTER: ClusterPaths = { clusterId: `${PLAN}.clusterId`, clusterName: `${PLAN}.clusterName` };

export interface ScalePhaseContext {
  readonly scope: Construct;
  readonly functions: ScaleFunctions;
  /** A scale step (CREATE_STEP_RETRIES). */
  readonly step: StepBuilder<ScaleMachineStepId>;
  /** A step that launches instances (LAUNCH_STEP_RETRIES). */
  readonly launch: StepBuilder<ScaleMachineStepId>;
  /** A check step (CHECK_STEP_RETRIES). */
  readonly check: StepBuilder<ScaleMachineStepId>;
  /** The instance id of the master that the agent commands run on. */
  readonly master: string;
  /**
   * The id of this round's commands. A drain of round n must not reuse the drain (or
   * schedule clearing) command of round n-1: Drain Slaves identifies its command by the
   * execution id, so each round gets its own.
   */
  readonly roundId: string;
}

export function scalePhaseContext(scope: Construct, functions: ScaleFunctions): ScalePhaseContext {
  return {
    scope,
    functions,
    step: stepBuilder(scope, functions, SCALE_CLUSTER, CREATE_STEP_RETRIES),
    launch: stepBuilder(scope, functions, SCALE_CLUSTER, LAUNCH_STEP_RETRIES),
    check: stepBuilder(scope, functions, SCALE_CLUSTER, CHECK_STEP_RETRIES),
    master: J.stringAt(`${PLAN}.masterInstanceId`),
    roundId: J.format('{}#{}', J.executionId, J.stringAt('$.round.count')),
  };
}

/** Builds the state a poll loop at its bound goes to (PollLoopProps.onTimeout). */
export type OnPollTimeout = (scope: Construct, stateName: string, error: string, cause: string) => sfn.IChainable;

/** A state that joins the failure path when it fails. */
export type CatchableState = sfn.TaskStateBase | sfn.Parallel;
