import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import { MAX_ZONES, type ZoneCidrs, zoneSubnetCidrs } from '../shared/cluster-spec-rules';
import type { CreateSubnetsInput, CreateSubnetsOutput, ZoneSubnets } from '../shared/contracts';
import { FatalError, RetryableError } from '../shared/errors';
import { onNewResource } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, TAG_ROLE, tagSpec, tagValue, zoneTag } from '../shared/tags';

type SubnetRole = 'public-subnet' | 'private-subnet';

/**
 * Create Subnets: per availability zone of the cluster, a public subnet (masters with
 * public IPs, the zone's NAT gateway) and a private subnet (slaves). The zones are the
 * named ones, else the first `zoneCount` available zones of the Region by name (fewer when
 * the Region has fewer). One zone keeps the spec's subnet CIDRs; more zones carve theirs
 * from vpcCidr (cluster-spec `zoneSubnetCidrs`). Existing subnets are found by tag and
 * zone, so a re-run creates only what is missing and keeps the zones the first run chose.
 */
export const createSubnetsStep = defineStep(
  'create-subnets',
  async (input: CreateSubnetsInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateSubnetsOutput> => {
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [...clusterFilters(input.clusterId), { Name: `tag:${TAG_ROLE}`, Values: ['public-subnet', 'private-subnet'] }],
      })
    );
    const zoneNames = await chooseZones(ec2, input, Subnets);
    // The layout follows the request, not the Region: a cluster that asked for several zones
    // carves its subnets even where the Region has fewer zones.
    const named = input.availabilityZones?.length || (input.availabilityZone ? 1 : 0);
    const carve = named > 0 ? named > 1 : (input.zoneCount ?? 1) > 1;
    const zones: ZoneSubnets[] = [];
    for (const [index, availabilityZone] of zoneNames.entries()) {
      const cidrs = carve ? carved(input, index) : { publicCidr: input.publicCidr, privateCidr: input.privateCidr };
      const find = (role: SubnetRole) =>
        Subnets.find((s) => tagValue(s.Tags, TAG_ROLE) === role && s.AvailabilityZone === availabilityZone);
      const publicSubnet = find('public-subnet') ?? (await createSubnet(ec2, input, 'public-subnet', cidrs.publicCidr, availabilityZone));
      const privateSubnet =
        find('private-subnet') ?? (await createSubnet(ec2, input, 'private-subnet', cidrs.privateCidr, availabilityZone));
      const publicSubnetId = idOf(publicSubnet);
      // Masters launch in the public subnets and get a public IP there (Mesos UI, Marathon).
      if (publicSubnet.MapPublicIpOnLaunch !== true) {
        await onNewResource(`subnet ${publicSubnetId}`, () =>
          ec2.send(new ModifySubnetAttributeCommand({ SubnetId: publicSubnetId, MapPublicIpOnLaunch: { Value: true } }))
        );
      }
      zones.push({ availabilityZone, publicSubnetId, privateSubnetId: idOf(privateSubnet) });
    }
    const first = zones[0];
    if (!first) throw new FatalError('no availability zone chosen');
    return {
      zones,
      publicSubnetIds: zones.map((z) => z.publicSubnetId),
      privateSubnetIds: zones.map((z) => z.privateSubnetId),
      availabilityZones: zones.map((z) => z.availabilityZone),
      publicSubnetId: first.publicSubnetId,
      privateSubnetId: first.privateSubnetId,
      availabilityZone: first.availabilityZone,
    };
  }
);

function carved(input: CreateSubnetsInput, index: number): ZoneCidrs {
  if (!input.vpcCidr) throw new FatalError('vpcCidr is required to carve the subnets of several zones');
  try {
    return zoneSubnetCidrs(input.vpcCidr, index);
  } catch (err) {
    throw new FatalError((err as Error).message, { cause: err });
  }
}

/**
 * The cluster's zones in order: the named zones (each must exist and be available); else
 * the zones of the subnets an earlier run created, completed with the Region's available
 * zones, sorted by name, at most `zoneCount`.
 */
async function chooseZones(ec2: EC2Client, input: CreateSubnetsInput, existing: readonly Subnet[]): Promise<string[]> {
  const named = input.availabilityZones?.length ? [...input.availabilityZones] : input.availabilityZone ? [input.availabilityZone] : [];
  if (named.length > MAX_ZONES) throw new FatalError(`at most ${MAX_ZONES} availability zones, got ${named.length}`);
  if (named.length > 0) {
    await checkZones(ec2, named);
    return named;
  }
  const wanted = Math.min(MAX_ZONES, Math.max(1, input.zoneCount ?? 1));
  const earlier = [...new Set(existing.flatMap((s) => (s.AvailabilityZone ? [s.AvailabilityZone] : [])))].sort();
  if (earlier.length >= wanted) return earlier;
  const { AvailabilityZones = [] } = await ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] })
  );
  const available = AvailabilityZones.filter((z) => z.State === undefined || z.State === 'available')
    .flatMap((z) => (z.ZoneName ? [z.ZoneName] : []))
    .sort();
  const zones = [...new Set([...earlier, ...available])].slice(0, wanted).sort();
  if (zones.length === 0) throw new FatalError('no availability zone of this Region is available');
  return zones;
}

/** Each named zone exists in the Region and is available. */
async function checkZones(ec2: EC2Client, wanted: readonly string[]): Promise<void> {
  try {
    const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: [...wanted] }));
    for (const name of wanted) {
      const zone = AvailabilityZones.find((z) => z.ZoneName === name);
      if (!zone) throw new FatalError(`availability zone ${name} does not exist in this Region`);
      if (zone.State !== 'available') throw new FatalError(`availability zone ${name} is ${zone.State ?? 'not available'}`);
    }
  } catch (err) {
    // EC2 answers an unknown zone name with InvalidParameterValue.
    if (hasCode(err, 'InvalidParameterValue', 'InvalidAvailabilityZone')) {
      const what = wanted.length === 1 ? 'availability zone' : 'one of the availability zones';
      throw new FatalError(`${what} ${wanted.join(', ')} does not exist in this Region`, { cause: err });
    }
    throw err;
  }
}

async function createSubnet(
  ec2: EC2Client,
  input: CreateSubnetsInput,
  role: SubnetRole,
  cidrBlock: string,
  availabilityZone: string
): Promise<Subnet> {
  try {
    const { Subnet } = await ec2.send(
      new CreateSubnetCommand({
        VpcId: input.vpcId,
        CidrBlock: cidrBlock,
        AvailabilityZone: availabilityZone,
        TagSpecifications: [tagSpec('subnet', input, role, [zoneTag(availabilityZone)])],
      })
    );
    if (!Subnet?.SubnetId) throw new FatalError(`CreateSubnet returned no subnet id for ${role}`);
    return Subnet;
  } catch (err) {
    // The cluster's VPC holds only its own subnets: a conflicting CIDR is this subnet,
    // created by an earlier run and not yet visible by tag.
    if (hasCode(err, 'InvalidSubnet.Conflict')) {
      throw new RetryableError(`${role} ${cidrBlock} conflicts with an existing subnet; retry finds it by tag`, { cause: err });
    }
    throw err;
  }
}

function idOf(subnet: Subnet): string {
  if (!subnet.SubnetId) throw new FatalError('subnet without an id');
  return subnet.SubnetId;
}
