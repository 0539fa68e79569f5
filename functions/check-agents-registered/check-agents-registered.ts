/**
 * Check Agents Registered: reads the answer of the last agent query (the number of Mesos
 * agents the master knows) and compares it with the expected slave count.
 *
 * Within a budget it also answers when to look again, counting from the loop's `since`
 * (when the slaves were launched: an agent count carries no start of its own), and keeps
 * the loop going by itself, so that a recheck is this task, a Choice and a Wait: while the
 * query is still being delivered or run it answers that query's id again (read it next
 * time); once a count falls short it sends the next query (a new command: an old count is
 * worthless) and answers its id. Query Agents sends only the first.
 */

import { sendAgentQuery } from '../shared/agent-query';
import { commandFailed, getInvocation, RUNNING_STATUSES } from '../shared/commands';
import type { CheckAgentsRegisteredInput, CheckAgentsRegisteredOutput } from '../shared/contracts';
import { FatalError, NotReadyError } from '../shared/errors';
import { isPolled, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/** Reads the agent count of the last query; within a budget, answers the query to read next. */
export const checkAgentsRegisteredStep = defineStep(
  'check-agents-registered',
  async (input: CheckAgentsRegisteredInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<CheckAgentsRegisteredOutput> => {
    const { commandId, instanceId } = input;
    const invocation = await getInvocation(ssm, commandId, instanceId);
    if (!invocation || RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) {
      const state = invocation ? (invocation.Status ?? 'pending') : 'not visible yet';
      // Without a budget the machine retries; within one, the loop looks again (the same query).
      if (!isPolled(input)) throw new NotReadyError(`the agent query ${commandId} on ${instanceId} is ${state}`);
      return withPoll(input, { registered: 0, ready: false, commandId }, { done: false });
    }
    if (invocation.Status !== 'Success') throw commandFailed(commandId, instanceId, invocation);
    const registered = parseCount(invocation.StandardOutputContent);
    if (registered === undefined) {
      const shown = (invocation.StandardOutputContent ?? '').trim().slice(-100);
      throw new FatalError(`the agent query ${commandId} on ${instanceId} printed no agent count: '${shown}'`);
    }
    const ready = registered >= input.expected;
    const answer = withPoll(input, { registered, ready, commandId }, { done: ready });
    // Short, and the loop goes on: the next check reads a new count.
    if (ready || !('timedOut' in answer) || answer.timedOut) return answer;
    return {
      ...answer,
      commandId: await sendAgentQuery(ssm, config.documents.countAgents, input.clusterId, instanceId, 'check-agents-registered'),
    };
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
