import type { TeardownCheckOutput, TeardownInput } from '../shared/contracts';
import { findNatGateways } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check NAT Gateways Deleted: counts the cluster's NAT gateways that are still pending,
 * available or deleting. Until a NAT is `deleted` its ENI blocks the public subnet and
 * its Elastic IP blocks the internet gateway's detach.
 */
export const checkNatGatewaysDeletedStep = defineStep(
  'check-nat-gateways-deleted',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownCheckOutput> => {
    const remaining = (await findNatGateways(ec2, clusterId, ['pending', 'available', 'deleting'])).length;
    return { done: remaining === 0, remaining };
  }
);
