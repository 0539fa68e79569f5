/**
 * What every phase of the create machine is built with: the scope, the step builders and
 * the paths of the cluster reference and the validated spec.
 */
import { Token } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { CHECK_STEP_RETRIES, CREATE_STEP_RETRIES, LAUNCH_STEP_RETRIES } from '../retry';
import type { CreateMachineStepId } from '../step-catalogue';
import { type ClusterPaths, type CreateFunctions, type StepBuilder, stepBuilder } from '../step-task';

/** The validated spec: every field below exists once Validate Cluster Spec has succeeded. */
export const SPEC = '$.validated.spec';

/** JSONPath helpers. */
export const J = sfn.JsonPath;

/** The cluster reference of the create machine. */
export const CREATE_CLUSTER: ClusterPaths = { clusterId: '$.clusterId', clusterName: `${SPEC}.name` };

export interface CreatePhaseContext {
  readonly scope: Construct;
  /** Every step's function: the create steps and, for the rollback, the teardown steps. */
  readonly functions: CreateFunctions;
  readonly cluster: ClusterPaths;
  /** A create step (CREATE_STEP_RETRIES). */
  readonly step: StepBuilder<CreateMachineStepId>;
  /** A step that launches instances (LAUNCH_STEP_RETRIES). */
  readonly launch: StepBuilder<CreateMachineStepId>;
  /** The check of a poll loop (CHECK_STEP_RETRIES). */
  readonly check: StepBuilder<CreateMachineStepId>;
}

export function createPhaseContext(scope: Construct, functions: CreateFunctions): CreatePhaseContext {
  const cluster = CREATE_CLUSTER;
  return {
    scope,
    functions,
    cluster,
    step: stepBuilder(scope, functions, cluster, CREATE_STEP_RETRIES),
    launch: stepBuilder(scope, functions, cluster, LAUNCH_STEP_RETRIES),
    check: stepBuilder(scope, functions, cluster, CHECK_STEP_RETRIES),
  };
}

/** The payload field of a check's budget: the validated spec's `timeouts.<field>` (minutes). */
export function budget(field: keyof import('../../functions/shared/cluster-spec').TimeoutsSpec): { budgetMinutes: number } {
  return { budgetMinutes: J.numberAt(`${SPEC}.timeouts.${field}`) };
}

/** The payload field of a budget that is the sum of several of the validated spec's `timeouts` (minutes). */
export function budgetSum(...fields: (keyof import('../../functions/shared/cluster-spec').TimeoutsSpec)[]): { budgetMinutes: number } {
  const [first, ...rest] = fields.map((field) => J.numberAt(`${SPEC}.timeouts.${field}`));
  if (first === undefined) throw new Error('budgetSum needs at least one field');
  // States.MathAdd takes two numbers: nested for more.
  return { budgetMinutes: rest.reduce((sum, next) => Token.asNumber(J.mathAdd(sum, next)), first) };
}

/** A state that joins the failure path when it fails. */
export type CatchableState = sfn.TaskStateBase | sfn.Parallel;
