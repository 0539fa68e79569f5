/**
 * Describes a cluster from its tags: every resource that carries `mesos-cluster:id` =
 * the cluster id, found with filtered Describe calls (never unfiltered). Tags are the
 * source of truth, so this works the same against the simulated cloud, LocalStack and a
 * real account, and shows what a half-created or half-deleted cluster still holds.
 */
import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  type Image,
  type Instance,
  type NatGateway,
} from '@aws-sdk/client-ec2';
import { isNotFound } from './aws-errors';
import { describeInstances, LIVE_INSTANCE_STATES } from './instances';
import {
  clusterFilters,
  TAG_BAKED_BY,
  TAG_FAILURE_CODE,
  TAG_ID,
  TAG_IMAGE_HASH,
  TAG_NAME,
  TAG_ROLE,
  TAG_SLAVE_IMAGE,
  TAG_STATUS,
  TAG_ZONE,
  tagValue,
} from './tags';

/** Port of the Mesos master UI. */
export const MESOS_PORT = 5050;
/** Port of the Marathon UI. */
export const MARATHON_PORT = 8080;

export interface SubnetDescription {
  readonly id: string;
  readonly cidr: string;
  readonly availabilityZone: string;
}

export interface MasterDescription {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
  readonly publicIp: string | null;
}

export interface SlaveDescription {
  readonly instanceId: string;
  readonly availabilityZone: string;
  readonly privateIp: string;
}

/** One availability zone of the cluster: its subnets, its NAT gateway and route (if it has its own), its nodes. */
export interface ZoneDescription {
  readonly availabilityZone: string;
  readonly publicSubnet: SubnetDescription | null;
  readonly privateSubnet: SubnetDescription | null;
  /** The NAT gateway in this zone (with natGateways single, only the first zone has one). */
  readonly natGatewayId: string | null;
  /** The route table of this zone's private subnet. */
  readonly privateRouteTableId: string | null;
  readonly masters: number;
  readonly slaves: number;
}

/** The slave image the cluster's slaves launch from. */
export interface ImageDescription {
  readonly id: string;
  readonly state: string;
  /** The recipe hash (mesos-cluster:image-hash). */
  readonly hash: string | null;
  /** True when another cluster baked it and this cluster reuses it. */
  readonly reused: boolean;
  /** The cluster that baked it. */
  readonly bakedBy: string | null;
  /** The cluster it belongs to now (mesos-cluster:id): its teardown decides whether it goes. */
  readonly owner: string | null;
}

/** What the cloud holds of one cluster; `null` where a resource does not exist (yet, or any more). */
export interface ClusterDescription {
  readonly id: string;
  /** From the resources' name tag; null when nothing is left. */
  readonly name: string | null;
  /** The status tag on the VPC (set by Mark Cluster Ready and Record Failure). */
  readonly statusTag: string | null;
  /** The failure code tag on the VPC (set by Record Failure). */
  readonly failureCodeTag: string | null;
  readonly vpc: { readonly id: string; readonly cidr: string } | null;
  readonly subnets: { readonly public: SubnetDescription | null; readonly private: SubnetDescription | null };
  readonly internetGateway: { readonly id: string } | null;
  readonly routeTables: { readonly public: string | null; readonly private: string | null };
  readonly natGateway: { readonly id: string; readonly state: string } | null;
  readonly elasticIp: { readonly allocationId: string; readonly publicIp: string } | null;
  /** Every zone of the cluster, by name. */
  readonly zones: ZoneDescription[];
  /** Every NAT gateway that still exists (one, or one per zone). */
  readonly natGateways: { readonly id: string; readonly state: string; readonly availabilityZone: string }[];
  readonly elasticIps: { readonly allocationId: string; readonly publicIp: string }[];
  /** Every private route table (one, or one per zone). */
  readonly privateRouteTables: string[];
  readonly securityGroups: { readonly master: string | null; readonly slave: string | null };
  readonly masters: MasterDescription[];
  readonly slaves: SlaveDescription[];
  /** A template slave that is still alive (during a create, or after a failed one). */
  readonly templateSlaves: SlaveDescription[];
  /** The slave image: baked from the template slave, or reused from a cluster with the same recipe. */
  readonly imageId: string | null;
  /** The slave image in detail. */
  readonly image: ImageDescription | null;
  /** The EBS snapshots behind the slave image, when this cluster owns it. */
  readonly snapshotIds: string[];
  /** The Mesos master UI of the first master with a public address. */
  readonly mesosUrl: string | null;
  readonly marathonUrl: string | null;
}

/** NAT gateway states in which the gateway still exists (a deleted NAT stays visible for about an hour). */
const LIVE_NAT_STATES = ['pending', 'available', 'failed', 'deleting'];

function byLaunchOrder(a: Instance, b: Instance): number {
  const at = (a.LaunchTime?.getTime() ?? 0) - (b.LaunchTime?.getTime() ?? 0);
  if (at !== 0) return at;
  const index = (a.AmiLaunchIndex ?? 0) - (b.AmiLaunchIndex ?? 0);
  if (index !== 0) return index;
  return (a.InstanceId ?? '').localeCompare(b.InstanceId ?? '');
}

function slaveOf(instance: Instance): SlaveDescription {
  return {
    instanceId: instance.InstanceId ?? '',
    availabilityZone: instance.Placement?.AvailabilityZone ?? '',
    privateIp: instance.PrivateIpAddress ?? '',
  };
}

function latestNat(nats: readonly NatGateway[]): NatGateway | undefined {
  return [...nats]
    .filter((n) => LIVE_NAT_STATES.includes(n.State ?? ''))
    .sort((a, b) => (b.CreateTime?.getTime() ?? 0) - (a.CreateTime?.getTime() ?? 0))[0];
}

/** The image the VPC records (`mesos-cluster:slave-image`) when the cluster does not own it; null when gone. */
async function recordedImage(ec2: EC2Client, imageId: string | undefined, owned: readonly Image[]): Promise<Image | undefined> {
  if (!imageId || owned.some((i) => i.ImageId === imageId)) return undefined;
  try {
    const { Images = [] } = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    return Images.find((i) => i.ImageId === imageId && i.State !== 'deregistered');
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

/**
 * Describes the cluster with this id from the resources tagged with it. Ten filtered
 * Describe calls, issued together, and one more for a slave image that the cluster
 * reuses from another cluster.
 */
export async function describeCluster(clusterId: string, { ec2 }: { ec2: EC2Client }): Promise<ClusterDescription> {
  const filters = clusterFilters(clusterId);
  const [vpcs, subnets, igws, routeTables, nats, addresses, groups, instances, images] = await Promise.all([
    ec2.send(new DescribeVpcsCommand({ Filters: filters })).then((r) => r.Vpcs ?? []),
    ec2.send(new DescribeSubnetsCommand({ Filters: filters })).then((r) => r.Subnets ?? []),
    ec2.send(new DescribeInternetGatewaysCommand({ Filters: filters })).then((r) => r.InternetGateways ?? []),
    ec2.send(new DescribeRouteTablesCommand({ Filters: filters })).then((r) => r.RouteTables ?? []),
    ec2.send(new DescribeNatGatewaysCommand({ Filter: filters })).then((r) => r.NatGateways ?? []),
    ec2.send(new DescribeAddressesCommand({ Filters: filters })).then((r) => r.Addresses ?? []),
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: filters })).then((r) => r.SecurityGroups ?? []),
    describeInstances(ec2, { filters: [...filters, { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES }] }),
    ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: filters })).then((r) => r.Images ?? []),
  ]);

  const vpc = vpcs[0];
  const recordedImageId = tagValue(vpc?.Tags, TAG_SLAVE_IMAGE);
  const reusedImage = await recordedImage(ec2, recordedImageId, images);
  const role = (tags: { Key?: string; Value?: string }[] | undefined) => tagValue(tags, TAG_ROLE);
  const subnetOf = (wanted: string): SubnetDescription | null => {
    // The first zone's, by name.
    const s = subnets
      .filter((x) => role(x.Tags) === wanted)
      .sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? ''))[0];
    return s?.SubnetId ? { id: s.SubnetId, cidr: s.CidrBlock ?? '', availabilityZone: s.AvailabilityZone ?? '' } : null;
  };
  const routeTableOf = (wanted: string) => routeTables.find((t) => role(t.Tags) === wanted)?.RouteTableId ?? null;
  const groupOf = (wanted: string) => groups.find((g) => role(g.Tags) === wanted)?.GroupId ?? null;
  const nat = latestNat(nats);
  const address = addresses.find((a) => a.AllocationId);
  const igw = igws.find((g) => g.InternetGatewayId);
  const ownImages = images.filter((i) => i.ImageId && i.State !== 'deregistered');
  const image = reusedImage ?? ownImages.find((i) => i.ImageId === recordedImageId) ?? ownImages[0];
  const ownsImage = image !== undefined && tagValue(image.Tags, TAG_ID) === clusterId;
  const liveNats = nats.filter((n) => n.NatGatewayId && LIVE_NAT_STATES.includes(n.State ?? ''));

  const sorted = [...instances].sort(byLaunchOrder);
  const withRole = (wanted: string) => sorted.filter((i) => role(i.Tags) === wanted);
  const masters: MasterDescription[] = withRole('master').map((i) => ({ ...slaveOf(i), publicIp: i.PublicIpAddress ?? null }));
  const uiHost = masters.find((m) => m.publicIp)?.publicIp ?? null;

  const zoneOfSubnet = new Map(subnets.flatMap((x) => (x.SubnetId ? [[x.SubnetId, x.AvailabilityZone ?? '']] : [])));
  const natZone = (n: NatGateway) => tagValue(n.Tags, TAG_ZONE) ?? zoneOfSubnet.get(n.SubnetId ?? '') ?? '';
  const privateTables = routeTables.filter((t) => t.RouteTableId && role(t.Tags) === 'private-route-table');
  const zoneNames = [...new Set(subnets.flatMap((x) => (x.AvailabilityZone ? [x.AvailabilityZone] : [])))].sort();
  const subnetIn = (wanted: string, zone: string): SubnetDescription | null => {
    const x = subnets.find((y) => role(y.Tags) === wanted && y.AvailabilityZone === zone);
    return x?.SubnetId ? { id: x.SubnetId, cidr: x.CidrBlock ?? '', availabilityZone: zone } : null;
  };
  const zones: ZoneDescription[] = zoneNames.map((zone) => {
    const privateSubnet = subnetIn('private-subnet', zone);
    const table = privateTables.find((t) => (t.Associations ?? []).some((a) => a.SubnetId && a.SubnetId === privateSubnet?.id));
    return {
      availabilityZone: zone,
      publicSubnet: subnetIn('public-subnet', zone),
      privateSubnet,
      natGatewayId: liveNats.find((n) => n.State !== 'deleting' && natZone(n) === zone)?.NatGatewayId ?? null,
      privateRouteTableId: table?.RouteTableId ?? null,
      masters: withRole('master').filter((i) => i.Placement?.AvailabilityZone === zone).length,
      slaves: withRole('slave').filter((i) => i.Placement?.AvailabilityZone === zone).length,
    };
  });

  const name =
    tagValue(vpc?.Tags, TAG_NAME) ??
    [...subnets, ...groups, ...instances].map((r) => tagValue(r.Tags, TAG_NAME)).find((n) => n !== undefined) ??
    null;

  return {
    id: clusterId,
    name,
    statusTag: tagValue(vpc?.Tags, TAG_STATUS) ?? null,
    failureCodeTag: tagValue(vpc?.Tags, TAG_FAILURE_CODE) ?? null,
    vpc: vpc?.VpcId ? { id: vpc.VpcId, cidr: vpc.CidrBlock ?? '' } : null,
    subnets: { public: subnetOf('public-subnet'), private: subnetOf('private-subnet') },
    internetGateway: igw?.InternetGatewayId ? { id: igw.InternetGatewayId } : null,
    routeTables: { public: routeTableOf('public-route-table'), private: routeTableOf('private-route-table') },
    natGateway: nat?.NatGatewayId ? { id: nat.NatGatewayId, state: nat.State ?? 'unknown' } : null,
    elasticIp: address?.AllocationId ? { allocationId: address.AllocationId, publicIp: address.PublicIp ?? '' } : null,
    zones,
    natGateways: liveNats.map((n) => ({ id: n.NatGatewayId ?? '', state: n.State ?? 'unknown', availabilityZone: natZone(n) })),
    elasticIps: addresses.flatMap((a) => (a.AllocationId ? [{ allocationId: a.AllocationId, publicIp: a.PublicIp ?? '' }] : [])),
    privateRouteTables: privateTables.map((t) => t.RouteTableId ?? ''),
    securityGroups: { master: groupOf('master-sg'), slave: groupOf('slave-sg') },
    masters,
    slaves: withRole('slave').map(slaveOf),
    templateSlaves: withRole('template-slave').map(slaveOf),
    imageId: image?.ImageId ?? null,
    image: image?.ImageId
      ? {
          id: image.ImageId,
          state: image.State ?? 'unknown',
          hash: tagValue(image.Tags, TAG_IMAGE_HASH) ?? null,
          reused: tagValue(image.Tags, TAG_BAKED_BY) !== undefined && tagValue(image.Tags, TAG_BAKED_BY) !== clusterId,
          bakedBy: tagValue(image.Tags, TAG_BAKED_BY) ?? null,
          owner: tagValue(image.Tags, TAG_ID) ?? null,
        }
      : null,
    snapshotIds: ownsImage ? (image?.BlockDeviceMappings ?? []).flatMap((m) => (m.Ebs?.SnapshotId ? [m.Ebs.SnapshotId] : [])) : [],
    mesosUrl: uiHost ? `http://${uiHost}:${MESOS_PORT}` : null,
    marathonUrl: uiHost ? `http://${uiHost}:${MARATHON_PORT}` : null,
  };
}

/**
 * Every resource id in a description: what a teardown has to delete (a slave image only
 * when the cluster owns it; one reused from a live cluster stays).
 */
export function describedResourceIds(description: ClusterDescription): string[] {
  const d = description;
  const ids: (string | null | undefined)[] = [
    d.vpc?.id,
    d.subnets.public?.id,
    d.subnets.private?.id,
    ...d.zones.flatMap((z) => [z.publicSubnet?.id, z.privateSubnet?.id]),
    d.internetGateway?.id,
    d.routeTables.public,
    d.routeTables.private,
    ...d.privateRouteTables,
    d.natGateway?.id,
    ...d.natGateways.map((n) => n.id),
    d.elasticIp?.allocationId,
    ...d.elasticIps.map((a) => a.allocationId),
    d.securityGroups.master,
    d.securityGroups.slave,
    ...d.masters.map((m) => m.instanceId),
    ...d.slaves.map((s) => s.instanceId),
    ...d.templateSlaves.map((s) => s.instanceId),
    d.image ? (d.image.owner === d.id ? d.image.id : null) : d.imageId,
    ...d.snapshotIds,
  ];
  return [...new Set(ids.filter((id): id is string => typeof id === 'string' && id.length > 0))];
}

/** True when the cloud holds nothing of the cluster any more. */
export function isEmptyDescription(description: ClusterDescription): boolean {
  return describedResourceIds(description).length === 0;
}

/**
 * The ids of the live clusters whose VPC carries this name (normally zero or one): the
 * name is taken for as long as such a VPC exists.
 */
export async function findClusterIdsByName(name: string, { ec2 }: { ec2: EC2Client }): Promise<string[]> {
  const { Vpcs = [] } = await ec2.send(
    new DescribeVpcsCommand({
      Filters: [
        { Name: `tag:${TAG_NAME}`, Values: [name] },
        { Name: `tag:${TAG_ROLE}`, Values: ['vpc'] },
      ],
    })
  );
  return Vpcs.flatMap((v) => {
    const id = tagValue(v.Tags, TAG_ID);
    return id ? [id] : [];
  });
}
