/**
 * Query Agent Load: asks a master for the tasks on every Mesos agent, through the
 * agent-load document. A query, so every call sends a new command: an old answer is
 * worthless (the drain loop asks again and again).
 */
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { agentNotOnline, commandComment } from '../shared/commands';
import type { QueryAgentLoadInput, SendCommandOutput } from '../shared/contracts';
import { RetryableError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** Delivery timeout of the query; SSM's minimum is 30 s. */
export const QUERY_TIMEOUT_SECONDS = 60;

/** Sends a new agent-load command to a master; returns its command id. */
export const queryAgentLoadStep = defineStep(
  'query-agent-load',
  async (input: QueryAgentLoadInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<SendCommandOutput> => {
    try {
      const sent = await ssm.send(
        new SendCommandCommand({
          DocumentName: config.documents.agentLoad,
          InstanceIds: [input.instanceId],
          Comment: commandComment(input.clusterId, 'query-agent-load'),
          TimeoutSeconds: QUERY_TIMEOUT_SECONDS,
        })
      );
      const commandId = sent.Command?.CommandId;
      if (!commandId) throw new RetryableError(`SendCommand of ${config.documents.agentLoad} returned no command id`);
      return { commandId };
    } catch (err) {
      throw agentNotOnline(err, [input.instanceId]) ?? err;
    }
  }
);
