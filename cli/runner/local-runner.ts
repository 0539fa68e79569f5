/**
 * The local runner: executes an exported state machine (ASL JSON) in-process with
 * aws-local-stepfunctions, every Lambda task resolved to its step and run with the given
 * clients (the simulated cloud's, or real SDK clients). Optionally on a virtual clock:
 * Wait states, retry intervals and the simulated resources' latencies pass in virtual
 * time, so a 20-minute create takes a fraction of a second and repeats exactly.
 */
import './polyfill';
import {
  ExecutionAbortedError,
  ExecutionError,
  ExecutionTimeoutError,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import { invokeStep, type StepClients } from '../../functions/shared/step';
import { type AnyStep, loadStep, MissingStepError } from './step-registry';
import { TaskStateError, TaskTokens } from './task-tokens';
import { inVirtualTime } from './virtual-time';

/** The account and Region of the ARNs that the exported machines use. */
const DEFAULT_REGION = 'eu-west-1';
const DEFAULT_ACCOUNT = '123456789012';

/** JSON, as the state machine passes it around. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** A state of an ASL document, as far as the runner reads it. */
interface AslState {
  readonly Type: string;
  readonly Resource?: string;
  readonly Parameters?: { readonly FunctionName?: unknown; readonly Payload?: unknown };
  readonly TimeoutSeconds?: number;
  readonly TimeoutSecondsPath?: string;
  readonly HeartbeatSeconds?: number;
  readonly HeartbeatSecondsPath?: string;
  readonly Branches?: readonly AslMachine[];
  readonly Iterator?: AslMachine;
  readonly ItemProcessor?: AslMachine;
}

/** An ASL document or a branch of one. */
export interface AslMachine {
  readonly StartAt: string;
  readonly States: Readonly<Record<string, AslState>>;
  readonly TimeoutSeconds?: number;
  readonly Comment?: string;
}

/** Where a state sits in the machine: nesting depth and, inside a Parallel, which branch. */
export interface StatePlace {
  readonly type: string;
  /** 0 for top-level states, 1 inside a Parallel branch, and so on. */
  readonly depth: number;
  /** The enclosing Parallel (or Map) state, if any. */
  readonly parent?: string;
  /** The branch index inside the enclosing Parallel. */
  readonly branch?: number;
  /** The step id of a Lambda task. */
  readonly stepId?: string;
}

/** What the runner reports while a machine runs. */
export interface RunEvent {
  readonly type:
    | 'ExecutionStarted'
    | 'ExecutionSucceeded'
    | 'ExecutionFailed'
    | 'ExecutionTimeout'
    | 'StateEntered'
    | 'StateExited'
    | 'StateFailed'
    | 'StateRetried'
    | 'StateCaught'
    | 'ParallelBranchStarted'
    | 'ParallelBranchSucceeded'
    | 'ParallelBranchFailed';
  /** Date.now() when it happened: virtual time on a virtual clock. */
  readonly timestamp: number;
  /** Milliseconds since the execution started. */
  readonly elapsedMs: number;
  readonly state?: string;
  readonly stateType?: string;
  readonly depth: number;
  readonly parent?: string;
  readonly branch?: number;
  readonly stepId?: string;
  /** StateExited: milliseconds since the state was entered. */
  readonly durationMs?: number;
  /** StateRetried: the retry number (1 for the first retry). */
  readonly attempt?: number;
  /** StateRetried: the retrier's ErrorEquals. */
  readonly retryOn?: readonly string[];
  /** StateFailed, ExecutionFailed: error name and cause. */
  readonly error?: string;
  readonly cause?: string;
  readonly input?: unknown;
  readonly output?: unknown;
}

/** The end of a run. */
export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  readonly events: RunEvent[];
  /** State transitions: the number of states entered. */
  readonly transitions: number;
  /** Date.now() at start and end: virtual time on a virtual clock. */
  readonly startedAt: number;
  readonly endedAt: number;
  /** Real milliseconds the run took. */
  readonly realMs: number;
  /** True when the execution was stopped through `signal` (status FAILED, error ABORTED_ERROR). */
  readonly aborted?: boolean;
}

/** The error of a run stopped through its `signal` (as StopExecution: the execution simply ends). */
export const ABORTED_ERROR = 'States.Aborted';

export interface RunMachineOptions {
  /** The ASL document, as exported (JSONPath; Lambda tasks name their step in Parameters.FunctionName). */
  readonly asl: AslMachine;
  readonly input: unknown;
  readonly executionName: string;
  /** The clients every step receives. */
  readonly clients: StepClients;
  /** Called for every event, as it happens. */
  readonly onEvent?: (event: RunEvent) => void;
  /**
   * Run on a virtual clock starting at `now` (epoch ms), e.g. the simulated cloud's saved
   * clock. Without it the run uses real time (`--local`).
   */
  readonly clock?: { readonly now: number };
  /** Seed of Math.random during a virtual-clock run; defaults to the execution name. */
  readonly seed?: string;
  /** The state machine's name, for the execution ARN. @default 'mesos-cluster' */
  readonly machineName?: string;
  readonly region?: string;
  readonly account?: string;
  /** Step lookup; the default loads functions/<id>/<id>.ts. */
  readonly steps?: (stepId: string) => AnyStep;
  /**
   * Stops the execution when aborted, as StopExecution does: no further state starts; a
   * step already running finishes its calls, but its result is dropped. The run then ends
   * FAILED with `aborted: true` and the error ABORTED_ERROR.
   */
  readonly signal?: AbortSignal;
  /**
   * The task tokens of `.waitForTaskToken` tasks: whoever answers the steps' Step Functions
   * client (SendTaskSuccess, SendTaskFailure, SendTaskHeartbeat) settles them here. A run
   * without it has tokens that nothing outside the run can settle.
   */
  readonly taskTokens?: TaskTokens;
}

/** The function name of a Lambda ARN (`arn:aws:lambda:r:a:function:name[:qualifier]`), or the name itself. */
export function functionNameOfArn(arnOrName: string): string {
  const match = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arnOrName);
  return match?.[1] ?? arnOrName;
}

function isLambdaInvoke(resource: string | undefined): boolean {
  return resource !== undefined && /^arn:[^:]+:states:::lambda:invoke(?:\.waitForTaskToken)?$/.test(resource);
}

/** A Lambda call of the callback pattern: the task ends when its token is sent back. */
function isCallback(resource: string | undefined): boolean {
  return resource !== undefined && /^arn:[^:]+:states:::lambda:invoke\.waitForTaskToken$/.test(resource);
}

/** The one token of `tokens` that is in `value` (a task's payload, where `$$.Task.Token` put it). */
function tokenIn(value: Json, tokens: TaskTokens): string | undefined {
  if (typeof value === 'string') return tokens.isUnclaimed(value) ? value : undefined;
  if (Array.isArray(value)) {
    for (const member of value) {
      const found = tokenIn(member, tokens);
      if (found) return found;
    }
    return undefined;
  }
  if (value !== null && typeof value === 'object') return tokenIn(Object.values(value), tokens);
  return undefined;
}

/**
 * The largest delay a timer takes (2^31 - 1 ms, ≈ 24.8 days): Node fires longer ones at once.
 * Step Functions' own default for a callback task (no TimeoutSeconds: 99999999 s) is beyond it.
 */
const MAX_TIMER_SECONDS = Math.floor((2 ** 31 - 1) / 1000);

function isBareLambda(resource: string | undefined): boolean {
  return resource !== undefined && /^arn:[^:]+:lambda:/.test(resource);
}

/** The step id that a Task state invokes, or undefined for a Task that is not a Lambda call. */
export function stepIdOfTask(state: AslState): string | undefined {
  if (isLambdaInvoke(state.Resource)) {
    const fn = state.Parameters?.FunctionName;
    return typeof fn === 'string' ? functionNameOfArn(fn) : undefined;
  }
  if (isBareLambda(state.Resource) && state.Resource) return functionNameOfArn(state.Resource);
  return undefined;
}

/** Every state of the machine, including those inside Parallel branches and Map processors. */
export function statePlaces(asl: AslMachine): Map<string, StatePlace> {
  const places = new Map<string, StatePlace>();
  const walk = (machine: AslMachine, depth: number, parent?: string, branch?: number) => {
    for (const [name, state] of Object.entries(machine.States)) {
      places.set(name, { type: state.Type, depth, parent, branch, stepId: state.Type === 'Task' ? stepIdOfTask(state) : undefined });
      state.Branches?.forEach((b, i) => {
        walk(b, depth + 1, name, i);
      });
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) walk(processor, depth + 1, name);
    }
  };
  walk(asl, 0);
  return places;
}

/**
 * The error a Lambda task reports to Step Functions: Error = the errorType (the thrown
 * error's name), Cause = the JSON error object `{"errorType","errorMessage"}`.
 * aws-local-stepfunctions takes Error from `name` and Cause from `message`.
 */
export function lambdaError(err: unknown): Error {
  const errorType = err instanceof Error ? err.name : 'Error';
  const errorMessage = err instanceof Error ? err.message : String(err);
  const reported = new Error(JSON.stringify({ errorType, errorMessage }));
  reported.name = errorType;
  return reported;
}

/** Parses a Lambda Cause back into its errorMessage (or returns the cause as it is). */
export function causeMessage(cause: string | undefined): string | undefined {
  if (cause === undefined) return undefined;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage;
  } catch {
    // Not a Lambda error object: a Fail state's or the runtime's own cause.
  }
  return cause;
}

function toJson(value: unknown): Json {
  return value === undefined ? null : (JSON.parse(JSON.stringify(value)) as Json);
}

function causeText(cause: unknown): string | undefined {
  if (cause === undefined || cause === null) return undefined;
  if (typeof cause === 'string') return cause;
  if (cause instanceof Error) return cause.message;
  return JSON.stringify(cause);
}

type TaskHandler = (input: Json) => Promise<Json>;

function taskHandlers(
  places: Map<string, StatePlace>,
  asl: AslMachine,
  clients: StepClients,
  steps: (id: string) => AnyStep,
  tokens: TaskTokens
) {
  const handlers: Record<string, TaskHandler> = {};
  const states = new Map<string, AslState>();
  const collect = (machine: AslMachine) => {
    for (const [name, state] of Object.entries(machine.States)) {
      states.set(name, state);
      for (const b of state.Branches ?? []) collect(b);
      const processor = state.ItemProcessor ?? state.Iterator;
      if (processor) collect(processor);
    }
  };
  collect(asl);
  for (const [name, place] of places) {
    if (place.type !== 'Task') continue;
    const state = states.get(name);
    const stepId = place.stepId;
    if (!state || !stepId) {
      throw new MissingStepError(name, `Task state '${name}' does not invoke a step (Resource ${state?.Resource ?? 'none'})`);
    }
    const step = steps(stepId);
    const envelope = isLambdaInvoke(state.Resource);
    if (isCallback(state.Resource)) {
      handlers[name] = callbackHandler(name, state, step, clients, tokens);
      continue;
    }
    handlers[name] = async (input: Json): Promise<Json> => {
      const payload = envelope ? (input as { Payload?: Json } | null)?.Payload : input;
      let result: unknown;
      try {
        result = await invokeStep(step, toJson(payload), clients);
      } catch (err) {
        throw lambdaError(err);
      }
      const json = toJson(result);
      return envelope ? { StatusCode: 200, ExecutedVersion: '$LATEST', Payload: json } : json;
    };
  }
  return handlers;
}

/**
 * A `.waitForTaskToken` Lambda task: invokes the step with its payload (where
 * `$$.Task.Token` put a fresh token), then waits for the token: the task's result is the
 * output of SendTaskSuccess, its error that of SendTaskFailure. A step that throws fails
 * the task, as a Lambda function error does. `HeartbeatSeconds` without a SendTaskHeartbeat
 * (or SendTaskSuccess) in time fails it with States.HeartbeatTimeout; at `TimeoutSeconds`
 * aws-local-stepfunctions fails it with States.Timeout and the token is closed (a later
 * SendTaskSuccess gets TaskTimedOut).
 */
function callbackHandler(name: string, state: AslState, step: AnyStep, clients: StepClients, tokens: TaskTokens): TaskHandler {
  const timeout = state.TimeoutSeconds;
  if (state.TimeoutSecondsPath !== undefined || state.HeartbeatSecondsPath !== undefined) {
    throw new MissingStepError(
      name,
      `Task state '${name}': the local runner takes a fixed TimeoutSeconds / HeartbeatSeconds on a callback task`
    );
  }
  if (timeout === undefined || !Number.isInteger(timeout) || timeout < 1 || timeout > MAX_TIMER_SECONDS) {
    throw new MissingStepError(
      name,
      `Task state '${name}' waits for a task token: the local runner needs TimeoutSeconds between 1 and ${MAX_TIMER_SECONDS} (got ${String(timeout)})`
    );
  }
  const heartbeat = state.HeartbeatSeconds;
  return async (input: Json): Promise<Json> => {
    const payload = (input as { Payload?: Json } | null)?.Payload ?? null;
    const token = tokenIn(payload, tokens);
    if (!token)
      throw new TaskStateError(
        'States.Runtime',
        `Task state '${name}' waits for a task token but its Payload carries none ($$.Task.Token)`
      );
    const claimed = tokens.claim(token);
    // Closed at the same instant as aws-local-stepfunctions' own TimeoutSeconds timer fails the task.
    const closeAt = setTimeout(() => tokens.close(token), timeout * 1000);
    let beat: ReturnType<typeof setTimeout> | undefined;
    const heartbeatLost = new Promise<never>((_resolve, reject) => {
      if (heartbeat === undefined) return;
      const arm = () => {
        if (beat !== undefined) clearTimeout(beat);
        beat = setTimeout(() => {
          tokens.close(token);
          reject(new TaskStateError('States.HeartbeatTimeout', `no heartbeat within HeartbeatSeconds (${heartbeat})`));
        }, heartbeat * 1000);
      };
      arm();
      claimed.onHeartbeat(arm);
    });
    heartbeatLost.catch(() => undefined);
    try {
      try {
        await invokeStep(step, toJson(payload), clients);
      } catch (err) {
        tokens.close(token);
        throw lambdaError(err);
      }
      const outcome = await Promise.race([claimed.outcome, heartbeatLost]);
      if ('error' in outcome) throw new TaskStateError(outcome.error, outcome.cause ?? '');
      return toJson(outcome.output);
    } finally {
      clearTimeout(closeAt);
      if (beat !== undefined) clearTimeout(beat);
    }
  };
}

/**
 * Executes the state machine and resolves when it ends (it never rejects for a failed
 * execution: that is `status: 'FAILED'` with the error and cause). With `clock` the run
 * happens in virtual time (see virtual-time.ts); inside a virtual-time session that is
 * already running, the run simply joins it.
 */
export async function runMachine(options: RunMachineOptions): Promise<RunResult> {
  const places = statePlaces(options.asl);
  const tokens = options.taskTokens ?? new TaskTokens();
  const handlers = taskHandlers(places, options.asl, options.clients, options.steps ?? loadStep, tokens);
  const machine = new StateMachine(options.asl as unknown as StateMachineDefinition);
  const realStart = performance.now();
  const execute = () => executeOnce(machine, handlers, places, options, tokens);
  const { startedAt, outcome, events } = options.clock
    ? (await inVirtualTime(options.clock.now, options.seed ?? options.executionName, execute)).value
    : await execute();
  const endedAt = outcome.endedAt;
  const transitions = events.filter((e) => e.type === 'StateEntered').length;
  const realMs = performance.now() - realStart;
  if (!('error' in outcome)) {
    return { status: 'SUCCEEDED', output: outcome.output, events, transitions, startedAt, endedAt, realMs };
  }
  const { error, cause } = failureOf(outcome.error);
  const aborted = outcome.error instanceof ExecutionAbortedError ? { aborted: true } : {};
  return { status: 'FAILED', error, cause, events, transitions, startedAt, endedAt, realMs, ...aborted };
}

type Outcome = { output: unknown; endedAt: number } | { error: unknown; endedAt: number };

async function executeOnce(
  machine: StateMachine,
  handlers: Record<string, TaskHandler>,
  places: Map<string, StatePlace>,
  options: RunMachineOptions,
  tokens: TaskTokens
): Promise<{ startedAt: number; outcome: Outcome; events: RunEvent[] }> {
  const region = options.region ?? DEFAULT_REGION;
  const account = options.account ?? DEFAULT_ACCOUNT;
  const machineName = options.machineName ?? 'mesos-cluster';
  const startedAt = Date.now();
  const events: RunEvent[] = [];
  const enteredAt = new Map<string, number>();
  const issued: string[] = [];
  // Stopped before it started: nothing runs.
  if (options.signal?.aborted) return { startedAt, outcome: { error: new ExecutionAbortedError(), endedAt: startedAt }, events };
  const execution = machine.run(toJson(options.input), {
    context: {
      Execution: {
        Id: `arn:aws:states:${region}:${account}:execution:${machineName}:${options.executionName}`,
        Name: options.executionName,
        RoleArn: `arn:aws:iam::${account}:role/${machineName}`,
        StartTime: new Date(startedAt).toISOString(),
      },
      StateMachine: { Id: `arn:aws:states:${region}:${account}:stateMachine:${machineName}`, Name: machineName },
      // `$$.Task.Token`: a fresh token each time a state's Parameters read it.
      Task: {
        get Token(): string {
          const token = tokens.issue();
          issued.push(token);
          return token;
        },
      },
    },
    overrides: { taskResourceLocalHandlers: handlers },
  });
  const stop = () => execution.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const consumed = (async () => {
    for await (const raw of execution.eventLogs) {
      const event = toRunEvent(raw as unknown as RawEvent, places, startedAt, enteredAt);
      if (!event) continue;
      events.push(event);
      options.onEvent?.(event);
    }
  })();
  const outcome: Outcome = await execution.result.then(
    (output) => ({ output, endedAt: Date.now() }),
    (error: unknown) => ({ error, endedAt: Date.now() })
  );
  options.signal?.removeEventListener('abort', stop);
  // The execution has ended: its tasks' tokens with it (a later SendTaskSuccess gets TaskTimedOut).
  for (const token of issued) tokens.close(token);
  await consumed;
  return { startedAt, outcome, events };
}

function failureOf(err: unknown): { error: string; cause?: string } {
  if (err instanceof ExecutionAbortedError) return { error: ABORTED_ERROR, cause: 'the execution was stopped' };
  if (err instanceof ExecutionTimeoutError) return { error: 'States.Timeout', cause: 'the execution exceeded its TimeoutSeconds' };
  if (err instanceof ExecutionError) {
    const inner = err.cause;
    if (inner instanceof Error) return { error: inner.name, cause: causeText(inner.message) };
    return { error: 'States.Runtime', cause: causeText(inner) ?? err.message };
  }
  if (err instanceof Error) return { error: err.name, cause: err.message };
  return { error: 'Error', cause: String(err) };
}

/** An event as aws-local-stepfunctions reports it. */
interface RawEvent {
  readonly type: RunEvent['type'] | 'MapIterationStarted' | 'MapIterationSucceeded' | 'MapIterationFailed' | 'ExecutionAborted';
  readonly timestamp: number;
  readonly state?: { name: string; type: string; input?: unknown; output?: unknown };
  readonly parentState?: { name: string; type: string };
  readonly Error?: string;
  readonly Cause?: unknown;
  readonly retry?: { retrier: { ErrorEquals: string[] }; attempt: number };
}

function toRunEvent(
  raw: RawEvent,
  places: Map<string, StatePlace>,
  startedAt: number,
  enteredAt: Map<string, number>
): RunEvent | undefined {
  const base = { timestamp: raw.timestamp, elapsedMs: raw.timestamp - startedAt };
  switch (raw.type) {
    case 'ExecutionStarted':
    case 'ExecutionSucceeded':
    case 'ExecutionTimeout':
      return { ...base, type: raw.type, depth: 0 };
    case 'ExecutionFailed':
      return { ...base, type: raw.type, depth: 0, error: raw.Error, cause: causeText(raw.Cause) };
    case 'ParallelBranchStarted':
    case 'ParallelBranchSucceeded':
    case 'ParallelBranchFailed': {
      const parent = raw.parentState?.name;
      const place = parent ? places.get(parent) : undefined;
      return { ...base, type: raw.type, state: parent, stateType: 'Parallel', depth: (place?.depth ?? 0) + 1, error: raw.Error };
    }
    case 'StateEntered':
    case 'StateExited':
    case 'StateFailed':
    case 'StateRetried':
    case 'StateCaught': {
      const name = raw.state?.name ?? '';
      const place = places.get(name);
      const where = {
        state: name,
        stateType: raw.state?.type,
        depth: place?.depth ?? 0,
        parent: place?.parent,
        branch: place?.branch,
        stepId: place?.stepId,
      };
      if (raw.type === 'StateEntered') {
        enteredAt.set(name, raw.timestamp);
        return { ...base, ...where, type: raw.type, input: raw.state?.input };
      }
      if (raw.type === 'StateExited') {
        const since = enteredAt.get(name);
        return {
          ...base,
          ...where,
          type: raw.type,
          durationMs: since === undefined ? undefined : raw.timestamp - since,
          output: raw.state?.output,
        };
      }
      if (raw.type === 'StateRetried') {
        return { ...base, ...where, type: raw.type, attempt: raw.retry?.attempt, retryOn: raw.retry?.retrier.ErrorEquals };
      }
      return { ...base, ...where, type: raw.type, error: raw.Error, cause: causeText(raw.Cause) };
    }
    default:
      return undefined;
  }
}
