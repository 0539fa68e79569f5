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
import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { TeardownStepId } from '../functions/shared/contracts';
import { buildStandardMachine, type MachineObservabilityProps } from './observability';
import { pollLoop } from './poll-loop';
import { ERROR_PATH, FAILURE_CAUSE_PATH, recordFailureTask, unrecordedFailure } from './record-failure';
import { TEARDOWN_CHECK_RETRIES, TEARDOWN_STEP_RETRIES } from './retry';
import { type ClusterPaths, type StepFunctions, stepTask, type TeardownFunctions } from './step-task';
import { INSTANCES_TERMINATED, NAT_GATEWAYS_DELETED, TEARDOWN_MACHINE_TIMEOUT } from './timings';

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

/**
 * Builds the teardown chain. `prefix` is prepended to every state name so that the create
 * machine can embed the same chain as its rollback ('Roll Back Delete VPC').
 */
export function buildTeardownChain(
  scope: Construct,
  prefix: string,
  functions: Readonly<Record<TeardownStepId, StepFunctions[TeardownStepId]>>,
  options: TeardownChainOptions = {}
): TeardownChain {
  const cluster = options.cluster ?? { clusterId: '$.clusterId', clusterName: '$.clusterName' };
  const name = (s: string) => `${prefix}${s}`;
  const step = (stateName: string, id: TeardownStepId, result: Record<string, string>, resultKey: string, check = false) =>
    stepTask(scope, name(stateName), {
      fn: functions[id],
      cluster,
      result,
      resultPath: `$.teardown.${resultKey}`,
      retries: check ? TEARDOWN_CHECK_RETRIES : TEARDOWN_STEP_RETRIES,
    });
  const deleted = { deleted: '$.Payload.deleted' };
  const started = { ids: '$.Payload.ids' };
  const progress = { done: '$.Payload.done', remaining: '$.Payload.remaining' };

  const deleteAlarms = step('Delete Scaling Alarms', 'delete-alarms', deleted, 'alarms');

  const instancesTerminated = new sfn.Succeed(scope, name('Instances Terminated'));
  const terminateBranch = sfn.Chain.start(step('Terminate Instances', 'terminate-cluster-instances', started, 'instances')).next(
    pollLoop(scope, {
      prefix,
      subject: 'Instance Termination',
      counter: 'instancesTerminated',
      probe: step('Check Instances Terminated', 'check-instances-terminated', progress, 'instanceTermination', true),
      question: 'Are Instances Terminated?',
      done: sfn.Condition.booleanEquals('$.teardown.instanceTermination.done', true),
      next: instancesTerminated,
      timing: INSTANCES_TERMINATED,
      stepId: 'check-instances-terminated',
      notDone: 'instances not terminated',
    })
  );

  const natGatewaysDeleted = new sfn.Succeed(scope, name('NAT Gateways Deleted'));
  const natBranch = sfn.Chain.start(step('Delete NAT Gateways', 'delete-nat-gateways', started, 'natGateways')).next(
    pollLoop(scope, {
      prefix,
      subject: 'NAT Gateway Deletion',
      counter: 'natGatewaysDeleted',
      probe: step('Check NAT Gateways Deleted', 'check-nat-gateways-deleted', progress, 'natGatewayDeletion', true),
      question: 'Are NAT Gateways Deleted?',
      done: sfn.Condition.booleanEquals('$.teardown.natGatewayDeletion.done', true),
      next: natGatewaysDeleted,
      timing: NAT_GATEWAYS_DELETED,
      stepId: 'check-nat-gateways-deleted',
      notDone: 'NAT gateways not deleted',
    })
  );

  const imagesBranch = step('Delete Images', 'delete-images', deleted, 'images');

  // Instances, NAT gateways and images do not depend on each other (research (b) 1, 1b, 1c).
  const drain = new sfn.Parallel(scope, name('Delete Instances NAT Gateways And Images'), {
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

  const sequence = [
    step('Release Elastic IPs', 'release-addresses', deleted, 'addresses'),
    step('Delete Route Tables', 'delete-route-tables', deleted, 'routeTables'),
    step('Delete Internet Gateways', 'delete-internet-gateways', deleted, 'internetGateways'),
    step('Delete Security Groups', 'delete-security-groups', deleted, 'securityGroups'),
    step('Delete Subnets', 'delete-subnets', deleted, 'subnets'),
    step('Delete VPC', 'delete-vpc', deleted, 'vpc'),
    step('Verify Nothing Left', 'verify-deleted', { remaining: '$.Payload.remaining' }, 'remaining'),
  ];

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

export interface TeardownClusterMachineProps extends MachineObservabilityProps {
  /** The functions of the teardown steps, mark-deleting and record-failure. */
  readonly functions: TeardownFunctions;
  /** @default 2 hours (TEARDOWN_MACHINE_TIMEOUT) */
  readonly timeout?: Duration;
  /** @default a name generated by CloudFormation */
  readonly stateMachineName?: string;
}

/** The teardown state machine (Standard). Input: `{ clusterId, clusterName }`. */
export class TeardownClusterMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.ILogGroup;
  /** Fires when an execution fails. */
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: TeardownClusterMachineProps) {
    super(scope, id);
    const timeout = props.timeout ?? TEARDOWN_MACHINE_TIMEOUT;
    if (timeout.toSeconds() < 60) throw new Error('TeardownClusterMachine: timeout must be at least one minute');
    const machine = buildStandardMachine(this, {
      ...props,
      machineLabel: 'teardown',
      comment: TEARDOWN_COMMENT,
      timeout,
      definition: (scope) => buildTeardownDefinition(scope, props.functions),
    });
    this.stateMachine = machine.stateMachine;
    this.logGroup = machine.logGroup;
    this.failedAlarm = machine.failedAlarm;
  }
}
