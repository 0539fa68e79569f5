/**
 * Finding a cluster's EC2 resources by its `mesos-cluster:id` tag, never from a create's
 * output, so that teardown and status work on a half-created, half-deleted or already
 * deleted cluster. EC2 only: the alarms are in `discovery-alarms.ts`, the listing of
 * everything in `cluster-resources.ts`; the delete helpers (re-exported here) are in
 * `delete-helpers.ts`.
 */
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
import { hasCode } from './aws-errors';
import { isString } from './delete-helpers';
import { RetryableError } from './errors';
import { allPages } from './pages';
import { clusterFilters } from './tags';

export { chunks, type DeleteEachOptions, deleteEach, isString, unlessGone } from './delete-helpers';

/** Instance states that still hold an ENI: everything except `terminated`. */
export const LIVE_INSTANCE_STATES: readonly InstanceStateName[] = ['pending', 'running', 'shutting-down', 'stopping', 'stopped'];

/** NAT gateway states that are not `deleted`. */
export const LIVE_NAT_STATES: readonly NatGatewayState[] = ['pending', 'available', 'deleting', 'failed'];

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
