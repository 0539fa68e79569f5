/**
 * Check Instances Gone: whether the given instances (the slaves a scale-in terminated) are
 * all `terminated`. Check Instances Terminated of the teardown waits for every instance of
 * the cluster; a scale-in waits for its own. A filter on the ids (not InstanceIds) means an
 * id that EC2 no longer shows is simply gone, not an error. Within a budget it also answers
 * when to look next, counting from the termination time in the StateTransitionReason.
 */
import type { CheckInstancesGoneInput, TeardownCheckOutput } from '../shared/contracts';
import { describeInstances, terminationRequestedAt } from '../shared/instances';
import { earliest, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters } from '../shared/tags';

/** DescribeInstances takes at most 200 values per filter. */
const BATCH = 200;

/** Counts the given instances that are not `terminated` yet. */
export const checkInstancesGoneStep = defineStep(
  'check-instances-gone',
  async (input: CheckInstancesGoneInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownCheckOutput> => {
    let remaining = 0;
    const requested: (number | undefined)[] = [];
    for (let i = 0; i < input.instanceIds.length; i += BATCH) {
      const ids = input.instanceIds.slice(i, i + BATCH);
      const instances = await describeInstances(ec2, {
        filters: [
          ...clusterFilters(input.clusterId),
          { Name: 'instance-id', Values: [...ids] },
          { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
        ],
      });
      remaining += instances.length;
      requested.push(...instances.map(terminationRequestedAt));
    }
    return withPoll(input, { done: remaining === 0, remaining }, { done: remaining === 0, startedAt: earliest(requested) });
  }
);
