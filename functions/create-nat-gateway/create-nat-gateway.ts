import { CreateNatGatewayCommand, DescribeNatGatewaysCommand, type EC2Client, type NatGateway } from '@aws-sdk/client-ec2';
import type { CreateNatGatewayInput, CreateNatGatewayOutput, NatGatewayRef } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { clientToken } from '../shared/idempotency';
import { assertClusterNotDeleting } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, TAG_ZONE, tagSpec, tagValue, zoneTag } from '../shared/tags';

const STEP_ID = 'create-nat-gateway';

/** One NAT gateway to make sure of: its zone ('' for the single-NAT form), subnet and address. */
interface Wanted {
  readonly zone: string;
  readonly subnetId: string;
  readonly allocationId: string;
}

/**
 * Create NAT Gateway(s): one per Elastic IP allocation, in the public subnet of the
 * allocation's zone. A NAT of that zone that is pending or available is returned as is.
 * CreateNatGateway is idempotent through its ClientToken (per zone); after a failed NAT
 * the token changes, so that a re-run creates a new gateway instead of getting the failed
 * one back.
 */
export const createNatGatewayStep = defineStep(
  STEP_ID,
  async (input: CreateNatGatewayInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateNatGatewayOutput> => {
    const wanted = wantedNats(input);
    await assertClusterNotDeleting(ec2, input.clusterId, STEP_ID);
    const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: clusterFilters(input.clusterId, 'nat-gateway') }));
    const nats: NatGatewayRef[] = [];
    for (const want of wanted) {
      const ofZone = NatGateways.filter((n) => !want.zone || tagValue(n.Tags, TAG_ZONE) === want.zone || n.SubnetId === want.subnetId);
      nats.push({ availabilityZone: want.zone, natGatewayId: await ensureNat(ec2, input, want, ofZone) });
    }
    const [first] = nats;
    if (!first) throw new FatalError('no NAT gateway to create');
    return { natGatewayId: first.natGatewayId, nats, natGatewayIds: nats.map((n) => n.natGatewayId) };
  }
);

function wantedNats(input: CreateNatGatewayInput): Wanted[] {
  if (input.allocations?.length) {
    return input.allocations.map((a) => {
      const zone = input.zones?.find((z) => z.availabilityZone === a.availabilityZone);
      const subnetId = zone?.publicSubnetId ?? (input.allocations?.length === 1 ? input.subnetId : undefined);
      if (!subnetId) throw new FatalError(`no public subnet for the NAT gateway of zone ${a.availabilityZone}`);
      return { zone: a.availabilityZone, subnetId, allocationId: a.allocationId };
    });
  }
  if (input.subnetId && input.allocationId) return [{ zone: '', subnetId: input.subnetId, allocationId: input.allocationId }];
  throw new FatalError('allocations and zones (or subnetId and allocationId) are required');
}

async function ensureNat(ec2: EC2Client, input: CreateNatGatewayInput, want: Wanted, ofZone: readonly NatGateway[]): Promise<string> {
  const live = ofZone.find((n) => n.NatGatewayId && (n.State === 'pending' || n.State === 'available'));
  if (live?.NatGatewayId) return live.NatGatewayId;

  // Failed or deleted NATs stay visible for about an hour; each one moves the token on.
  const dead = ofZone.filter((n) => n.State === 'failed' || n.State === 'deleting' || n.State === 'deleted').length;
  const step = want.zone ? `${STEP_ID}/${want.zone}` : STEP_ID;
  const { NatGateway } = await ec2.send(
    new CreateNatGatewayCommand({
      ClientToken: clientToken(input.clusterId, dead === 0 ? step : `${step}#${dead}`),
      SubnetId: want.subnetId,
      AllocationId: want.allocationId,
      TagSpecifications: [tagSpec('natgateway', input, 'nat-gateway', want.zone ? [zoneTag(want.zone)] : [])],
    })
  );
  if (!NatGateway?.NatGatewayId) throw new FatalError('CreateNatGateway returned no NAT gateway id');
  return NatGateway.NatGatewayId;
}
