/**
 * Runs an exported ASL definition in aws-local-stepfunctions with stub step handlers, for
 * the workflow tests. Every Task is resolved to its step id through the function name in
 * its `Parameters.FunctionName` (see workflow/export.ts), every Wait and retry interval is
 * overridden to 0 ms, and every call and state entry is recorded.
 */
import { StateMachine } from 'aws-local-stepfunctions';
import type { StepId } from '../../functions/shared/contracts';
import { type AslDefinition, type AslState, functionNameOf } from '../../workflow/export';

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

/** The execution id a test run sees at `$$.Execution.Id`. */
export const TEST_EXECUTION_ID = 'arn:aws:states:eu-west-1:123456789012:execution:create-cluster:test-run';

/**
 * Runs `asl` with `input`. Steps without a stub fail the run with a clear error, so a
 * test states every step its path calls.
 */
export async function runAsl(asl: AslDefinition, input: unknown, stubs: Partial<Record<StepId, StubStep>>): Promise<RunResult> {
  const calls: StepCall[] = [];
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
      return { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: stub(payload, call) };
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
