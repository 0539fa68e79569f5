/**
 * Query Agents: asks a master how many Mesos agents are registered, through the
 * count-agents document (the first query of the agents loop: Check Agents Registered sends
 * the next ones). A query, so every call sends a new command: an old answer is worthless.
 */
import { sendAgentQuery } from '../shared/agent-query';
import type { QueryAgentsInput, QueryAgentsOutput } from '../shared/contracts';
import { defineStep, type StepClients } from '../shared/step';

/** Sends a new count-agents command to a master; returns its command id and when it was sent. */
export const queryAgentsStep = defineStep(
  'query-agents',
  async (input: QueryAgentsInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<QueryAgentsOutput> => ({
    commandId: await sendAgentQuery(ssm, config.documents.countAgents, input.clusterId, input.instanceId, 'query-agents'),
    // The agents loop counts from here: the nodes are built (slaves booted, a master running).
    startedAt: new Date().toISOString(),
  })
);
