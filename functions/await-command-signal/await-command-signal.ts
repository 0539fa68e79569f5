/**
 * Await Command Signal: starts a signal wait for an SSM command. It stores the waiting
 * task's token under the command id (where Relay Command Signal finds it when Systems
 * Manager reports the command's end), then looks at the command once itself, since the
 * command may have ended before the token was stored: then it sends the token at once.
 * Safe to run twice: a second run replaces the token with its own.
 */
import { forgetWait, sendSignal, storeWait } from '../shared/command-signals';
import { getInvocation, RUNNING_STATUSES } from '../shared/commands';
import type { AwaitCommandSignalInput, AwaitCommandSignalOutput } from '../shared/contracts';
import { ConfigurationError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** Whether every invocation of the command has ended (in success or not: the machine's check tells which). */
async function commandEnded(ssm: StepClients['ssm'], commandId: string, instanceIds: readonly string[]): Promise<boolean> {
  for (const instanceId of instanceIds) {
    const invocation = await getInvocation(ssm, commandId, instanceId);
    if (!invocation || RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) return false;
  }
  return true;
}

export const awaitCommandSignalStep = defineStep(
  'await-command-signal',
  async (
    input: AwaitCommandSignalInput,
    { ssm, dynamodb, sfn, config }: Pick<StepClients, 'ssm' | 'dynamodb' | 'sfn' | 'config'>
  ): Promise<AwaitCommandSignalOutput> => {
    if (!dynamodb || !sfn) throw new ConfigurationError('await-command-signal needs the DynamoDB and Step Functions clients');
    const table = config.commandWaitsTable;
    await storeWait(dynamodb, table, input.commandId, input.taskToken, Date.now());
    if (!(await commandEnded(ssm, input.commandId, input.instanceIds))) return { signalled: false };
    const signalled = await sendSignal(sfn, input.taskToken, { status: 'seen' });
    await forgetWait(dynamodb, table, input.commandId, input.taskToken);
    return { signalled };
  }
);
