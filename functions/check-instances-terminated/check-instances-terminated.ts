import type { TeardownCheckOutput, TeardownInput } from '../shared/contracts';
import { findInstances, LIVE_INSTANCE_STATES } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check Instances Terminated: counts the cluster's instances that are not `terminated`.
 * A `shutting-down` instance still holds its ENI and public IP, so it counts as remaining.
 */
export const checkInstancesTerminatedStep = defineStep(
  'check-instances-terminated',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownCheckOutput> => {
    const remaining = (await findInstances(ec2, clusterId, LIVE_INSTANCE_STATES)).length;
    return { done: remaining === 0, remaining };
  }
);
