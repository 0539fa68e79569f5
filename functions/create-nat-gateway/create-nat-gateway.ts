import { CreateNatGatewayCommand, DescribeNatGatewaysCommand } from '@aws-sdk/client-ec2';
import type { CreateNatGatewayInput, CreateNatGatewayOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { clientToken } from '../shared/idempotency';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, tagSpec } from '../shared/tags';

const STEP_ID = 'create-nat-gateway';

/**
 * Create NAT Gateway: in the public subnet, with the cluster's Elastic IP. A NAT of the
 * cluster that is pending or available is returned as is. CreateNatGateway is
 * idempotent through its ClientToken; after a failed NAT the token changes, so that a
 * re-run creates a new gateway instead of getting the failed one back.
 */
export const createNatGatewayStep = defineStep(
  STEP_ID,
  async (input: CreateNatGatewayInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateNatGatewayOutput> => {
    const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ Filter: clusterFilters(input.clusterId, 'nat-gateway') }));
    const live = NatGateways.find((n) => n.NatGatewayId && (n.State === 'pending' || n.State === 'available'));
    if (live?.NatGatewayId) return { natGatewayId: live.NatGatewayId };

    // Failed or deleted NATs stay visible for about an hour; each one moves the token on.
    const dead = NatGateways.filter((n) => n.State === 'failed' || n.State === 'deleting' || n.State === 'deleted').length;
    const { NatGateway } = await ec2.send(
      new CreateNatGatewayCommand({
        ClientToken: clientToken(input.clusterId, dead === 0 ? STEP_ID : `${STEP_ID}#${dead}`),
        SubnetId: input.subnetId,
        AllocationId: input.allocationId,
        TagSpecifications: [tagSpec('natgateway', input, 'nat-gateway')],
      })
    );
    if (!NatGateway?.NatGatewayId) throw new FatalError('CreateNatGateway returned no NAT gateway id');
    return { natGatewayId: NatGateway.NatGatewayId };
  }
);
