/**
 * Query Agents: asks a master how many Mesos agents are registered, through the
 * count-agents document. A query, so every call sends a new command: an old answer is
 * worthless.
 */
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { agentNotOnline, commandComment } from '../shared/commands';
import type { QueryAgentsInput, SendCommandOutput } from '../shared/contracts';
import { RetryableError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** Delivery timeout of the query; SSM's minimum is 30 s. */
export const QUERY_TIMEOUT_SECONDS = 60;

/** Sends a new count-agents command to a master; returns its command id. */
export const queryAgentsStep = defineStep(
  'query-agents',
  async (input: QueryAgentsInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<SendCommandOutput> => {
    try {
      const sent = await ssm.send(
        new SendCommandCommand({
          DocumentName: config.documents.countAgents,
          InstanceIds: [input.instanceId],
          Comment: commandComment(input.clusterId, 'query-agents'),
          TimeoutSeconds: QUERY_TIMEOUT_SECONDS,
        })
      );
      const commandId = sent.Command?.CommandId;
      if (!commandId) throw new RetryableError(`SendCommand of ${config.documents.countAgents} returned no command id`);
      return { commandId };
    } catch (err) {
      throw agentNotOnline(err, [input.instanceId]) ?? err;
    }
  }
);
