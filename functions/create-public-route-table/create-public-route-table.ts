import type { CreatePublicRouteTableInput, CreateRouteTableOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { ensureRouteTable } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Create Public Route Table: the one route table of the public subnets (one per zone),
 * with the default route to the internet gateway (masters' public IPs, the NAT gateways).
 */
export const createPublicRouteTableStep = defineStep(
  'create-public-route-table',
  async (input: CreatePublicRouteTableInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateRouteTableOutput> => {
    const subnetIds = input.subnetIds?.length ? [...input.subnetIds] : input.subnetId ? [input.subnetId] : [];
    if (subnetIds.length === 0) throw new FatalError('subnetIds (or subnetId) is required');
    const routeTableId = await ensureRouteTable(ec2, {
      cluster: input,
      step: 'create-public-route-table',
      role: 'public-route-table',
      vpcId: input.vpcId,
      subnetIds,
      target: { gatewayId: input.internetGatewayId },
    });
    return { routeTableId, routeTableIds: [routeTableId] };
  }
);
