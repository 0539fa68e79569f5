import type { CreatePrivateRouteTableInput, CreateRouteTableOutput } from '../shared/contracts';
import { ensureRouteTable } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Create Private Route Table: the private subnet's route table, with the default route
 * to the NAT gateway, through which the slaves reach SSM and the package mirrors.
 */
export const createPrivateRouteTableStep = defineStep(
  'create-private-route-table',
  async (input: CreatePrivateRouteTableInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateRouteTableOutput> => {
    const routeTableId = await ensureRouteTable(ec2, {
      cluster: input,
      step: 'create-private-route-table',
      role: 'private-route-table',
      vpcId: input.vpcId,
      subnetId: input.subnetId,
      target: { natGatewayId: input.natGatewayId },
    });
    return { routeTableId };
  }
);
