/**
 * Shared code of the node steps on SSM: sending a command once per cluster and step (a
 * re-run reuses the command of the first run) and reading its invocations.
 */
import {
  GetCommandInvocationCommand,
  type GetCommandInvocationCommandOutput,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { hasCode } from './aws-errors';
import { FatalError, RetryableError } from './errors';

/** Command statuses that end a command without success: such a command is not reused. */
export const FAILED_COMMAND_STATUSES = ['Failed', 'Cancelled', 'Cancelling', 'TimedOut'];

/** Delivery timeout of the configure commands: the agents are Online before they are sent. */
export const CONFIGURE_TIMEOUT_SECONDS = 600;

/** Invocation statuses of a command that has not finished yet. */
export const RUNNING_STATUSES = ['Pending', 'InProgress', 'Delayed'];

/** How much of the standard error a failure message carries (small state). */
export const STDERR_TAIL_CHARS = 300;

/** SSM accepts a command comment of at most 100 characters. */
const MAX_COMMENT = 100;

/** SSM accepts at most 50 instance ids per SendCommand and per instance filter. */
export const SSM_MAX_INSTANCE_IDS = 50;

/** `<clusterId>/<step>`, cut to the 100 characters that SSM accepts in a comment. */
export function commandComment(clusterId: string, step: string): string {
  return `${clusterId}/${step}`.slice(0, MAX_COMMENT);
}

export interface SendCommandOnceRequest {
  readonly documentName: string;
  readonly instanceIds: readonly string[];
  readonly parameters?: Record<string, string[]>;
  /** Identifies the command of this cluster and step; see `commandComment`. */
  readonly comment: string;
  /** Delivery timeout: how long SSM waits for the agent to pick the command up. */
  readonly timeoutSeconds: number;
}

/**
 * A command sent before with the same comment and document to the first instance that
 * has not failed, been cancelled or timed out; undefined when there is none.
 */
export async function findReusableCommand(ssm: SSMClient, request: SendCommandOnceRequest): Promise<string | undefined> {
  const [firstInstance] = request.instanceIds;
  let best: { id: string; at: number } | undefined;
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new ListCommandsCommand({
        InstanceId: firstInstance,
        Filters: [{ key: 'DocumentName', value: request.documentName }],
        NextToken: nextToken,
      })
    );
    for (const command of page.Commands ?? []) {
      if (!command.CommandId || command.Comment !== request.comment || command.DocumentName !== request.documentName) continue;
      if (FAILED_COMMAND_STATUSES.includes(command.Status ?? '')) continue;
      const at = command.RequestedDateTime?.getTime() ?? 0;
      if (!best || at > best.at) best = { id: command.CommandId, at };
    }
    nextToken = page.NextToken;
  } while (nextToken);
  return best?.id;
}

/**
 * Sends an SSM command unless an earlier run of the same step already sent one that has
 * not failed; returns the command id either way. An instance whose agent is not online
 * yet (InvalidInstanceId) is a RetryableError.
 */
export async function sendCommandOnce(ssm: SSMClient, request: SendCommandOnceRequest): Promise<string> {
  if (request.instanceIds.length === 0) throw new FatalError(`${request.comment}: no instances to run ${request.documentName} on`);
  if (request.instanceIds.length > SSM_MAX_INSTANCE_IDS) {
    throw new FatalError(`${request.comment}: at most ${SSM_MAX_INSTANCE_IDS} instances per command, got ${request.instanceIds.length}`);
  }
  try {
    const existing = await findReusableCommand(ssm, request);
    if (existing) return existing;
    const sent = await ssm.send(
      new SendCommandCommand({
        DocumentName: request.documentName,
        InstanceIds: [...request.instanceIds],
        Parameters: request.parameters,
        Comment: request.comment,
        TimeoutSeconds: request.timeoutSeconds,
      })
    );
    const commandId = sent.Command?.CommandId;
    if (!commandId) throw new RetryableError(`SendCommand of ${request.documentName} returned no command id`);
    return commandId;
  } catch (err) {
    throw agentNotOnline(err, request.instanceIds) ?? err;
  }
}

/** InvalidInstanceId from SSM: the agent of one of the instances is not registered or not online yet. */
export function agentNotOnline(err: unknown, instanceIds: readonly string[]): RetryableError | undefined {
  if (!hasCode(err, 'InvalidInstanceId')) return undefined;
  const detail = err instanceof Error ? err.message : String(err);
  return new RetryableError(`InvalidInstanceId: the SSM agent of ${instanceIds.join(', ')} is not online yet (${detail})`, { cause: err });
}

/** The invocation on one instance; undefined while SSM does not show it yet (right after SendCommand). */
export async function getInvocation(
  ssm: SSMClient,
  commandId: string,
  instanceId: string
): Promise<GetCommandInvocationCommandOutput | undefined> {
  try {
    return await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
  } catch (err) {
    if (hasCode(err, 'InvocationDoesNotExist')) return undefined;
    throw err;
  }
}

/** A FatalError naming the instance, the status and its details, the exit code and the end of stderr. */
export function commandFailed(commandId: string, instanceId: string, invocation: GetCommandInvocationCommandOutput): FatalError {
  const details = invocation.StatusDetails && invocation.StatusDetails !== invocation.Status ? ` (${invocation.StatusDetails})` : '';
  const stderr = (invocation.StandardErrorContent ?? '').trimEnd().slice(-STDERR_TAIL_CHARS);
  const parts = [
    `command ${commandId} on ${instanceId}: ${invocation.Status ?? 'unknown status'}${details}`,
    `exit code ${invocation.ResponseCode ?? 'none'}`,
  ];
  if (stderr) parts.push(`stderr: ${stderr}`);
  return new FatalError(parts.join(', '));
}
