/**
 * Reading the agent-load document's answer: the tasks of every agent registered with the
 * leading master, by agent IP (the scale-in steps).
 */
import type { SSMClient } from '@aws-sdk/client-ssm';
import { commandFailed, getInvocation, RUNNING_STATUSES } from './commands';
import { FatalError, NotReadyError } from './errors';

/** One line of the agent-load document: `<agent-ip> <tasks>`. */
const LOAD_LINE = /^(\d{1,3}(?:\.\d{1,3}){3})\s+(\d+)$/;

/**
 * Parses the agent-load output: the tasks (staging, starting, running, killing) of every
 * agent registered with the leading master, by agent IP. A line of another shape is a
 * FatalError: a garbled answer must not pass for "no tasks".
 */
export function parseAgentLoad(stdout: string | undefined): Map<string, number> {
  const load = new Map<string, number>();
  for (const raw of (stdout ?? '').split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const match = LOAD_LINE.exec(line);
    if (!match?.[1] || match[2] === undefined) throw new FatalError(`the agent-load answer has a malformed line: '${line.slice(0, 80)}'`);
    load.set(match[1], (load.get(match[1]) ?? 0) + Number(match[2]));
  }
  return load;
}

/**
 * The answer of an agent-load command on a master: NotReadyError while it runs, FatalError
 * when it failed (e.g. no leading master answered), the load by agent IP when it succeeded.
 */
export async function readAgentLoad(ssm: SSMClient, commandId: string, instanceId: string): Promise<Map<string, number>> {
  const invocation = await getInvocation(ssm, commandId, instanceId);
  if (!invocation) throw new NotReadyError(`the agent-load query ${commandId} is not visible on ${instanceId} yet`);
  if (RUNNING_STATUSES.includes(invocation.Status ?? 'Pending')) {
    throw new NotReadyError(`the agent-load query ${commandId} on ${instanceId} is ${invocation.Status ?? 'pending'}`);
  }
  if (invocation.Status !== 'Success') throw commandFailed(commandId, instanceId, invocation);
  return parseAgentLoad(invocation.StandardOutputContent);
}
