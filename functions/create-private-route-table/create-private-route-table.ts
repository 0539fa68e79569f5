import type { CreatePrivateRouteTableInput, CreateRouteTableOutput, NatGatewayRef, ZoneSubnets } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { ensureRouteTable } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';

const STEP_ID = 'create-private-route-table';

/**
 * Create Private Route Table(s): the route of the private subnets to a NAT gateway,
 * through which the slaves reach SSM and the package mirrors. One NAT gateway: one table
 * for every private subnet. One NAT gateway per zone: one table per zone, routing through
 * its own zone's NAT, so a zone keeps its internet path when another zone fails.
 */
export const createPrivateRouteTableStep = defineStep(
  STEP_ID,
  async (input: CreatePrivateRouteTableInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateRouteTableOutput> => {
    const { zones, nats } = normalize(input);
    const base = { cluster: input, step: STEP_ID, role: 'private-route-table', vpcId: input.vpcId } as const;
    const single = nats.length === 1 ? nats[0] : undefined;
    if (single) {
      const routeTableId = await ensureRouteTable(ec2, {
        ...base,
        subnetIds: zones.map((z) => z.privateSubnetId),
        target: { natGatewayId: single.natGatewayId },
      });
      return { routeTableId, routeTableIds: [routeTableId] };
    }
    const routeTableIds: string[] = [];
    for (const zone of zones) {
      const nat = nats.find((n) => n.availabilityZone === zone.availabilityZone);
      if (!nat) throw new FatalError(`no NAT gateway for zone ${zone.availabilityZone}`);
      routeTableIds.push(
        await ensureRouteTable(ec2, {
          ...base,
          zone: zone.availabilityZone,
          subnetIds: [zone.privateSubnetId],
          target: { natGatewayId: nat.natGatewayId },
        })
      );
    }
    const [routeTableId] = routeTableIds;
    if (!routeTableId) throw new FatalError('no private subnet to route');
    return { routeTableId, routeTableIds };
  }
);

/** The per-zone form of the input (the single-NAT form has one zone and one NAT). */
function normalize(input: CreatePrivateRouteTableInput): { zones: ZoneSubnets[]; nats: NatGatewayRef[] } {
  if (input.zones?.length && input.nats?.length) return { zones: [...input.zones], nats: [...input.nats] };
  if (input.natGatewayId && input.subnetId) {
    return {
      zones: [{ availabilityZone: '', publicSubnetId: '', privateSubnetId: input.subnetId }],
      nats: [{ availabilityZone: '', natGatewayId: input.natGatewayId }],
    };
  }
  throw new FatalError('zones and nats (or natGatewayId and subnetId) are required');
}
