import { DescribeNatGatewaysCommand, type NatGateway } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CheckNatGatewayInput, CheckNatGatewayOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { earliest, epochOf, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check NAT Gateway(s): one look at the NAT gateways' states (one call for all of them)
 * for the state machine's poll loop: available when every one is. `failed` is fatal and
 * carries the NAT's failure code (e.g. Gateway.NotAttached, InsufficientFreeAddressesInSubnet);
 * a NAT that is being deleted will never come up. Within a budget it also answers when to
 * look next, counting from the earliest CreateTime.
 */
export const checkNatGatewayStep = defineStep(
  'check-nat-gateway',
  async (input: CheckNatGatewayInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CheckNatGatewayOutput> => {
    const ids = input.natGatewayIds?.length ? [...input.natGatewayIds] : input.natGatewayId ? [input.natGatewayId] : [];
    if (ids.length === 0) throw new FatalError('natGatewayIds (or natGatewayId) is required');
    let found: NatGateway[];
    try {
      const { NatGateways = [] } = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: ids }));
      found = NatGateways;
    } catch (err) {
      // Right after CreateNatGateway a new id may not be visible yet.
      if (hasCode(err, 'NatGatewayNotFound', 'InvalidNatGatewayID.NotFound')) return withPoll(input, { state: 'pending' }, { done: false });
      throw err;
    }
    let pending = false;
    for (const id of ids) {
      const nat = found.find((n) => n.NatGatewayId === id);
      // Not listed yet: eventual consistency right after the create.
      if (!nat) {
        pending = true;
        continue;
      }
      switch (nat.State) {
        case undefined:
        case 'pending':
          pending = true;
          break;
        case 'available':
          break;
        case 'failed':
          throw new FatalError(`NAT gateway ${id} failed: ${nat.FailureCode ?? 'Unknown'}: ${nat.FailureMessage ?? 'no failure message'}`);
        default:
          throw new FatalError(`NAT gateway ${id} is ${nat.State} and will not become available`);
      }
    }
    const startedAt = earliest(found.map((n) => epochOf(n.CreateTime)));
    return withPoll(input, { state: pending ? 'pending' : 'available' }, { done: !pending, startedAt });
  }
);
