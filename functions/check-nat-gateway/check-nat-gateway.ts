import { DescribeNatGatewaysCommand, type NatGateway } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CheckNatGatewayInput, CheckNatGatewayOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check NAT Gateway: one look at the NAT's state for the state machine's poll loop.
 * `failed` is fatal and carries the NAT's failure code (e.g. Gateway.NotAttached,
 * InsufficientFreeAddressesInSubnet); a NAT that is being deleted will never come up.
 */
export const checkNatGatewayStep = defineStep(
  'check-nat-gateway',
  async (input: CheckNatGatewayInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CheckNatGatewayOutput> => {
    let nat: NatGateway | undefined;
    try {
      const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [input.natGatewayId] }));
      nat = NatGateways.find((n) => n.NatGatewayId === input.natGatewayId);
    } catch (err) {
      // Right after CreateNatGateway the new id may not be visible yet.
      if (hasCode(err, 'NatGatewayNotFound', 'InvalidNatGatewayID.NotFound')) return { state: 'pending' };
      throw err;
    }
    // Not listed yet: eventual consistency right after the create.
    if (!nat) return { state: 'pending' };
    switch (nat.State) {
      case undefined:
      case 'pending':
        return { state: 'pending' };
      case 'available':
        return { state: 'available' };
      case 'failed':
        throw new FatalError(
          `NAT gateway ${input.natGatewayId} failed: ${nat.FailureCode ?? 'Unknown'}: ${nat.FailureMessage ?? 'no failure message'}`
        );
      default:
        throw new FatalError(`NAT gateway ${input.natGatewayId} is ${nat.State} and will not become available`);
    }
  }
);
