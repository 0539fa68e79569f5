/**
 * The teardown machine: deletes everything tagged with a cluster's id, in the order of
 * docs/research/aws-faults-and-timings.md (b):
 *
 *   Mark Cluster Deleting → Delete Scaling Alarms
 *   → [Terminate Instances → wait terminated] ‖ [Delete NAT Gateways → wait deleted] ‖ [Delete Images]
 *   → Release Elastic IPs → Delete Route Tables → Delete Internet Gateways
 *   → Delete Security Groups → Delete Subnets → Delete VPC → Verify Nothing Left → Cluster Deleted
 *
 * Mark Cluster Deleting tags the cluster DELETE_IN_PROGRESS before anything is deleted:
 * Plan Scale then refuses every new scale, and a running one stops at its lease check.
 * Alarms go first so that no scale-out launches slaves into a VPC being deleted; instances
 * and the NAT gateway own ENIs and public addresses, so the address, gateway, group, subnet
 * and VPC deletes wait for them; each delete retries DependencyViolation (RetryableError)
 * with the teardown budget. Every step finds its resources by the cluster-id tag, so the
 * same chain cleans up a create that failed halfway (the create machine's rollback).
 */
import { Duration } from 'aws-cdk-lib';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { ClusterMachine, type ClusterMachineProps } from './observability';
import { timedPollLoop } from './poll-loop';
import { ERROR_PATH, FAILURE_CAUSE_PATH, recordFailureTask, unrecordedFailure } from './record-failure';
import { TEARDOWN_CHECK_RETRIES, TEARDOWN_STEP_RETRIES } from './retry';
import { type ClusterPaths, type PayloadFields, stepTask, type TeardownFunctions } from './step-task';
import { TEARDOWN_MACHINE_STEP_IDS, type TeardownDeleteStepId } from './teardown/steps';
import { POLL_ANSWER, POLL_BUDGETS, TEARDOWN_MACHINE_TIMEOUT } from './timings';

/** The teardown chain, open at its end (after Verify Nothing Left), and its catchable states. */
export interface TeardownChain {
  /** Delete Scaling Alarms … Verify Nothing Left. */
  readonly chain: sfn.Chain;
  /** Routes a failure of any top-level state of the chain to `handler`. */
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): void;
}

export interface TeardownChainOptions {
  /** Where the cluster reference is read from. @default { clusterId: '$.clusterId', clusterName: '$.clusterName' } */
  readonly cluster?: ClusterPaths;
}

/** What the phases of the teardown chain are built with. */
interface TeardownPhaseContext {
  readonly scope: Construct;
  readonly prefix: string;
  /** A teardown step; its result goes to `$.teardown.<resultKey>`. */
  readonly step: (stateName: string, props: TeardownStepProps) => tasks.LambdaInvoke;
}

interface TeardownStepProps {
  readonly step: TeardownDeleteStepId;
  /** The fields the step needs besides the cluster reference. @default none */
  readonly payload?: PayloadFields;
  readonly result: Readonly<Record<string, string>>;
  /** The key under `$.teardown`. */
  readonly resultKey: string;
  /** A check of a poll loop (TEARDOWN_CHECK_RETRIES). @default false */
  readonly check?: boolean;
}

const DELETED = { deleted: '$.Payload.deleted' };
const STARTED = { ids: '$.Payload.ids', startedAt: '$.Payload.startedAt' };
const PROGRESS = { done: '$.Payload.done', remaining: '$.Payload.remaining', ...POLL_ANSWER };

/**
 * Builds the teardown chain. `prefix` is prepended to every state name so that the create
 * machine can embed the same chain as its rollback ('Roll Back Delete VPC').
 */
export function buildTeardownChain(
  scope: Construct,
  prefix: string,
  functions: Readonly<Record<TeardownDeleteStepId, lambda.IFunction>>,
  options: TeardownChainOptions = {}
): TeardownChain {
  const cluster = options.cluster ?? { clusterId: '$.clusterId', clusterName: '$.clusterName' };
  const ctx: TeardownPhaseContext = {
    scope,
    prefix,
    step: (stateName, props) =>
      stepTask(scope, `${prefix}${stateName}`, {
        fn: functions[props.step],
        cluster,
        ...(props.payload ? { payload: props.payload } : {}),
        result: props.result,
        resultPath: `$.teardown.${props.resultKey}`,
        retries: props.check ? TEARDOWN_CHECK_RETRIES : TEARDOWN_STEP_RETRIES,
      }),
  };
  const deleteAlarms = ctx.step('Delete Scaling Alarms', { step: 'delete-alarms', result: DELETED, resultKey: 'alarms' });
  const drain = drainPhase(ctx);
  const sequence = networkDeletionPhase(ctx);

  let chain = sfn.Chain.start(deleteAlarms).next(drain);
  for (const state of sequence) chain = chain.next(state);

  const catchable: (sfn.TaskStateBase | sfn.Parallel)[] = [deleteAlarms, drain, ...sequence];
  return {
    chain,
    addCatch(handler, props) {
      for (const state of catchable) state.addCatch(handler, props);
    },
  };
}

/**
 * The owners of ENIs and addresses, side by side (they do not depend on each other,
 * research (b) 1, 1b, 1c): [Terminate Instances → wait terminated] ‖ [Delete NAT Gateways
 * → wait deleted] ‖ [Delete Images].
 */
function drainPhase(ctx: TeardownPhaseContext): sfn.Parallel {
  const { scope, prefix, step } = ctx;
  const name = (s: string) => `${prefix}${s}`;
  const terminateBranch = deleteAndWait(ctx, {
    done: 'Instances Terminated',
    start: ['Terminate Instances', 'terminate-cluster-instances', 'instances'],
    check: ['Check Instances Terminated', 'check-instances-terminated', 'instanceTermination'],
    budgetSeconds: POLL_BUDGETS.instancesTerminated,
    subject: 'Instance Termination',
    question: 'Are Instances Terminated?',
    notDone: 'instances not terminated',
  });
  const natBranch = deleteAndWait(ctx, {
    done: 'NAT Gateways Deleted',
    start: ['Delete NAT Gateways', 'delete-nat-gateways', 'natGateways'],
    check: ['Check NAT Gateways Deleted', 'check-nat-gateways-deleted', 'natGatewayDeletion'],
    budgetSeconds: POLL_BUDGETS.natGatewaysDeleted,
    subject: 'NAT Gateway Deletion',
    question: 'Are NAT Gateways Deleted?',
    notDone: 'NAT gateways not deleted',
  });

  const imagesBranch = step('Delete Images', { step: 'delete-images', result: DELETED, resultKey: 'images' });

  return new sfn.Parallel(scope, name('Delete Instances NAT Gateways And Images'), {
    resultSelector: {
      instanceIds: sfn.JsonPath.stringAt('$[0].teardown.instances.ids'),
      natGatewayIds: sfn.JsonPath.stringAt('$[1].teardown.natGateways.ids'),
      imageIds: sfn.JsonPath.stringAt('$[2].teardown.images.deleted'),
    },
    resultPath: '$.teardown.drained',
  })
    .branch(terminateBranch)
    .branch(natBranch)
    .branch(imagesBranch);
}

/** A branch of the drain: a step that starts deletes, then the timed loop of its check. */
interface DeleteAndWaitProps {
  /** The Succeed state the loop ends in. */
  readonly done: string;
  /** State name, step and result key of the step that starts the deletes. */
  readonly start: readonly [string, TeardownDeleteStepId, string];
  /** State name, step and result key of the check. */
  readonly check: readonly [string, TeardownDeleteStepId, string];
  readonly budgetSeconds: number;
  readonly subject: string;
  readonly question: string;
  readonly notDone: string;
}

function deleteAndWait(ctx: TeardownPhaseContext, props: DeleteAndWaitProps): sfn.Chain {
  const { scope, prefix, step } = ctx;
  const [startName, startStep, startKey] = props.start;
  const [checkName, checkStep, checkKey] = props.check;
  const done = new sfn.Succeed(scope, `${prefix}${props.done}`);
  return sfn.Chain.start(step(startName, { step: startStep, result: STARTED, resultKey: startKey })).next(
    timedPollLoop(scope, {
      prefix,
      subject: props.subject,
      probe: step(checkName, {
        step: checkStep,
        payload: { since: sfn.JsonPath.stringAt(`$.teardown.${startKey}.startedAt`), budgetSeconds: props.budgetSeconds },
        result: PROGRESS,
        resultKey: checkKey,
        check: true,
      }),
      question: props.question,
      done: sfn.Condition.booleanEquals(`$.teardown.${checkKey}.done`, true),
      next: done,
      answerPath: `$.teardown.${checkKey}`,
      stepId: checkStep,
      notDone: props.notDone,
    })
  );
}

/** The network, in dependency order, then the check that nothing is left. */
function networkDeletionPhase(ctx: TeardownPhaseContext): tasks.LambdaInvoke[] {
  const { step } = ctx;
  return [
    step('Release Elastic IPs', { step: 'release-addresses', result: DELETED, resultKey: 'addresses' }),
    step('Delete Route Tables', { step: 'delete-route-tables', result: DELETED, resultKey: 'routeTables' }),
    step('Delete Internet Gateways', { step: 'delete-internet-gateways', result: DELETED, resultKey: 'internetGateways' }),
    step('Delete Security Groups', { step: 'delete-security-groups', result: DELETED, resultKey: 'securityGroups' }),
    step('Delete Subnets', { step: 'delete-subnets', result: DELETED, resultKey: 'subnets' }),
    step('Delete VPC', { step: 'delete-vpc', result: DELETED, resultKey: 'vpc' }),
    step('Verify Nothing Left', { step: 'verify-deleted', result: { remaining: '$.Payload.remaining' }, resultKey: 'remaining' }),
  ];
}

/** The input of a teardown execution. */
export interface TeardownMachineInput {
  readonly clusterId: string;
  readonly clusterName: string;
}

/** The Comment of the teardown machine's definition. */
export const TEARDOWN_COMMENT = 'Deletes every resource tagged with the cluster id, in dependency order';

/**
 * Builds the whole teardown definition: Mark Cluster Deleting, the chain, then `Cluster
 * Deleted`; any failure → Record Delete Failure (status DELETE_FAILED) → `Delete Failed`.
 * (The create machine's rollback embeds the chain without Mark Cluster Deleting: a cluster
 * that never became CREATE_COMPLETE cannot be scaled.)
 */
export function buildTeardownDefinition(scope: Construct, functions: TeardownFunctions): sfn.IChainable {
  const cluster: ClusterPaths = { clusterId: '$.clusterId', clusterName: '$.clusterName' };
  const markDeleting = stepTask(scope, 'Mark Cluster Deleting', {
    fn: functions['mark-deleting'],
    cluster,
    result: { status: '$.Payload.status' },
    resultPath: '$.teardown.marked',
    retries: TEARDOWN_STEP_RETRIES,
  });
  const teardown = buildTeardownChain(scope, '', functions, { cluster });

  const deleteFailed = new sfn.Fail(scope, 'Delete Failed', { error: 'DELETE_FAILED', causePath: FAILURE_CAUSE_PATH });
  const record = recordFailureTask(scope, 'Record Delete Failure', { fn: functions['record-failure'], cluster, status: 'DELETE_FAILED' });
  record.addCatch(unrecordedFailure(scope, 'Note Unrecorded Delete Failure', 'DELETE_FAILED').next(deleteFailed), {
    errors: [sfn.Errors.ALL],
    resultPath: '$.recordError',
  });
  record.next(deleteFailed);
  teardown.addCatch(record, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  markDeleting.addCatch(record, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  return sfn.Chain.start(markDeleting).next(teardown.chain).next(new sfn.Succeed(scope, 'Cluster Deleted'));
}

/** The functions of the teardown steps, mark-deleting and record-failure. */
export type TeardownClusterMachineProps = ClusterMachineProps<TeardownFunctions>;

/** The teardown state machine (Standard). Input: `{ clusterId, clusterName }`. */
export class TeardownClusterMachine extends ClusterMachine<TeardownFunctions> {
  constructor(scope: Construct, id: string, props: TeardownClusterMachineProps) {
    super(scope, id, props, {
      label: 'teardown',
      comment: TEARDOWN_COMMENT,
      defaultTimeout: TEARDOWN_MACHINE_TIMEOUT,
      minTimeout: { duration: Duration.minutes(1), text: 'one minute' },
      stepIds: TEARDOWN_MACHINE_STEP_IDS,
      definition: buildTeardownDefinition,
    });
  }
}
