/**
 * Pick Slaves To Remove: reads the answer of Query Agent Load and chooses the `count`
 * slaves whose removal moves the fewest tasks: fewest tasks first, the newest launch on a
 * tie. A live slave that the master does not list (not registered, e.g. still booting)
 * runs no task and is the cheapest to remove. The same answer gives the same choice, so a
 * re-run picks the same slaves.
 */
import type { Instance } from '@aws-sdk/client-ec2';
import { readAgentLoad } from '../shared/agent-load';
import type { PickSlavesToRemoveInput, PickSlavesToRemoveOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { describeInstances } from '../shared/instances';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters } from '../shared/tags';

interface Candidate {
  readonly instanceId: string;
  readonly ip: string;
  readonly tasks: number;
  readonly launchedAt: number;
}

/** The slaves to remove, fewest tasks first; NotReadyError while the agent-load query runs. */
export const pickSlavesToRemoveStep = defineStep(
  'pick-slaves-to-remove',
  async (input: PickSlavesToRemoveInput, { ssm, ec2 }: Pick<StepClients, 'ssm' | 'ec2'>): Promise<PickSlavesToRemoveOutput> => {
    if (!Number.isInteger(input.count) || input.count < 1) throw new FatalError(`count must be a whole number >= 1, got ${input.count}`);
    const load = await readAgentLoad(ssm, input.commandId, input.instanceId);
    const slaves = await describeInstances(ec2, {
      filters: [...clusterFilters(input.clusterId, 'slave'), { Name: 'instance-state-name', Values: ['pending', 'running'] }],
    });
    const chosen = slaves
      .map((slave) => candidate(slave, load))
      .filter((c): c is Candidate => c !== undefined)
      .sort(
        (a, b) =>
          a.tasks - b.tasks || b.launchedAt - a.launchedAt || (a.instanceId < b.instanceId ? 1 : a.instanceId > b.instanceId ? -1 : 0)
      )
      .slice(0, input.count);
    return {
      instanceIds: chosen.map((c) => c.instanceId),
      agentIps: chosen.map((c) => c.ip),
      tasks: chosen.reduce((sum, c) => sum + c.tasks, 0),
    };
  }
);

function candidate(slave: Instance, load: ReadonlyMap<string, number>): Candidate | undefined {
  if (!slave.InstanceId || !slave.PrivateIpAddress) return undefined;
  return {
    instanceId: slave.InstanceId,
    ip: slave.PrivateIpAddress,
    tasks: load.get(slave.PrivateIpAddress) ?? 0,
    launchedAt: slave.LaunchTime ? new Date(slave.LaunchTime).getTime() : 0,
  };
}
