import { type AslMachine, causeMessage, functionNameOfArn, type RunEvent, runMachine, statePlaces } from '../../../cli/runner/local-runner';
import type { AnyStep } from '../../../cli/runner/step-registry';
import { MissingStepError, stepRegistry } from '../../../cli/runner/step-registry';
import type { StepClients } from '../../../functions/shared/step';
import { STEP_IDS } from '../../../workflow/step-catalogue';

const START = Date.UTC(2030, 0, 1);
const fn = (id: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${id}`;
const clients = {} as StepClients;

function task(id: string, resultPath: string, next: string | undefined, extra: Record<string, unknown> = {}) {
  return {
    Type: 'Task',
    Resource: 'arn:aws:states:::lambda:invoke',
    Parameters: { FunctionName: fn(id), Payload: { 'clusterId.$': '$.clusterId', 'executionId.$': '$$.Execution.Id' } },
    ResultSelector: { 'value.$': '$.Payload.value' },
    ResultPath: resultPath,
    ...(next ? { Next: next } : { End: true }),
    ...extra,
  };
}

/** Fake steps: `ok` returns a value, `flaky` fails with RetryableError twice then succeeds, `fatal` throws FatalError. */
function fakeSteps(calls: { id: string; input: unknown }[]) {
  let flaky = 0;
  return (id: string): AnyStep => ({
    id,
    run: async (input: unknown) => {
      calls.push({ id, input });
      if (id === 'fatal') throw Object.assign(new Error('NatGatewayLimitExceeded: too many'), { name: 'FatalError' });
      if (id === 'flaky' && ++flaky <= 2) throw Object.assign(new Error(`try ${flaky}`), { name: 'RetryableError' });
      return { value: `${id}@${Date.now() - START}` };
    },
  });
}

const parallelAsl: AslMachine = {
  StartAt: 'Both',
  States: {
    Both: {
      Type: 'Parallel',
      ResultPath: '$.both',
      Next: 'Flaky',
      Branches: [
        {
          StartAt: 'Wait 100',
          States: { 'Wait 100': { Type: 'Wait', Seconds: 100, Next: 'Slow' } as never, Slow: task('ok', '$.slow', undefined) as never },
        },
        {
          StartAt: 'Wait 50',
          States: { 'Wait 50': { Type: 'Wait', Seconds: 50, Next: 'Fast' } as never, Fast: task('ok', '$.fast', undefined) as never },
        },
      ],
    } as never,
    Flaky: task('flaky', '$.flaky', undefined, {
      Retry: [{ ErrorEquals: ['RetryableError'], IntervalSeconds: 10, MaxAttempts: 3, BackoffRate: 2, JitterStrategy: 'FULL' }],
    }) as never,
  },
};

const failingAsl: AslMachine = {
  StartAt: 'Create NAT Gateway',
  States: {
    'Create NAT Gateway': task('fatal', '$.nat', 'Never', {
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Failed' }],
    }) as never,
    Never: { Type: 'Succeed' } as never,
    Failed: { Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' } as never,
  },
};

describe('runMachine', () => {
  it('runs parallel branches concurrently in virtual time', async () => {
    // Prepare
    const calls: { id: string; input: unknown }[] = [];

    // Act
    const result = await runMachine({
      asl: parallelAsl,
      input: { clusterId: 'c-1' },
      executionName: 'e1',
      clients,
      clock: { now: START },
      steps: fakeSteps(calls),
    });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.startedAt).toBe(START);
    const both = (result.output as { both: { slow?: { value: string }; fast?: { value: string } }[] }).both;
    expect(both[0]?.slow?.value).toBe('ok@100000');
    expect(both[1]?.fast?.value).toBe('ok@50000');
    expect(result.endedAt - result.startedAt).toBeGreaterThanOrEqual(100_000);
    expect(result.endedAt - result.startedAt).toBeLessThan(100_000 + 30_000);
    expect(result.realMs).toBeLessThan(5_000);
    expect(calls[0]?.input).toEqual({ clusterId: 'c-1', executionId: 'arn:aws:states:eu-west-1:123456789012:execution:mesos-cluster:e1' });
    expect(result.transitions).toBe(result.events.filter((e) => e.type === 'StateEntered').length);
    expect(result.transitions).toBe(6);
  });

  it('retries a RetryableError with seeded jitter, the same way on every run', async () => {
    // Prepare
    const timeline = async () => {
      const events: RunEvent[] = [];
      const result = await runMachine({
        asl: parallelAsl,
        input: { clusterId: 'c-1' },
        executionName: 'same-name',
        clients,
        clock: { now: START },
        steps: fakeSteps([]),
        onEvent: (e) => events.push(e),
      });
      return { result, events: events.map((e) => `${e.type}:${e.state ?? ''}:${e.elapsedMs}`) };
    };

    // Act
    const first = await timeline();
    const second = await timeline();

    // Assess
    expect(first.result.status).toBe('SUCCEEDED');
    expect(first.result.events.filter((e) => e.type === 'StateRetried').map((e) => e.attempt)).toEqual([1, 2]);
    expect(second.events).toEqual(first.events);
    expect(second.result.endedAt).toBe(first.result.endedAt);
  });

  it('restores Date, timers and Math.random after a virtual run', async () => {
    // Prepare
    const random = Math.random;
    const setTimeoutBefore = globalThis.setTimeout;
    const RealDate = Date;

    // Act
    await runMachine({
      asl: parallelAsl,
      input: { clusterId: 'c' },
      executionName: 'e',
      clients,
      clock: { now: START },
      steps: fakeSteps([]),
    });

    // Assess
    expect(Math.random).toBe(random);
    expect(globalThis.setTimeout).toBe(setTimeoutBefore);
    expect(globalThis.Date).toBe(RealDate);
    expect(Date.now()).toBeGreaterThan(Date.UTC(2024, 0, 1));
    expect(Date.now()).toBeLessThan(START);
  });

  it('reports a thrown error as Lambda does: Error = errorType, Cause = {"errorType","errorMessage"}', async () => {
    // Prepare
    const events: RunEvent[] = [];

    // Act
    const result = await runMachine({
      asl: failingAsl,
      input: { clusterId: 'c-1' },
      executionName: 'e2',
      clients,
      clock: { now: START },
      steps: fakeSteps([]),
      onEvent: (e) => events.push(e),
    });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('FatalError');
    expect(JSON.parse(result.cause ?? '')).toEqual({ errorType: 'FatalError', errorMessage: 'fatal: NatGatewayLimitExceeded: too many' });
    expect(causeMessage(result.cause)).toBe('fatal: NatGatewayLimitExceeded: too many');
    const failed = events.find((e) => e.type === 'StateFailed');
    expect(failed).toMatchObject({ state: 'Create NAT Gateway', error: 'FatalError', stepId: 'fatal', depth: 0 });
    expect(events.map((e) => `${e.type}:${e.state ?? ''}`)).toEqual([
      'ExecutionStarted:',
      'StateEntered:Create NAT Gateway',
      'StateFailed:Create NAT Gateway',
      'StateCaught:Create NAT Gateway',
      'StateExited:Create NAT Gateway',
      'StateEntered:Failed',
      'StateFailed:Failed',
      'ExecutionFailed:',
    ]);
  });

  it('runs in real time without a clock', async () => {
    // Prepare
    const asl: AslMachine = { StartAt: 'One', States: { One: task('ok', '$.one', undefined) as never } };
    const before = Date.now();

    // Act
    const result = await runMachine({ asl, input: { clusterId: 'c' }, executionName: 'e3', clients, steps: fakeSteps([]) });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(result.startedAt).toBeGreaterThanOrEqual(before);
    expect((result.output as { one: { value: string } }).one.value).toMatch(/^ok@/);
  });

  it('refuses a machine whose task names a step that does not exist, naming it', async () => {
    // Prepare
    const asl: AslMachine = { StartAt: 'Ghost', States: { Ghost: task('no-such-step', '$.x', undefined) as never } };

    // Act
    const run = runMachine({ asl, input: {}, executionName: 'e4', clients });

    // Assess
    await expect(run).rejects.toThrow(MissingStepError);
    await expect(run).rejects.toThrow(/no-such-step/);
  });
});

describe('statePlaces', () => {
  it('places branch states one level deeper with their branch index and step id', () => {
    // Act
    const places = statePlaces(parallelAsl);

    // Assess
    expect(places.get('Both')).toEqual({ type: 'Parallel', depth: 0, parent: undefined, branch: undefined, stepId: undefined });
    expect(places.get('Fast')).toEqual({ type: 'Task', depth: 1, parent: 'Both', branch: 1, stepId: 'ok' });
    expect(places.get('Flaky')?.stepId).toBe('flaky');
  });
});

describe('functionNameOfArn', () => {
  it('returns the function name of an ARN with or without a qualifier', () => {
    expect(functionNameOfArn(fn('create-vpc'))).toBe('create-vpc');
    expect(functionNameOfArn(`${fn('create-vpc')}:$LATEST`)).toBe('create-vpc');
    expect(functionNameOfArn('create-vpc')).toBe('create-vpc');
  });
});

describe('stepRegistry', () => {
  it('loads every step of the create, teardown and scale machines by id', () => {
    // Act
    const registry = stepRegistry();

    // Assess
    expect([...registry.keys()]).toEqual(STEP_IDS);
    for (const [id, step] of registry) expect(step.id).toBe(id);
  });
});
