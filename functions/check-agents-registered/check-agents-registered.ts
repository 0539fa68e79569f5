/**
 * Check Agents Registered: reads the answer of Query Agents (the number of Mesos agents
 * the master knows) and compares it with the expected slave count. Within a budget it also
 * answers when to query again, counting from the loop's `since` (when the slaves were
 * launched: an agent count carries no start of its own).
 */

import { commandFailed, getInvocation, RUNNING_STATUSES } from '../shared/commands';
import type { CheckAgentsRegisteredInput, CheckAgentsRegisteredOutput } from '../shared/contracts';
import { FatalError, NotReadyError } from '../shared/errors';
import { withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/** Reads the agent count printed by Query Agents; NotReadyError while the query runs. */
export const checkAgentsRegisteredStep = defineStep(
  'check-agents-registered',
  async (input: CheckAgentsRegisteredInput, { ssm }: Pick<StepClients, 'ssm'>): Promise<CheckAgentsRegisteredOutput> => {
    const invocation = await getInvocation(ssm, input.commandId, input.instanceId);
    if (!invocation) throw new NotReadyError(`the agent query ${input.commandId} is not visible on ${input.instanceId} yet`);
    if (RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) {
      throw new NotReadyError(`the agent query ${input.commandId} on ${input.instanceId} is ${invocation.Status ?? 'pending'}`);
    }
    if (invocation.Status !== 'Success') throw commandFailed(input.commandId, input.instanceId, invocation);
    const registered = parseCount(invocation.StandardOutputContent);
    if (registered === undefined) {
      const shown = (invocation.StandardOutputContent ?? '').trim().slice(-100);
      throw new FatalError(`the agent query ${input.commandId} on ${input.instanceId} printed no agent count: '${shown}'`);
    }
    const ready = registered >= input.expected;
    return withPoll(input, { registered, ready }, { done: ready });
  }
);

/** The count printed by the count-agents document: the last non-empty line, a whole number. */
export function parseCount(stdout: string | undefined): number | undefined {
  const lines = (stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const last = lines.at(-1);
  return last !== undefined && /^\d+$/.test(last) ? Number(last) : undefined;
}
