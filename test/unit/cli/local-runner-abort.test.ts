/**
 * runMachine's `signal`: an aborted execution stops as StopExecution stops it (no further
 * state starts) and ends FAILED with `aborted` and the error States.Aborted.
 */
import { ABORTED_ERROR, type AslMachine, runMachine } from '../../../cli/runner/local-runner';
import type { AnyStep } from '../../../cli/runner/step-registry';
import type { StepClients } from '../../../functions/shared/step';

const START = Date.UTC(2030, 0, 1);
const clients = {} as StepClients;

const waitThenTask: AslMachine = {
  StartAt: 'First',
  States: {
    First: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:first', Payload: {} },
      ResultPath: '$.first',
      Next: 'Wait 100',
    } as never,
    'Wait 100': { Type: 'Wait', Seconds: 100, Next: 'Second' } as never,
    Second: {
      Type: 'Task',
      Resource: 'arn:aws:states:::lambda:invoke',
      Parameters: { FunctionName: 'arn:aws:lambda:eu-west-1:123456789012:function:second', Payload: {} },
      ResultPath: '$.second',
      End: true,
    } as never,
  },
};

function countingSteps(calls: string[]) {
  return (id: string): AnyStep => ({
    id,
    run: async () => {
      calls.push(id);
      return { ok: true };
    },
  });
}

describe('runMachine with a signal', () => {
  it('stops the execution when the signal aborts: the state after the wait never starts', async () => {
    // Prepare
    const calls: string[] = [];
    const stop = new AbortController();

    // Act
    const result = await runMachine({
      asl: waitThenTask,
      input: {},
      executionName: 'stopped',
      clients,
      clock: { now: START },
      steps: countingSteps(calls),
      signal: stop.signal,
      onEvent: (event) => {
        if (event.type === 'StateEntered' && event.state === 'Wait 100') stop.abort();
      },
    });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', aborted: true, error: ABORTED_ERROR });
    expect(calls).toEqual(['first']);
    expect(result.events.some((e) => e.state === 'Second')).toBe(false);
    expect(result.endedAt - result.startedAt).toBeLessThan(100_000);
  });

  it('runs nothing when the signal is already aborted', async () => {
    // Prepare
    const calls: string[] = [];

    // Act
    const result = await runMachine({
      asl: waitThenTask,
      input: {},
      executionName: 'never',
      clients,
      clock: { now: START },
      steps: countingSteps(calls),
      signal: AbortSignal.abort(),
    });

    // Assess
    expect(result).toMatchObject({ status: 'FAILED', aborted: true, error: ABORTED_ERROR });
    expect(calls).toEqual([]);
  });

  it('runs to the end without `aborted` when the signal never aborts', async () => {
    // Prepare
    const calls: string[] = [];

    // Act
    const result = await runMachine({
      asl: waitThenTask,
      input: {},
      executionName: 'whole',
      clients,
      clock: { now: START },
      steps: countingSteps(calls),
      signal: new AbortController().signal,
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.aborted).toBeUndefined();
    expect(calls).toEqual(['first', 'second']);
  });
});
