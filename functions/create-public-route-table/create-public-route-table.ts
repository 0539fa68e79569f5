import type { CreatePublicRouteTableInput, CreateRouteTableOutput } from '../shared/contracts';
import { ensureRouteTable } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Create Public Route Table: the public subnet's route table, with the default route to
 * the internet gateway (masters' public IPs, the NAT gateway).
 */
export const createPublicRouteTableStep = defineStep(
  'create-public-route-table',
  async (input: CreatePublicRouteTableInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateRouteTableOutput> => {
    const routeTableId = await ensureRouteTable(ec2, {
      cluster: input,
      step: 'create-public-route-table',
      role: 'public-route-table',
      vpcId: input.vpcId,
      subnetId: input.subnetId,
      target: { gatewayId: input.internetGatewayId },
    });
    return { routeTableId };
  }
);
