/**
 * Finding a cluster's resources by its `mesos-cluster:id` tag, never from a create's
 * output, so that teardown and status work on a half-created, half-deleted or already
 * deleted cluster. Also the small helpers the teardown steps share: deleting each found
 * resource with "already gone" as success and dependency errors as "not yet".
 */
import { type CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import {
  type Address,
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Filter,
  type Image,
  type Instance,
  type InstanceStateName,
  type InternetGateway,
  type NatGateway,
  type NatGatewayState,
  type RouteTable,
  type SecurityGroup,
  type Snapshot,
  type Subnet,
  type Vpc,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, hasCode } from './aws-errors';
import { RetryableError } from './errors';
import { clusterFilters } from './tags';

/** Instance states that still hold an ENI: everything except `terminated`. */
export const LIVE_INSTANCE_STATES: readonly InstanceStateName[] = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/** NAT gateway states that are not `deleted`. */
export const LIVE_NAT_STATES: readonly NatGatewayState[] = ['pending', 'available', 'deleting', 'failed'];

/** A guard against a service that keeps returning a NextToken. */
const MAX_PAGES = 100;

/** Reads every page of a Describe call that paginates with NextToken. */
async function allPages<T>(fetch: (token: string | undefined) => Promise<{ items?: T[]; next?: string }>): Promise<T[]> {
  const items: T[] = [];
  let token: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const result = await fetch(token);
    items.push(...(result.items ?? []));
    if (!result.next || result.next === token) break;
    token = result.next;
  }
  return items;
}

function stateFilter(name: string, values: readonly string[] | undefined): Filter[] {
  return values ? [{ Name: name, Values: [...values] }] : [];
}

/** The cluster's instances in the given states. */
export async function findInstances(ec2: EC2Client, clusterId: string, states: readonly InstanceStateName[]): Promise<Instance[]> {
  const Filters = [...clusterFilters(clusterId), ...stateFilter('instance-state-name', states)];
  const reservations = await allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeInstancesCommand({ Filters, NextToken }));
    return { items: out.Reservations, next: out.NextToken };
  });
  return reservations.flatMap((r) => r.Instances ?? []);
}

/** The cluster's NAT gateways, in the given states or in any state (a deleted NAT stays visible for about an hour). */
export async function findNatGateways(ec2: EC2Client, clusterId: string, states?: readonly NatGatewayState[]): Promise<NatGateway[]> {
  // DescribeNatGateways names its filter list `Filter`, not `Filters`.
  const Filter = [...clusterFilters(clusterId), ...stateFilter('state', states)];
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeNatGatewaysCommand({ Filter, NextToken }));
    return { items: out.NatGateways, next: out.NextToken };
  });
}

/** The cluster's AMIs owned by this account. */
export async function findImages(ec2: EC2Client, clusterId: string): Promise<Image[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.Images, next: out.NextToken };
  });
}

/** The cluster's EBS snapshots owned by this account. */
export async function findSnapshots(ec2: EC2Client, clusterId: string): Promise<Snapshot[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeSnapshotsCommand({ OwnerIds: ['self'], Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.Snapshots, next: out.NextToken };
  });
}

/** The cluster's Elastic IPs (DescribeAddresses does not paginate). */
export async function findAddresses(ec2: EC2Client, clusterId: string): Promise<Address[]> {
  const out = await ec2.send(new DescribeAddressesCommand({ Filters: clusterFilters(clusterId) }));
  return out.Addresses ?? [];
}

/** The cluster's route tables (the main one too, when tagged). */
export async function findRouteTables(ec2: EC2Client, clusterId: string): Promise<RouteTable[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeRouteTablesCommand({ Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.RouteTables, next: out.NextToken };
  });
}

/** The cluster's internet gateways. */
export async function findInternetGateways(ec2: EC2Client, clusterId: string): Promise<InternetGateway[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeInternetGatewaysCommand({ Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.InternetGateways, next: out.NextToken };
  });
}

/** The cluster's security groups. */
export async function findSecurityGroups(ec2: EC2Client, clusterId: string): Promise<SecurityGroup[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.SecurityGroups, next: out.NextToken };
  });
}

/** The cluster's subnets. */
export async function findSubnets(ec2: EC2Client, clusterId: string): Promise<Subnet[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeSubnetsCommand({ Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.Subnets, next: out.NextToken };
  });
}

/** The cluster's VPCs. */
export async function findVpcs(ec2: EC2Client, clusterId: string): Promise<Vpc[]> {
  return allPages(async (NextToken) => {
    const out = await ec2.send(new DescribeVpcsCommand({ Filters: clusterFilters(clusterId), NextToken }));
    return { items: out.Vpcs, next: out.NextToken };
  });
}

/**
 * Ids of the network interfaces matching one filter (e.g. `subnet-id`), at most `limit`:
 * the diagnostics for a DependencyViolation. One page only.
 */
export async function findNetworkInterfaceIds(ec2: EC2Client, filter: Filter, limit = 10): Promise<string[]> {
  const out = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [filter] }));
  return (out.NetworkInterfaces ?? [])
    .map((eni) => eni.NetworkInterfaceId)
    .filter(isString)
    .slice(0, limit);
}

/**
 * Awaits a delete (subnet, VPC) that fails with DependencyViolation while ENIs still drain,
 * and turns that into a RetryableError naming the network interfaces that match
 * `eniFilter` (ids only, at most 10), so a teardown that runs out of retries says what blocked it.
 */
export async function explainDependency(ec2: EC2Client, call: Promise<unknown>, eniFilter: Filter): Promise<void> {
  try {
    await call;
  } catch (err) {
    if (!hasCode(err, 'DependencyViolation')) throw err;
    let enis: string[] = [];
    try {
      enis = await findNetworkInterfaceIds(ec2, eniFilter, 10);
    } catch {
      // Diagnostics only: the DependencyViolation is the error to report.
    }
    const detail = enis.length > 0 ? `network interfaces ${enis.join(', ')}` : 'no network interface left';
    throw new RetryableError(`DependencyViolation: ${(err as Error).message} (${detail})`, { cause: err });
  }
}

/** The name prefix of every CloudWatch alarm of a cluster. */
export function alarmPrefix(clusterId: string): string {
  return `mesos-cluster-${clusterId}-`;
}

/** The cluster's metric alarms, found by name prefix (CloudWatch cannot filter alarms by tag). */
export async function findAlarms(cloudwatch: CloudWatchClient, clusterId: string): Promise<MetricAlarm[]> {
  const AlarmNamePrefix = alarmPrefix(clusterId);
  return allPages(async (NextToken) => {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix, NextToken }));
    return { items: out.MetricAlarms, next: out.NextToken };
  });
}

/** Kinds of resource a cluster owns, as listed by `listClusterResources`. */
export type ClusterResourceType =
  | 'instance'
  | 'nat-gateway'
  | 'image'
  | 'snapshot'
  | 'elastic-ip'
  | 'route-table'
  | 'internet-gateway'
  | 'security-group'
  | 'subnet'
  | 'vpc'
  | 'alarm';

/** One live resource of a cluster. */
export interface ClusterResource {
  readonly id: string;
  readonly type: ClusterResourceType;
  readonly state: string;
}

/**
 * Everything live that carries the cluster's tag (alarms: its name prefix): instances not
 * terminated, NAT gateways not deleted, images, snapshots, Elastic IPs, route tables,
 * internet gateways, security groups, subnets, VPCs and alarms, in teardown order.
 */
export async function listClusterResources(
  clusterId: string,
  { ec2, cloudwatch }: { readonly ec2: EC2Client; readonly cloudwatch: CloudWatchClient }
): Promise<ClusterResource[]> {
  const [alarms, instances, nats, images, snapshots, addresses, routeTables, gateways, groups, subnets, vpcs] = await Promise.all([
    findAlarms(cloudwatch, clusterId),
    findInstances(ec2, clusterId, LIVE_INSTANCE_STATES),
    findNatGateways(ec2, clusterId, LIVE_NAT_STATES),
    findImages(ec2, clusterId),
    findSnapshots(ec2, clusterId),
    findAddresses(ec2, clusterId),
    findRouteTables(ec2, clusterId),
    findInternetGateways(ec2, clusterId),
    findSecurityGroups(ec2, clusterId),
    findSubnets(ec2, clusterId),
    findVpcs(ec2, clusterId),
  ]);
  const found: (ClusterResource | undefined)[] = [
    ...alarms.map((a) => resource(a.AlarmName, 'alarm', a.StateValue)),
    ...instances.map((i) => resource(i.InstanceId, 'instance', i.State?.Name)),
    ...nats.map((n) => resource(n.NatGatewayId, 'nat-gateway', n.State)),
    ...images.map((i) => resource(i.ImageId, 'image', i.State)),
    ...snapshots.map((s) => resource(s.SnapshotId, 'snapshot', s.State)),
    ...addresses.map((a) => resource(a.AllocationId, 'elastic-ip', a.AssociationId ? 'associated' : 'unassociated')),
    ...routeTables.map((rt) => resource(rt.RouteTableId, 'route-table', routeTableState(rt))),
    ...gateways.map((g) => resource(g.InternetGatewayId, 'internet-gateway', g.Attachments?.[0]?.State ?? 'detached')),
    ...groups.map((g) => resource(g.GroupId, 'security-group', 'exists')),
    ...subnets.map((s) => resource(s.SubnetId, 'subnet', s.State)),
    ...vpcs.map((v) => resource(v.VpcId, 'vpc', v.State)),
  ];
  return found.filter((r): r is ClusterResource => r !== undefined);
}

function resource(id: string | undefined, type: ClusterResourceType, state: string | undefined): ClusterResource | undefined {
  return id ? { id, type, state: state ?? 'unknown' } : undefined;
}

function routeTableState(rt: RouteTable): string {
  const associations = rt.Associations ?? [];
  if (associations.some((a) => a.Main)) return 'main';
  return associations.length > 0 ? 'associated' : 'unassociated';
}

// ---------------------------------------------------------------- delete helpers

/** Narrows away undefined, for `.filter(isString)` on optional SDK ids. */
export function isString(value: string | undefined): value is string {
  return typeof value === 'string';
}

/** Splits a list into chunks of at most `size` (the per-call limit of a batch API). */
export function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Awaits a call whose failure with one of `codes` means "already done" (already gone,
 * already detached). Resolves true when the call succeeded, false for such a code;
 * rethrows anything else.
 */
export async function unlessGone(call: Promise<unknown>, ...codes: string[]): Promise<boolean> {
  try {
    await call;
    return true;
  } catch (err) {
    if (hasCode(err, ...codes)) return false;
    throw err;
  }
}

/** How `deleteEach` reads the errors of one delete. */
export interface DeleteEachOptions {
  /** The resources, in plural, for the error message: `security groups`. */
  readonly what: string;
  /** Codes meaning the resource is already gone: counted as success. */
  readonly goneCodes: readonly string[];
  /**
   * Codes meaning "not yet" (DependencyViolation, InUse): the resource is noted, the others
   * are still tried, and one RetryableError names every blocked resource at the end. A
   * RetryableError thrown by `remove` counts the same way.
   */
  readonly retryCodes: readonly string[];
}

/** At most this many blocked resources are named in a RetryableError. */
const MAX_NAMED = 10;

/**
 * Deletes each resource in turn with `remove`. Returns the ids it deleted (not those that
 * were already gone). Errors other than `goneCodes` and `retryCodes` are thrown at once.
 */
export async function deleteEach(
  ids: readonly string[],
  remove: (id: string) => Promise<unknown>,
  options: DeleteEachOptions
): Promise<string[]> {
  const deleted: string[] = [];
  const blocked: { id: string; err: unknown }[] = [];
  for (const id of ids) {
    try {
      await remove(id);
      deleted.push(id);
    } catch (err) {
      if (hasCode(err, ...options.goneCodes)) continue;
      const retryable = (err instanceof Error && err.name === 'RetryableError') || hasCode(err, ...options.retryCodes);
      if (!retryable) throw err;
      blocked.push({ id, err });
    }
  }
  if (blocked.length > 0) {
    const named = blocked.slice(0, MAX_NAMED).map(({ id, err }) => `${id} (${describeError(err)})`);
    const more = blocked.length > MAX_NAMED ? `; and ${blocked.length - MAX_NAMED} more` : '';
    throw new RetryableError(`${blocked.length} of ${ids.length} ${options.what} not deleted yet: ${named.join('; ')}${more}`, {
      cause: blocked[0]?.err,
    });
  }
  return deleted;
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = awsErrorCode(err);
  return code && !message.startsWith(code) ? `${code}: ${message}` : message;
}
