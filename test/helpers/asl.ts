/**
 * Runs an exported ASL definition in aws-local-stepfunctions with stub step handlers, for
 * the workflow tests. Every Task is resolved to its step id through the function name in
 * its `Parameters.FunctionName` (see workflow/export.ts), every Wait and retry interval is
 * overridden to 0 ms, and every call and state entry is recorded.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import { pollAnswer } from '../../functions/shared/poll';
import { type AslDefinition, type AslState, functionNameOf } from '../../workflow/export';
import type { StepId } from '../../workflow/step-catalogue';

/** An entry of the library's event log (its type is not exported by name). */
export type EventLog = ReturnType<StateMachine['run']>['eventLogs'] extends AsyncGenerator<infer E> ? E : never;

// aws-local-stepfunctions (built for Node 22) races every Task against a timeout with
// Promise.withResolvers, which Node 20 lacks.
type WithResolvers = <T>() => { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void };
const promiseCtor = Promise as unknown as { withResolvers?: WithResolvers };
if (typeof promiseCtor.withResolvers !== 'function') {
  promiseCtor.withResolvers = <T>() => {
    let resolve!: (v: T) => void;
    let reject!: (e: unknown) => void;
    const promise = new Promise<T>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    return { promise, resolve, reject };
  };
}

/** A stub step: receives the task's payload, returns the step's output or throws a named error. */
export type StubStep = (payload: Record<string, unknown>, call: StepCall) => unknown;

/** One invocation of a step during a run. */
export interface StepCall {
  readonly stateName: string;
  readonly stepId: StepId;
  readonly payload: Record<string, unknown>;
}

/** A named error, as a step throws it (Step Functions matches Retry/Catch on `name`). */
export function stepError(name: string, message: string): Error {
  const error = new Error(message);
  error.name = name;
  return error;
}

/** Every state of a definition, Parallel branches included, with its name. */
export function allStates(asl: AslDefinition): [string, AslState][] {
  const out: [string, AslState][] = [];
  for (const [name, state] of Object.entries(asl.States)) {
    out.push([name, state]);
    for (const branch of state.Branches ?? []) out.push(...allStates(branch));
  }
  return out;
}

/** The step id a Task state invokes. */
export function stepIdOf(state: AslState): StepId {
  const fn = state.Parameters?.FunctionName;
  if (typeof fn !== 'string') throw new Error('not a Lambda invoke task');
  return functionNameOf(fn) as StepId;
}

export interface RunResult {
  /** 'SUCCEEDED' or 'FAILED'. */
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  /** The error and cause of a failed execution. */
  readonly error?: string;
  readonly cause?: string;
  /** The step invocations in order. */
  readonly calls: StepCall[];
  /**
   * The names of the states entered, in order. Events of Parallel branches reach the log
   * asynchronously: the last ones of a branch that ends the execution may be missing.
   */
  readonly entered: string[];
  /** The StateFailed events: state name, error and cause. */
  readonly failed: { readonly state: string; readonly error: string; readonly cause: unknown }[];
  readonly events: EventLog[];
}

/**
 * A check of a timed poll loop (its payload carries a budget) answers when to look next and
 * whether its budget is used up (functions/shared/poll.ts). A stub gives only the check's
 * own fields: the real arithmetic adds the rest, on a clock of the loop's own (the waits
 * pass in no time here), so a check that never says done times out at its budget, after as
 * many checks as the back-off makes.
 */
function withPollAnswer(stateName: string, payload: Record<string, unknown>, answer: unknown, polls: Map<string, number>): unknown {
  const budgetSeconds =
    typeof payload.budgetSeconds === 'number'
      ? payload.budgetSeconds
      : typeof payload.budgetMinutes === 'number'
        ? payload.budgetMinutes * 60
        : undefined;
  if (budgetSeconds === undefined || typeof answer !== 'object' || answer === null || 'waitSeconds' in answer) return answer;
  const a = answer as Record<string, unknown>;
  const done =
    a.done === true || a.online === true || a.ready === true || a.drained === true || a.running === true || a.state === 'available';
  const elapsed = polls.get(stateName) ?? 0;
  const poll = pollAnswer({ done, startedAt: 0, now: elapsed * 1000, budgetSeconds });
  polls.set(stateName, done || poll.timedOut ? 0 : elapsed + poll.waitSeconds);
  return { ...a, ...poll };
}

/**
 * How many checks a timed poll loop makes before it gives up at a budget of `budgetSeconds`,
 * on the clock of withPollAnswer (the first check at 0 s): each wait a tenth of the time
 * waited, 2 s to 120 s, the last one cut to land on the budget's end. Worked out here apart
 * from functions/shared/poll.ts, so that a test compares the machine with the documented rule.
 */
export function checksWithin(budgetSeconds: number): number {
  let elapsed = 0;
  let checks = 1;
  while (elapsed < budgetSeconds) {
    const wait = Math.round(Math.min(120, Math.max(2, 0.1 * elapsed)));
    elapsed += Math.max(1, Math.min(wait, Math.ceil(budgetSeconds - elapsed)));
    checks++;
  }
  return checks;
}

/** The execution id a test run sees at `$$.Execution.Id`. */
export const TEST_EXECUTION_ID = 'arn:aws:states:eu-west-1:123456789012:execution:create-cluster:test-run';

/**
 * Runs `asl` with `input`. Steps without a stub fail the run with a clear error, so a
 * test states every step its path calls.
 */
/** The `$$.Task.Token` of every callback task of a stubbed run. */
export const TEST_TASK_TOKEN = 'test-task-token';

export async function runAsl(asl: AslDefinition, input: unknown, stubs: Partial<Record<StepId, StubStep>>): Promise<RunResult> {
  const calls: StepCall[] = [];
  const polls = new Map<string, number>();
  const taskResourceLocalHandlers: Record<string, (input: never) => unknown> = {};
  const waitTimeOverrides: Record<string, number> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const [stateName, state] of allStates(asl)) {
    if (state.Type === 'Wait') waitTimeOverrides[stateName] = 0;
    if (state.Retry) retryIntervalOverrides[stateName] = 0;
    if (state.Type !== 'Task') continue;
    const stepId = stepIdOf(state);
    taskResourceLocalHandlers[stateName] = (params: { Payload?: Record<string, unknown> }) => {
      const payload = params.Payload ?? {};
      const call = { stateName, stepId, payload };
      calls.push(call);
      const stub = stubs[stepId];
      if (!stub) throw stepError('NoStubError', `no stub for step ${stepId} (state ${stateName})`);
      // The lambda:invoke integration wraps the function's result in Payload.
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: withPollAnswer(stateName, payload, stub(payload, call), polls) };
    };
  }

  // The library annotates the definition it is given (QueryLanguage on each state), so it
  // gets a copy; a JSON copy, because structuredClone under jest builds objects of another
  // realm, which the library's plain-object checks reject.
  // The definition tests validate it once; skipping the validation here keeps runs fast.
  const machine = new StateMachine(JSON.parse(JSON.stringify(asl)), { validationOptions: { noValidate: true } });
  const execution = machine.run(input as never, {
    overrides: { taskResourceLocalHandlers: taskResourceLocalHandlers as never, waitTimeOverrides, retryIntervalOverrides },
    context: {
      Execution: { Id: TEST_EXECUTION_ID, Name: 'test-run', Input: input as never, StartTime: '2026-01-01T00:00:00.000Z' },
      // A callback task's token: the stub's answer stands for what SendTaskSuccess sends.
      Task: { Token: TEST_TASK_TOKEN },
    } as never,
  });
  const events: EventLog[] = [];
  const collect = (async () => {
    for await (const event of execution.eventLogs) events.push(event);
  })();
  let outcome: Pick<RunResult, 'status' | 'output' | 'error' | 'cause'>;
  try {
    outcome = { status: 'SUCCEEDED', output: await execution.result };
  } catch (err) {
    const cause = (err as { cause?: { name?: string; message?: string } }).cause;
    outcome = { status: 'FAILED', error: cause?.name ?? (err as Error).name, cause: cause?.message ?? (err as Error).message };
  }
  await collect;
  const entered = events.flatMap((e) => (e.type === 'StateEntered' ? [e.state.name] : []));
  const failed = events.flatMap((e) => (e.type === 'StateFailed' ? [{ state: e.state.name, error: e.Error, cause: e.Cause }] : []));
  return { ...outcome, calls, entered, failed, events };
}
