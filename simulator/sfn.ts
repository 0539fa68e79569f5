/**
 * Step Functions, as far as the steps of the callback pattern use it: SendTaskSuccess,
 * SendTaskFailure and SendTaskHeartbeat. The tokens belong to whoever runs the state
 * machine (the local runner); the cloud passes each call on to the token registry it is
 * connected to (`SimulatedCloud.connectTaskTokens`) and answers with the registry's error
 * as Step Functions' own: InvalidToken, TaskTimedOut, InvalidOutput (API reference,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_SendTaskSuccess.html,
 * "Errors"). Without a registry every token is unknown: InvalidToken.
 */
import type { Handler, Out, Sim } from './core';
import { op } from './core';
import { fail } from './errors';

/** What the cloud needs from a token registry (cli/runner/task-tokens.ts has one). */
export interface TaskTokenEndpoint {
  sendSuccess(token: string, output: string): void;
  sendFailure(token: string, error?: string, cause?: string): void;
  sendHeartbeat(token: string): void;
}

const CODES = new Set(['InvalidToken', 'TaskTimedOut', 'InvalidOutput']);

/** Runs `call` on the connected registry, its errors as the service's. */
function viaRegistry(sim: Sim, token: unknown, call: (endpoint: TaskTokenEndpoint, token: string) => void): Out<object> {
  if (typeof token !== 'string' || token.length === 0)
    throw fail(
      'ValidationException',
      "1 validation error detected: Value at 'taskToken' failed to satisfy constraint: Member must have length greater than or equal to 1"
    );
  const endpoint = sim.taskTokens;
  if (!endpoint) throw fail('InvalidToken', 'The provided token is not valid.');
  try {
    call(endpoint, token);
  } catch (err) {
    if (err instanceof Error && CODES.has(err.name)) throw fail(err.name, err.message);
    throw err;
  }
  return {};
}

const sendTaskSuccess = op<{ taskToken?: string; output?: string }>((sim, input) =>
  viaRegistry(sim, input.taskToken, (endpoint, token) => {
    endpoint.sendSuccess(token, input.output ?? '');
  })
);

const sendTaskFailure = op<{ taskToken?: string; error?: string; cause?: string }>((sim, input) =>
  viaRegistry(sim, input.taskToken, (endpoint, token) => {
    endpoint.sendFailure(token, input.error, input.cause);
  })
);

const sendTaskHeartbeat = op<{ taskToken?: string }>((sim, input) =>
  viaRegistry(sim, input.taskToken, (endpoint, token) => {
    endpoint.sendHeartbeat(token);
  })
);

export const sfnHandlers: Record<string, Handler> = {
  SendTaskSuccess: sendTaskSuccess,
  SendTaskFailure: sendTaskFailure,
  SendTaskHeartbeat: sendTaskHeartbeat,
};
