/**
 * Check Drain: reads an agent-load answer (a fresh Query Agent Load after Drain Slaves)
 * and counts the tasks still on the drained agents. An agent the master no longer lists
 * runs nothing. The drain timeout is the scale machine's: it polls a bounded number of
 * times and then terminates the slaves anyway.
 */

import { readAgentLoad } from '../shared/agent-load';
import type { CheckDrainInput, CheckDrainOutput } from '../shared/contracts';
import { withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/** Whether the drained agents run no task any more; NotReadyError while the query runs. */
export const checkDrainStep = defineStep(
  'check-drain',
  async (input: CheckDrainInput, { ssm }: Pick<StepClients, 'ssm'>): Promise<CheckDrainOutput> => {
    const load = await readAgentLoad(ssm, input.commandId, input.instanceId);
    const remainingTasks = input.agentIps.reduce((sum, ip) => sum + (load.get(ip) ?? 0), 0);
    return withPoll(input, { drained: remainingTasks === 0, remainingTasks }, { done: remainingTasks === 0 });
  }
);
