import type { TeardownCheckInput, TeardownCheckOutput } from '../shared/contracts';
import { findNatGateways } from '../shared/discovery';
import { earliest, epochOf, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check NAT Gateways Deleted: counts the cluster's NAT gateways that are still pending,
 * available or deleting. Until a NAT is `deleted` its ENI blocks the public subnet and
 * its Elastic IP blocks the internet gateway's detach. Within a budget it also answers when
 * to look next, counting from the loop's `since` (when Delete NAT Gateways ran) or the
 * NATs' DeleteTime.
 */
export const checkNatGatewaysDeletedStep = defineStep(
  'check-nat-gateways-deleted',
  async (input: TeardownCheckInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownCheckOutput> => {
    const nats = await findNatGateways(ec2, input.clusterId, ['pending', 'available', 'deleting']);
    const remaining = nats.length;
    const startedAt = earliest(nats.map((n) => epochOf(n.DeleteTime)));
    return withPoll(input, { done: remaining === 0, remaining }, { done: remaining === 0, startedAt });
  }
);
