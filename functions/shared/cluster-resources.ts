/**
 * Listing everything live that belongs to a cluster, over EC2, CloudWatch and SSM: what
 * Verify Deleted checks is gone.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { EC2Client, RouteTable } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { clusterClaims } from './bake-claims';
import {
  findAddresses,
  findImages,
  findInstances,
  findInternetGateways,
  findNatGateways,
  findRouteTables,
  findSecurityGroups,
  findSnapshots,
  findSubnets,
  findVpcs,
  LIVE_INSTANCE_STATES,
  LIVE_NAT_STATES,
} from './discovery';
import { findAlarms } from './discovery-alarms';

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
  | 'alarm'
  | 'image-bake-claim';

/** One live resource of a cluster. */
export interface ClusterResource {
  readonly id: string;
  readonly type: ClusterResourceType;
  readonly state: string;
}

/**
 * Everything live that carries the cluster's tag (alarms: its name prefix): instances not
 * terminated, NAT gateways not deleted, images, snapshots, Elastic IPs, route tables,
 * internet gateways, security groups, subnets, VPCs, alarms and claims on image bakes
 * (SSM parameters), in teardown order.
 */
export async function listClusterResources(
  clusterId: string,
  { ec2, cloudwatch, ssm }: { readonly ec2: EC2Client; readonly cloudwatch: CloudWatchClient; readonly ssm: SSMClient }
): Promise<ClusterResource[]> {
  const [claims, alarms, instances, nats, images, snapshots, addresses, routeTables, gateways, groups, subnets, vpcs] = await Promise.all([
    clusterClaims(ssm, clusterId),
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
    ...claims.map((c) => resource(c.name, 'image-bake-claim', c.expiresAt > Date.now() ? 'held' : 'expired')),
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
