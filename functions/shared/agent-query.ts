/**
 * The agent count query: a count-agents command on a master (Query Agents sends the first,
 * Check Agents Registered the next ones). A query, so every call sends a new command: an old
 * answer is worthless.
 */
import { SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { agentNotOnline, commandComment } from './commands';
import { RetryableError } from './errors';

/** Delivery timeout of the query; SSM's minimum is 30 s. */
export const QUERY_TIMEOUT_SECONDS = 60;

/** Sends a new count-agents command (the stack's document `documentName`) to a master; returns its command id. */
export async function sendAgentQuery(
  ssm: SSMClient,
  documentName: string,
  clusterId: string,
  instanceId: string,
  step: string
): Promise<string> {
  try {
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: documentName,
        InstanceIds: [instanceId],
        Comment: commandComment(clusterId, step),
        TimeoutSeconds: QUERY_TIMEOUT_SECONDS,
      })
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) throw new RetryableError(`SendCommand of ${documentName} returned no command id`);
    return commandId;
  } catch (err) {
    throw agentNotOnline(err, [instanceId]) ?? err;
  }
}
