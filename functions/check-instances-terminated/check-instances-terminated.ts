import type { TeardownCheckInput, TeardownCheckOutput } from '../shared/contracts';
import { findInstances, LIVE_INSTANCE_STATES } from '../shared/discovery';
import { terminationRequestedAt } from '../shared/instances';
import { earliest, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Check Instances Terminated: counts the cluster's instances that are not `terminated`.
 * A `shutting-down` instance still holds its ENI and public IP, so it counts as remaining.
 * Within a budget it also answers when to look next, counting from the loop's `since`
 * (when Terminate Instances ran) or the time in the instances' StateTransitionReason.
 */
export const checkInstancesTerminatedStep = defineStep(
  'check-instances-terminated',
  async (input: TeardownCheckInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownCheckOutput> => {
    const instances = await findInstances(ec2, input.clusterId, LIVE_INSTANCE_STATES);
    const remaining = instances.length;
    const startedAt = earliest(instances.map(terminationRequestedAt));
    return withPoll(input, { done: remaining === 0, remaining }, { done: remaining === 0, startedAt });
  }
);
