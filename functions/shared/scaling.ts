/**
 * What the scale steps share: the scaling tags on the cluster's VPC (settings, scale lease,
 * last scale) and the alarm names. Reading the agent-load document's answer is in
 * `agent-load.ts`.
 *
 * The VPC's tags are the cluster's scaling record, as they are its status: the create
 * writes the settings (Create Scaling Alarms), Plan Scale takes a lease by setting the
 * status UPDATE_IN_PROGRESS with its execution id, and Record Scale gives it back.
 */
import { DescribeVpcsCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import type { AutoscalingSpec } from './cluster-spec-rules';
import type { ScaleDirection } from './contracts';
import { clusterFilters, TAG_SCALE_EXECUTION, TAG_SCALE_STARTED_AT, TAG_STATUS } from './tags';

/** Cluster statuses the scale steps read and write (the others are the create's and teardown's). */
export const STATUS = {
  createInProgress: 'CREATE_IN_PROGRESS',
  createComplete: 'CREATE_COMPLETE',
  updateInProgress: 'UPDATE_IN_PROGRESS',
  deleteInProgress: 'DELETE_IN_PROGRESS',
  deleteComplete: 'DELETE_COMPLETE',
} as const;

/**
 * A lease older than this is abandoned (its execution died without Record Scale) and may be
 * taken over. Longer than the scale machine's timeout.
 */
export const SCALE_LEASE_SECONDS = 3 * 3600;

/** Suggested poll of the drain: every 30 s, at most 20 times (a 10-minute drain timeout). */
export const DRAIN_POLL_SECONDS = 30;
export const DRAIN_TIMEOUT_SECONDS = 600;

/** The cluster's VPC and its tags, as a record. */
export interface ClusterVpc {
  readonly vpcId: string;
  readonly tags: Readonly<Record<string, string>>;
}

/** The cluster's VPC found by tag, or undefined when there is none (never created, or deleted). */
export async function findClusterVpc(ec2: EC2Client, clusterId: string): Promise<ClusterVpc | undefined> {
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId, 'vpc') }));
  const vpc = Vpcs.find((v) => v.VpcId);
  if (!vpc?.VpcId) return undefined;
  return { vpcId: vpc.VpcId, tags: tagRecord(vpc.Tags) };
}

/** An EC2 tag list as a record. */
export function tagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key) record[tag.Key] = tag.Value ?? '';
  return record;
}

/** The status on the VPC; a VPC without one is still being created. */
export function clusterStatus(tags: Readonly<Record<string, string>>): string {
  return tags[TAG_STATUS] || STATUS.createInProgress;
}

/** The scale lease on the VPC, if an execution holds it. */
export interface ScaleLease {
  readonly owner: string;
  /** Epoch ms; NaN when the tag is missing or malformed (treated as abandoned). */
  readonly startedAt: number;
}

export function scaleLease(tags: Readonly<Record<string, string>>): ScaleLease | undefined {
  const owner = tags[TAG_SCALE_EXECUTION];
  if (clusterStatus(tags) !== STATUS.updateInProgress || !owner) return undefined;
  return { owner, startedAt: Date.parse(tags[TAG_SCALE_STARTED_AT] ?? '') };
}

/** True when a lease has outlived SCALE_LEASE_SECONDS (or has no readable start). */
export function leaseExpired(lease: ScaleLease, now: number): boolean {
  return !Number.isFinite(lease.startedAt) || now - lease.startedAt > SCALE_LEASE_SECONDS * 1000;
}

const AUTOSCALING_KEYS: readonly [keyof AutoscalingSpec, string][] = [
  ['minSlaves', 'min'],
  ['maxSlaves', 'max'],
  ['scaleOutAbovePercent', 'out'],
  ['scaleInBelowPercent', 'in'],
  ['step', 'step'],
  ['cooldownSeconds', 'cooldown'],
];

/** The autoscaling tag value: `min=1,max=10,out=75,in=25,step=2,cooldown=300`. */
export function formatAutoscalingTag(spec: AutoscalingSpec): string {
  return AUTOSCALING_KEYS.map(([field, key]) => `${key}=${spec[field]}`).join(',');
}

/** The fields of an autoscaling tag value; unknown keys and malformed numbers are left out. */
export function parseAutoscalingTag(value: string | undefined): Partial<AutoscalingSpec> {
  const parsed: Partial<Record<keyof AutoscalingSpec, number>> = {};
  for (const part of (value ?? '').split(',')) {
    const [key, raw] = part.split('=');
    const field = AUTOSCALING_KEYS.find(([, k]) => k === key?.trim())?.[0];
    const number = Number(raw);
    if (field && raw !== undefined && raw.trim() !== '' && Number.isFinite(number)) parsed[field] = number;
  }
  return parsed;
}

/** `mesos-cluster-<clusterId>-scale-out` / `-scale-in`: the prefix of Delete Alarms finds them. */
export function scalingAlarmName(clusterId: string, direction: ScaleDirection): string {
  return `mesos-cluster-${clusterId}-scale-${direction}`;
}

/** The cluster id and direction of a scaling alarm's name, or undefined for another name. */
export function parseScalingAlarmName(name: string): { clusterId: string; direction: ScaleDirection } | undefined {
  const match = /^mesos-cluster-(.+)-scale-(out|in)$/.exec(name);
  if (!match?.[1] || !match[2]) return undefined;
  return { clusterId: match[1], direction: match[2] as ScaleDirection };
}
