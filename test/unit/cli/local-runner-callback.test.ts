/**
 * The local runner's callback pattern (`lambda:invoke.waitForTaskToken`): the task's token
 * in `$$.Task.Token`, its result from SendTaskSuccess (through the simulated cloud's Step
 * Functions client), SendTaskFailure's error, TimeoutSeconds, HeartbeatSeconds, and the
 * errors of a token used after its task ended (TaskTimedOut) or never issued (InvalidToken).
 */
import { SendTaskFailureCommand, SendTaskHeartbeatCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { type AslMachine, type RunResult, runMachine } from '../../../cli/runner/local-runner';
import type { AnyStep } from '../../../cli/runner/step-registry';
import { TaskTokens } from '../../../cli/runner/task-tokens';
import type { StepClients } from '../../../functions/shared/step';
import { SimulatedCloud } from '../../../simulator';

const START = Date.UTC(2030, 0, 1);
const FN = 'arn:aws:lambda:eu-west-1:123456789012:function:wait-step';

/** A machine of one callback task (as CDK's LambdaInvoke with WAIT_FOR_TASK_TOKEN synthesizes it), caught into `Failed`. */
function callbackMachine(extra: Record<string, unknown> = {}): AslMachine {
  return {
    StartAt: 'Wait For Signal',
    States: {
      'Wait For Signal': {
        Type: 'Task',
        Resource: 'arn:aws:states:::lambda:invoke.waitForTaskToken',
        Parameters: { FunctionName: FN, Payload: { 'taskToken.$': '$$.Task.Token', 'id.$': '$.id' } },
        ResultPath: '$.signal',
        TimeoutSeconds: 300,
        Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
        End: true,
        ...extra,
      } as never,
      Failed: { Type: 'Pass', End: true } as never,
    },
  };
}

interface Harness {
  readonly tokens: TaskTokens;
  readonly sfn: SFNClient;
  /** Every token the step received, in order. */
  readonly received: string[];
  /** What later calls (scheduled by a behaviour) answered: 'ok' or the error name. */
  readonly answers: string[];
}

type Behaviour = (token: string, h: Harness, attempt: number) => Promise<void>;

/** Runs the machine with one step `wait-step` that receives the token and does `behaviour` with it. */
async function run(asl: AslMachine, behaviour: Behaviour): Promise<{ result: RunResult; h: Harness }> {
  const cloud = new SimulatedCloud();
  const tokens = new TaskTokens();
  cloud.connectTaskTokens(tokens);
  const clients = { ...cloud.clients(), config: {} } as unknown as StepClients;
  const h: Harness = { tokens, sfn: clients.sfn as SFNClient, received: [], answers: [] };
  const step: AnyStep = {
    id: 'wait-step',
    run: async (input: unknown) => {
      const token = (input as { taskToken: string }).taskToken;
      h.received.push(token);
      await behaviour(token, h, h.received.length);
      return { registered: true };
    },
  };
  const result = await runMachine({
    asl,
    input: { id: 'cmd-1' },
    executionName: 'callback',
    clients,
    clock: { now: START },
    steps: () => step,
    taskTokens: tokens,
  });
  return { result, h };
}

/** Sends `call` at `seconds` of virtual time from now, recording the answer. */
function later(h: Harness, seconds: number, call: () => Promise<unknown>): void {
  setTimeout(() => {
    call().then(
      () => h.answers.push('ok'),
      (err: unknown) => h.answers.push((err as Error).name)
    );
  }, seconds * 1000);
}

const success = (token: string, output: unknown) => new SendTaskSuccessCommand({ taskToken: token, output: JSON.stringify(output) });

function exitOf(result: RunResult, state: string) {
  return result.events.find((e) => e.type === 'StateExited' && e.state === state);
}

describe('local runner: .waitForTaskToken', () => {
  it('resolves the token in $$.Task.Token and ends the task with the output of SendTaskSuccess', async () => {
    const { result, h } = await run(callbackMachine(), async (token, harness) => {
      later(harness, 42, () => harness.sfn.send(success(token, { done: true, status: 'Success' })));
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(h.received).toHaveLength(1);
    expect(h.received[0]).toMatch(/^AQC[A-Za-z0-9+/=]+$/);
    expect(result.output).toEqual({ id: 'cmd-1', signal: { done: true, status: 'Success' } });
    // The task lasted until the signal, not until its timeout.
    expect(exitOf(result, 'Wait For Signal')?.durationMs).toBe(42_000);
    expect(h.answers).toEqual(['ok']);
    expect(result.transitions).toBe(1);
  });

  it('takes a SendTaskSuccess sent by the step itself, before it returned (no race with the registration)', async () => {
    const { result } = await run(callbackMachine(), async (token, harness) => {
      await harness.sfn.send(success(token, { already: 'finished' }));
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ signal: { already: 'finished' } });
    expect(exitOf(result, 'Wait For Signal')?.durationMs).toBeLessThan(1_000);
  });

  it('fails the task with the error and cause of SendTaskFailure', async () => {
    const { result } = await run(callbackMachine(), async (token, harness) => {
      later(harness, 10, () => harness.sfn.send(new SendTaskFailureCommand({ taskToken: token, error: 'CommandFailed', cause: 'exit 3' })));
    });
    expect(result.status).toBe('SUCCEEDED');
    expect(result.output).toMatchObject({ error: { Error: 'CommandFailed', Cause: 'exit 3' } });
    expect(result.events.find((e) => e.type === 'StateFailed')?.error).toBe('CommandFailed');
  });

  it('fails with States.Timeout at TimeoutSeconds, and a later SendTaskSuccess gets TaskTimedOut', async () => {
    const { result, h } = await run(callbackMachine(), async (token, harness) => {
      later(harness, 400, () => harness.sfn.send(success(token, {})));
    });
    const failed = result.events.find((e) => e.type === 'StateFailed');
    expect(failed?.error).toBe('States.Timeout');
    expect(failed?.elapsedMs).toBe(300_000);
    expect(result.output).toMatchObject({ error: { Error: 'States.Timeout' } });
    // The run ends with the Catch; the late call is made when its timer fires, if the
    // virtual clock still runs: here it does not, so the token is checked directly.
    expect(() => h.tokens.sendSuccess(h.received[0] ?? '', '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('answers TaskTimedOut to a token used twice, and InvalidToken to one never issued', async () => {
    const { result, h } = await run(callbackMachine(), async (token, harness) => {
      await harness.sfn.send(success(token, { first: true }));
      await harness.sfn.send(success(token, { second: true })).then(
        () => harness.answers.push('ok'),
        (err: unknown) => harness.answers.push((err as Error).name)
      );
      await harness.sfn.send(success(`${token}x`, {})).then(
        () => harness.answers.push('ok'),
        (err: unknown) => harness.answers.push((err as Error).name)
      );
      await harness.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: 'not json' })).then(
        () => harness.answers.push('ok'),
        (err: unknown) => harness.answers.push((err as Error).name)
      );
    });
    expect(result.output).toMatchObject({ signal: { first: true } });
    expect(h.answers).toEqual(['TaskTimedOut', 'InvalidToken', 'TaskTimedOut']);
  });

  it('refuses output that is not JSON with InvalidOutput, leaving the task waiting', async () => {
    const { result, h } = await run(callbackMachine(), async (token, harness) => {
      await harness.sfn.send(new SendTaskSuccessCommand({ taskToken: token, output: '{nope' })).then(
        () => harness.answers.push('ok'),
        (err: unknown) => harness.answers.push((err as Error).name)
      );
      later(harness, 5, () => harness.sfn.send(success(token, { second: 'try' })));
    });
    expect(h.answers).toEqual(['InvalidOutput', 'ok']);
    expect(result.output).toMatchObject({ signal: { second: 'try' } });
  });

  it('keeps the task alive while heartbeats arrive within HeartbeatSeconds, and fails it with States.HeartbeatTimeout otherwise', async () => {
    const beating = await run(callbackMachine({ HeartbeatSeconds: 10 }), async (token, harness) => {
      for (const at of [8, 16, 24]) later(harness, at, () => harness.sfn.send(new SendTaskHeartbeatCommand({ taskToken: token })));
      later(harness, 30, () => harness.sfn.send(success(token, { alive: true })));
    });
    expect(beating.result.output).toMatchObject({ signal: { alive: true } });
    expect(beating.h.answers).toEqual(['ok', 'ok', 'ok', 'ok']);

    const silent = await run(callbackMachine({ HeartbeatSeconds: 10 }), async (token, harness) => {
      later(harness, 30, () => harness.sfn.send(success(token, {})));
    });
    const failed = silent.result.events.find((e) => e.type === 'StateFailed');
    expect(failed?.error).toBe('States.HeartbeatTimeout');
    expect(failed?.elapsedMs).toBe(10_000);
  });

  it('gives each attempt of a retried callback task a fresh token; the first attempt’s token is closed', async () => {
    const asl = callbackMachine({
      Retry: [{ ErrorEquals: ['States.Timeout'], IntervalSeconds: 1, MaxAttempts: 1, BackoffRate: 1 }],
      TimeoutSeconds: 60,
    });
    const { result, h } = await run(asl, async (token, harness, attempt) => {
      if (attempt === 2) await harness.sfn.send(success(token, { attempt }));
    });
    expect(result.output).toMatchObject({ signal: { attempt: 2 } });
    expect(h.received).toHaveLength(2);
    expect(h.received[0]).not.toBe(h.received[1]);
    expect(() => h.tokens.sendSuccess(h.received[0] ?? '', '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('fails the task with the step’s error (classified as for any step) when the Lambda invocation itself fails', async () => {
    const { result, h } = await run(callbackMachine(), async () => {
      throw Object.assign(new Error('table missing'), { name: 'ResourceNotFoundException' });
    });
    expect(result.output).toMatchObject({ error: { Error: 'FatalError' } });
    expect((result.output as { error: { Cause: string } }).error.Cause).toContain('table missing');
    expect(() => h.tokens.sendSuccess(h.received[0] ?? '', '{}')).toThrow(expect.objectContaining({ name: 'TaskTimedOut' }));
  });

  it('refuses a callback task without TimeoutSeconds (Step Functions would wait a year)', async () => {
    const asl = callbackMachine({ TimeoutSeconds: undefined });
    await expect(run(asl, async () => undefined)).rejects.toThrow(/needs TimeoutSeconds/);
  });

  it('answers InvalidToken when the cloud has no runner connected', async () => {
    const cloud = new SimulatedCloud();
    await expect(cloud.clients().sfn.send(success('AQCabc', {}))).rejects.toMatchObject({ name: 'InvalidToken' });
  });
});
