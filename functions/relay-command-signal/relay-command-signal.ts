/**
 * Relay Command Signal: the target of the EventBridge rule on Systems Manager's `EC2 Command
 * Status-change Notification` for a final status. It looks up the task waiting for the
 * command and sends it the signal (SendTaskSuccess: the machine checks the command next, so
 * a failed command fails the create with the reason its check gives). Nothing waits (no
 * item, a task that already timed out, a repeated event): nothing to do. EventBridge
 * delivers at least once and may repeat an event; every run is safe.
 */
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { COMMAND_WAIT_KEY, COMMAND_WAIT_TOKEN, FINAL_COMMAND_STATUSES, forgetWait, sendSignal } from '../shared/command-signals';
import type { CommandStatusEvent, RelayCommandSignalOutput } from '../shared/contracts';
import { ConfigurationError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

export const relayCommandSignalStep = defineStep(
  'relay-command-signal',
  async (
    event: CommandStatusEvent,
    { dynamodb, sfn, config }: Pick<StepClients, 'dynamodb' | 'sfn' | 'config'>
  ): Promise<RelayCommandSignalOutput> => {
    if (!dynamodb || !sfn) throw new ConfigurationError('relay-command-signal needs the DynamoDB and Step Functions clients');
    const commandId = event.detail?.['command-id'];
    const status = event.detail?.status;
    if (!commandId || !(FINAL_COMMAND_STATUSES as readonly string[]).includes(status ?? '')) return { relayed: false };
    const table = config.commandWaitsTable;
    const found = await dynamodb.send(
      new GetItemCommand({ TableName: table, Key: { [COMMAND_WAIT_KEY]: { S: commandId } }, ConsistentRead: true })
    );
    const taskToken = found.Item?.[COMMAND_WAIT_TOKEN]?.S;
    if (!taskToken) return { relayed: false };
    const relayed = await sendSignal(sfn, taskToken, { status: status as string });
    await forgetWait(dynamodb, table, commandId, taskToken);
    return { relayed };
  }
);
