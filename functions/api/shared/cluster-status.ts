/**
 * A cluster's status, read from what exists: the resources tagged with its id (the VPC's
 * status and failure-code tags) and the executions named after it. No database: a running
 * execution says what is happening now, the newest finished create or delete says how the
 * cluster ended up, and the VPC's tags fill in what executions cannot show (a scale started
 * by an alarm, a cluster created by the CLI without the API).
 */

import { DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { nameOfClusterId } from '../../shared/cluster-id';
import { type ClusterDescription, describeCluster, isEmptyDescription } from '../../shared/describe-cluster';
import { clusterFilters, TAG_SCALE_EXECUTION, tagValue } from '../../shared/tags';
import type { ApiConfig } from './config';
import {
  createExecutionName,
  describeExecution,
  type ExecutionSummary,
  executionArnOf,
  executionsOfCluster,
  listAllExecutions,
} from './executions';

/** The status model (as AWS ParallelCluster's). */
export const CLUSTER_STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'UPDATE_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
] as const;
export type ClusterStatus = (typeof CLUSTER_STATUSES)[number];

/** How many executions a cluster's status shows besides the current one. */
export const RECENT_EXECUTIONS = 10;

function isStatus(value: string | null | undefined): value is ClusterStatus {
  return (CLUSTER_STATUSES as readonly string[]).includes(value ?? '');
}

/** What the status is derived from. */
export interface StatusInputs {
  /** `mesos-cluster:status` on the VPC. */
  readonly statusTag: string | null;
  /** `mesos-cluster:failure-code` on the VPC. */
  readonly failureCodeTag: string | null;
  /** Whether anything tagged with the cluster id exists. */
  readonly hasResources: boolean;
  /** The cluster's executions, newest first. */
  readonly executions: readonly ExecutionSummary[];
}

/** The status and the executions behind it. */
export interface DerivedStatus {
  readonly status: ClusterStatus;
  /** The running execution that the status reports on. */
  readonly current?: ExecutionSummary;
  /** The finished execution whose outcome is the status (its cause holds a failure). */
  readonly decidedBy?: ExecutionSummary;
}

/**
 * The status of a cluster, or undefined when nothing shows that it ever existed. A
 * running delete wins over a running create (a delete stops the create), which wins over a
 * running scale; otherwise the newest finished create or delete decides.
 */
export function deriveStatus(inputs: StatusInputs): DerivedStatus | undefined {
  const running = (kind: ExecutionSummary['kind']) => inputs.executions.find((e) => e.kind === kind && e.status === 'RUNNING');
  const runningDelete = running('delete');
  if (runningDelete) return { status: 'DELETE_IN_PROGRESS', current: runningDelete };
  const runningCreate = running('create');
  if (runningCreate) return { status: 'CREATE_IN_PROGRESS', current: runningCreate };
  const runningScale = running('scale');
  if (runningScale) return { status: 'UPDATE_IN_PROGRESS', current: runningScale };

  const last = inputs.executions.find((e) => e.kind === 'create' || e.kind === 'delete');
  if (last?.kind === 'delete') {
    return { status: last.status === 'SUCCEEDED' ? 'DELETE_COMPLETE' : 'DELETE_FAILED', decidedBy: last };
  }
  if (last?.kind === 'create') {
    if (last.status !== 'SUCCEEDED') return { status: 'CREATE_FAILED', decidedBy: last };
    // A scale started by an alarm (no execution named after the cluster) shows in the tag.
    const tagged = isStatus(inputs.statusTag) ? inputs.statusTag : 'CREATE_COMPLETE';
    return { status: tagged, decidedBy: last };
  }
  if (isStatus(inputs.statusTag)) return { status: inputs.statusTag };
  // A VPC without a status tag is still being created (Mark Cluster Ready sets it).
  if (inputs.hasResources) return { status: 'CREATE_IN_PROGRESS' };
  return undefined;
}

/** The machine-readable code and the human reason of a failed execution. */
export interface Failure {
  readonly failureCode: string;
  readonly failureReason: string;
}

/**
 * The failure of a finished execution: the `Create Failed` / `Delete Failed` states report
 * `<FAILURE_CODE>: <reason>` as their cause; a timeout or a stop has no such cause.
 */
export function failureOf(
  execution: { kind: ExecutionSummary['kind']; status: string; error?: string; cause?: string },
  failureCodeTag: string | null
): Failure | undefined {
  if (execution.status === 'SUCCEEDED' || execution.status === 'RUNNING') return undefined;
  const match = /^([A-Z][A-Z0-9_]*): ([\s\S]*)$/.exec(execution.cause ?? '');
  if (match?.[1] && match[2] !== undefined) return { failureCode: match[1], failureReason: match[2] };
  const fallback = execution.kind === 'delete' ? 'DELETE_FAILED' : execution.kind === 'scale' ? 'SCALE_FAILED' : 'CREATE_FAILED';
  const reasons: Record<string, string> = {
    TIMED_OUT: 'the execution timed out',
    ABORTED: 'the execution was stopped',
  };
  return {
    failureCode: failureCodeTag ?? fallback,
    failureReason: execution.cause || execution.error || reasons[execution.status] || `the execution ended ${execution.status}`,
  };
}

/** A master as the API shows it, with its UIs. */
export interface MasterView {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  readonly publicIp: string | null;
  readonly mesosUrl: string | null;
  readonly marathonUrl: string | null;
}

/** `GET /clusters/{id}`. */
export interface ClusterView {
  readonly id: string;
  readonly name: string;
  readonly status: ClusterStatus;
  readonly failureCode?: string;
  readonly failureReason?: string;
  /** The first master's UIs. */
  readonly mesosUrl: string | null;
  readonly marathonUrl: string | null;
  readonly masters: MasterView[];
  readonly slaveCount: number;
  readonly vpcId: string | null;
  readonly imageId: string | null;
  readonly currentExecution: ExecutionSummary | null;
  readonly recentExecutions: ExecutionSummary[];
}

/** Builds the view of a cluster from its description, status and executions. */
export function clusterView(
  id: string,
  description: ClusterDescription,
  derived: DerivedStatus,
  executions: readonly ExecutionSummary[],
  failure: Failure | undefined
): ClusterView {
  const masters = description.masters.map((m) => ({
    instanceId: m.instanceId,
    availabilityZone: m.availabilityZone,
    privateIp: m.privateIp,
    publicIp: m.publicIp,
    mesosUrl: m.publicIp ? `http://${m.publicIp}:5050` : null,
    marathonUrl: m.publicIp ? `http://${m.publicIp}:8080` : null,
  }));
  return {
    id,
    name: description.name ?? nameOfClusterId(id),
    status: derived.status,
    ...(failure ?? {}),
    mesosUrl: description.mesosUrl,
    marathonUrl: description.marathonUrl,
    masters,
    slaveCount: description.slaves.length,
    vpcId: description.vpc?.id ?? null,
    imageId: description.imageId,
    currentExecution: derived.current ?? null,
    recentExecutions: executions.slice(0, RECENT_EXECUTIONS),
  };
}

/** The AWS clients and config a status read uses. */
export interface StatusDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
}

/**
 * Reads one cluster: its description (ten filtered EC2 Describe calls), the newest
 * executions of each machine, and — only when needed — the create execution by name, the
 * failed execution's cause, or the scale execution that holds the lease.
 */
export async function readCluster(clusterId: string, deps: StatusDeps): Promise<ClusterView | undefined> {
  const [description, all] = await Promise.all([describeCluster(clusterId, deps), listAllExecutions(deps.sfn, deps.config)]);
  const executions = executionsOfCluster(all, clusterId);
  if (!executions.some((e) => e.kind === 'create')) {
    // Older than the newest page of the create machine's executions: look it up by name.
    const arn = executionArnOf(deps.config.createMachineArn, createExecutionName(clusterId));
    const create = await describeExecution(deps.sfn, 'create', arn);
    if (create) {
      const { error: _e, cause: _c, input: _i, ...summary } = create;
      executions.push(summary);
    }
  }
  const derived = deriveStatus({
    statusTag: description.statusTag,
    failureCodeTag: description.failureCodeTag,
    hasResources: !isEmptyDescription(description),
    executions,
  });
  if (!derived) return undefined;

  let failure: Failure | undefined;
  if (derived.decidedBy && derived.decidedBy.status !== 'SUCCEEDED') {
    const detail = await describeExecution(deps.sfn, derived.decidedBy.kind, derived.decidedBy.executionArn);
    failure = failureOf(detail ?? derived.decidedBy, description.failureCodeTag);
  } else if (!derived.decidedBy && !derived.current && description.failureCodeTag) {
    failure = { failureCode: description.failureCodeTag, failureReason: 'see the execution history of the failed run' };
  }

  let withLease = derived;
  if (derived.status === 'UPDATE_IN_PROGRESS' && !derived.current && deps.config.scaleMachineArn) {
    const current = await leaseHolder(clusterId, deps);
    if (current) withLease = { ...derived, current };
  }
  return clusterView(clusterId, description, withLease, executions, failure);
}

/** The running scale execution that holds the cluster's scale lease (an alarm or schedule scale). */
async function leaseHolder(clusterId: string, deps: StatusDeps): Promise<ExecutionSummary | undefined> {
  const { Vpcs = [] } = await deps.ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') }));
  const arn = tagValue(Vpcs[0]?.Tags, TAG_SCALE_EXECUTION);
  if (!arn) return undefined;
  const execution = await describeExecution(deps.sfn, 'scale', arn);
  if (execution?.status !== 'RUNNING') return undefined;
  const { error: _e, cause: _c, input: _i, ...summary } = execution;
  return summary;
}
