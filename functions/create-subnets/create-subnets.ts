import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  type Subnet,
} from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CreateSubnetsInput, CreateSubnetsOutput } from '../shared/contracts';
import { FatalError, RetryableError } from '../shared/errors';
import { onNewResource } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, TAG_ROLE, tagSpec, tagValue } from '../shared/tags';

type SubnetRole = 'public-subnet' | 'private-subnet';

/**
 * Create Subnets: the public subnet (masters with public IPs, the NAT gateway) and the
 * private subnet (slaves), in one availability zone. Existing subnets are found by tag,
 * and a re-run keeps the zone the first run chose.
 */
export const createSubnetsStep = defineStep(
  'create-subnets',
  async (input: CreateSubnetsInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateSubnetsOutput> => {
    const { Subnets = [] } = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [...clusterFilters(input.clusterId), { Name: `tag:${TAG_ROLE}`, Values: ['public-subnet', 'private-subnet'] }],
      })
    );
    const byRole = (role: SubnetRole) => Subnets.find((s) => tagValue(s.Tags, TAG_ROLE) === role);
    let publicSubnet = byRole('public-subnet');
    let privateSubnet = byRole('private-subnet');

    const availabilityZone =
      publicSubnet?.AvailabilityZone ?? privateSubnet?.AvailabilityZone ?? (await chooseZone(ec2, input.availabilityZone));

    publicSubnet ??= await createSubnet(ec2, input, 'public-subnet', input.publicCidr, availabilityZone);
    privateSubnet ??= await createSubnet(ec2, input, 'private-subnet', input.privateCidr, availabilityZone);
    const publicSubnetId = idOf(publicSubnet);
    const privateSubnetId = idOf(privateSubnet);

    // Masters launch in the public subnet and get a public IP there (Mesos UI, Marathon).
    if (publicSubnet.MapPublicIpOnLaunch !== true) {
      await onNewResource(`subnet ${publicSubnetId}`, () =>
        ec2.send(new ModifySubnetAttributeCommand({ SubnetId: publicSubnetId, MapPublicIpOnLaunch: { Value: true } }))
      );
    }
    return { publicSubnetId, privateSubnetId, availabilityZone };
  }
);

/** The named zone if it exists and is available, else the first available zone by name. */
async function chooseZone(ec2: EC2Client, wanted: string | undefined): Promise<string> {
  if (wanted) {
    try {
      const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({ ZoneNames: [wanted] }));
      const zone = AvailabilityZones.find((z) => z.ZoneName === wanted);
      if (!zone) throw new FatalError(`availability zone ${wanted} does not exist in this Region`);
      if (zone.State !== 'available') throw new FatalError(`availability zone ${wanted} is ${zone.State ?? 'not available'}`);
      return wanted;
    } catch (err) {
      // EC2 answers an unknown zone name with InvalidParameterValue.
      if (hasCode(err, 'InvalidParameterValue', 'InvalidAvailabilityZone')) {
        throw new FatalError(`availability zone ${wanted} does not exist in this Region`, { cause: err });
      }
      throw err;
    }
  }
  const { AvailabilityZones = [] } = await ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] })
  );
  const names = AvailabilityZones.filter((z) => z.State === undefined || z.State === 'available')
    .flatMap((z) => (z.ZoneName ? [z.ZoneName] : []))
    .sort();
  const first = names[0];
  if (!first) throw new FatalError('no availability zone of this Region is available');
  return first;
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
        TagSpecifications: [tagSpec('subnet', input, role)],
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
