/**
 * Drain Slaves: runs the drain-agents document on a master for the chosen agents. It
 * replaces the Mesos maintenance schedule with one window for these machines (so that
 * frameworks get inverse offers and place no new work there) and drains each agent (Mesos
 * kills its tasks gracefully; Marathon restarts them on the other agents). An empty list
 * clears the schedule, for after the drained slaves are gone.
 *
 * A re-run reuses the command of the first run (same execution, same agents) unless it failed.
 */
import { createHash } from 'node:crypto';
import { commandComment, sendCommandOnce } from '../shared/commands';
import type { DrainSlavesInput, SendCommandOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** Delivery timeout of the drain command. */
export const DRAIN_COMMAND_TIMEOUT_SECONDS = 120;

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** Sends (once) the drain-agents command for these agents to the master; returns its command id. */
export const drainSlavesStep = defineStep(
  'drain-slaves',
  async (input: DrainSlavesInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<SendCommandOutput> => {
    const bad = input.agentIps.find((ip) => !IPV4.test(ip));
    if (bad !== undefined) throw new FatalError(`'${bad}' is not an agent's IPv4 address`);
    const agentIps = input.agentIps.join(',');
    // The comment identifies this drain: an earlier scale's drain of other agents is not reused.
    const digest = createHash('sha256')
      .update(`${input.executionId ?? ''}|${agentIps}`)
      .digest('hex')
      .slice(0, 12);
    const commandId = await sendCommandOnce(ssm, {
      documentName: config.documents.drainAgents,
      instanceIds: [input.instanceId],
      parameters: { AgentIps: [agentIps] },
      comment: commandComment(input.clusterId, `drain-slaves/${digest}`),
      timeoutSeconds: DRAIN_COMMAND_TIMEOUT_SECONDS,
    });
    return { commandId };
  }
);
