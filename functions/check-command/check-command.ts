/**
 * Check Command: whether an SSM command has finished on every instance. A command still
 * pending or running is not done; a failed, cancelled, timed-out or undeliverable one is
 * fatal, with the tail of its standard error in the message (never more: small state).
 * Within a budget it also answers when to look next, counting from the earliest start of
 * the command's invocations (or the loop's `since`).
 */

import { commandFailed, getInvocation, RUNNING_STATUSES } from '../shared/commands';
import type { CheckCommandInput, CheckCommandOutput } from '../shared/contracts';
import { earliest, epochOf, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/** Reports whether a command succeeded on every instance; FatalError when it failed on one. */
export const checkCommandStep = defineStep(
  'check-command',
  async (input: CheckCommandInput, { ssm }: Pick<StepClients, 'ssm'>): Promise<CheckCommandOutput> => {
    let done = true;
    const starts: (number | undefined)[] = [];
    for (const instanceId of input.instanceIds) {
      const invocation = await getInvocation(ssm, input.commandId, instanceId);
      starts.push(epochOf(invocation?.ExecutionStartDateTime || undefined));
      if (!invocation || RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) {
        done = false;
        continue;
      }
      if (invocation.Status !== 'Success') throw commandFailed(input.commandId, instanceId, invocation);
    }
    return withPoll(input, { done }, { done, startedAt: earliest(starts) });
  }
);
