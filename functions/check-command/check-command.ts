/**
 * Check Command: whether an SSM command has finished on every instance. A command still
 * pending or running is not done; a failed, cancelled, timed-out or undeliverable one is
 * fatal, with the tail of its standard error in the message (never more: small state).
 */

import { commandFailed, getInvocation, RUNNING_STATUSES } from '../shared/commands';
import type { CheckCommandInput, CheckCommandOutput } from '../shared/contracts';
import { defineStep, type StepClients } from '../shared/step';

/** Reports whether a command succeeded on every instance; FatalError when it failed on one. */
export const checkCommandStep = defineStep(
  'check-command',
  async (input: CheckCommandInput, { ssm }: Pick<StepClients, 'ssm'>): Promise<CheckCommandOutput> => {
    let done = true;
    for (const instanceId of input.instanceIds) {
      const invocation = await getInvocation(ssm, input.commandId, instanceId);
      if (!invocation || RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) {
        done = false;
        continue;
      }
      if (invocation.Status !== 'Success') throw commandFailed(input.commandId, instanceId, invocation);
    }
    return { done };
  }
);
