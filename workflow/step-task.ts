/**
 * Building blocks shared by the state machines: a Lambda task for one workflow step with
 * the house data discipline (explicit payload, picked result, own result key, named
 * retries), and the cluster reference every step receives.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { applyRetries, type RetryPolicy } from './retry';
import type { CreateMachineStepId, StepId, TeardownMachineStepId } from './step-catalogue';
import { STEP_TASK_TIMEOUT } from './timings';

/** The Lambda function of every step, by step id (create, teardown and scale steps). */
export type StepFunctions = Readonly<Record<StepId, lambda.IFunction>>;

/** The functions the create machine invokes (workflow/create/steps.ts). */
export type CreateFunctions = Readonly<Record<CreateMachineStepId, lambda.IFunction>>;

/** The functions the teardown machine invokes (workflow/teardown/steps.ts). */
export type TeardownFunctions = Readonly<Record<TeardownMachineStepId, lambda.IFunction>>;

/** Where the cluster's id and name are found in a machine's state. */
export interface ClusterPaths {
  /** @default '$.clusterId' */
  readonly clusterId: string;
  /** JSONPath of the cluster name, e.g. '$.clusterName' or '$.validated.spec.name'. */
  readonly clusterName: string;
}

/** JSONPath values of a task payload: built with `sfn.JsonPath.*At` or constants. */
export type PayloadFields = Readonly<Record<string, unknown>>;

export interface StepTaskProps {
  /** The step's Lambda function. */
  readonly fn: lambda.IFunction;
  /** Where the cluster reference is read from. */
  readonly cluster: ClusterPaths;
  /** The fields the step needs besides clusterId, clusterName and executionId. */
  readonly payload?: PayloadFields;
  /**
   * The fields kept from the step's result: a path into the Lambda response, e.g.
   * `{ vpcId: '$.Payload.vpcId' }`, or an intrinsic function built with `sfn.JsonPath`.
   */
  readonly result: Readonly<Record<string, string>>;
  /** The state key the result is written to, e.g. '$.vpc'. */
  readonly resultPath: string;
  /** Named retriers, added after LambdaInvoke's own Lambda service-error retrier. */
  readonly retries: RetryPolicy;
  /** Leave out the cluster name (a step called before the name is known). @default false */
  readonly withoutClusterName?: boolean;
  /**
   * A `.waitForTaskToken` task: the payload carries `taskToken` (`$$.Task.Token`), the task's
   * result is what SendTaskSuccess sends, and it fails with States.Timeout after this long.
   * @default a plain invocation
   */
  readonly waitForSignal?: Duration;
}

/**
 * A `LambdaInvoke` task for one step. Its payload holds clusterId, clusterName and
 * executionId plus the given fields; its result is reduced by `resultSelector` and written
 * under its own key; it times out a little after the Lambda does.
 */
export function stepTask(scope: Construct, stateName: string, props: StepTaskProps): tasks.LambdaInvoke {
  const discarded = props.resultPath === sfn.JsonPath.DISCARD;
  if (!props.resultPath.startsWith('$.') && !discarded)
    throw new Error(`${stateName}: resultPath must be a key under $ (or discarded), got ${props.resultPath}`);
  const resultSelector: Record<string, string> = {};
  for (const [key, path] of Object.entries(props.result)) {
    if (sfn.JsonPath.isEncodedJsonPath(path)) {
      resultSelector[key] = path;
    } else if (path.startsWith('$.Payload')) {
      resultSelector[key] = sfn.JsonPath.stringAt(path);
    } else {
      throw new Error(`${stateName}: result field ${key} must be read from $.Payload, got ${path}`);
    }
  }
  const signal = props.waitForSignal;
  const task = new tasks.LambdaInvoke(scope, stateName, {
    lambdaFunction: props.fn,
    payload: sfn.TaskInput.fromObject({
      clusterId: sfn.JsonPath.stringAt(props.cluster.clusterId),
      ...(props.withoutClusterName ? {} : { clusterName: sfn.JsonPath.stringAt(props.cluster.clusterName) }),
      executionId: sfn.JsonPath.executionId,
      ...props.payload,
      ...(signal ? { taskToken: sfn.JsonPath.taskToken } : {}),
    }),
    ...(Object.keys(resultSelector).length > 0 ? { resultSelector } : {}),
    resultPath: props.resultPath,
    taskTimeout: sfn.Timeout.duration(signal ?? STEP_TASK_TIMEOUT),
    ...(signal ? { integrationPattern: sfn.IntegrationPattern.WAIT_FOR_TASK_TOKEN } : {}),
  });
  return applyRetries(task, props.retries);
}

/** One step of a machine: which step, what it is given and what is kept of its answer. */
export interface MachineStepProps<Id extends StepId = StepId> {
  /** The step id (its folder under functions/ and its Lambda). */
  readonly step: Id;
  /** The fields the step needs besides clusterId, clusterName and executionId. */
  readonly payload?: PayloadFields;
  /** The fields kept from the step's result (see StepTaskProps.result). */
  readonly result: Readonly<Record<string, string>>;
  /** The state key the result is written to, e.g. '$.vpc'. */
  readonly resultPath: string;
  /** @default the builder's retries */
  readonly retries?: RetryPolicy;
  /** Leave out the cluster name (a step called before the name is known). @default false */
  readonly withoutClusterName?: boolean;
  /** A `.waitForTaskToken` task that times out after this long (see StepTaskProps). */
  readonly waitForSignal?: Duration;
}

/** Builds the task of one step of a machine: `step('Create VPC', { step: 'create-vpc', … })`. */
export type StepBuilder<Id extends StepId = StepId> = (stateName: string, props: MachineStepProps<Id>) => tasks.LambdaInvoke;

/** A step builder for one machine: its functions, where it keeps the cluster reference, its default retries. */
export function stepBuilder<Id extends StepId>(
  scope: Construct,
  functions: Readonly<Record<Id, lambda.IFunction>>,
  cluster: ClusterPaths,
  retries: RetryPolicy
): StepBuilder<Id> {
  return (stateName, { step, retries: own, ...rest }) =>
    stepTask(scope, stateName, { fn: functions[step], cluster, retries: own ?? retries, ...rest });
}
