/**
 * What one execution costs, read from the local runner's events: billed state
 * transitions, Lambda invocations, an estimate of the execution-history events (Standard
 * workflows fail at 25,000) and the largest state payload (256 KiB limit).
 */
import type { RunEvent, RunResult } from '../cli/runner/local-runner';

/** The execution-history limit of a Standard workflow. */
export const HISTORY_EVENT_LIMIT = 25_000;

/** The payload limit of a state's input or output (256 KiB). */
export const PAYLOAD_LIMIT_BYTES = 262_144;

export interface RunMetrics {
  readonly status: RunResult['status'];
  readonly error?: string;
  readonly cause?: string;
  /** Virtual seconds from the start to the end of the execution. */
  readonly simulatedSeconds: number;
  /** Real seconds the run took. */
  readonly realSeconds: number;
  /** States entered. */
  readonly statesEntered: number;
  /** Retries of a state (each one is billed as a transition and re-invokes a task's Lambda). */
  readonly retries: number;
  /** Billed state transitions: states entered + retries. */
  readonly transitions: number;
  /** Lambda invocations: task states entered + task retries. */
  readonly lambdaInvocations: number;
  /** Estimated execution-history events. */
  readonly historyEvents: number;
  /** The largest state input or output, in UTF-8 bytes of its JSON. */
  readonly largestPayloadBytes: number;
  /** Where it was: `<state> (input|output)`. */
  readonly largestPayloadAt: string;
}

/** UTF-8 bytes of a value's JSON. */
export function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

/**
 * Execution-history events of a run, after the event model of research (d) "History
 * budget": 2 for the execution (started, ended); 2 per state entered (entered, exited);
 * 3 more per task attempt (scheduled, started, succeeded or failed); 2 more per Parallel
 * (started, succeeded).
 */
export function historyEventsOf(events: readonly RunEvent[]): number {
  let total = 2;
  for (const e of events) {
    if (e.type === 'StateEntered') {
      total += 2;
      if (e.stateType === 'Task') total += 3;
      if (e.stateType === 'Parallel' || e.stateType === 'Map') total += 2;
    } else if (e.type === 'StateRetried' && (e.stateType === 'Task' || e.stepId !== undefined)) {
      total += 3;
    }
  }
  return total;
}

/** The metrics of a finished run. */
export function runMetrics(result: RunResult): RunMetrics {
  let statesEntered = 0;
  let retries = 0;
  let tasks = 0;
  let taskRetries = 0;
  let largestPayloadBytes = 0;
  let largestPayloadAt = '-';
  for (const e of result.events) {
    const isTask = e.stateType === 'Task' || e.stepId !== undefined;
    if (e.type === 'StateEntered') {
      statesEntered++;
      if (isTask) tasks++;
    } else if (e.type === 'StateRetried') {
      retries++;
      if (isTask) taskRetries++;
    }
    const payload = e.type === 'StateEntered' ? e.input : e.type === 'StateExited' ? e.output : undefined;
    const bytes = jsonBytes(payload);
    if (bytes > largestPayloadBytes) {
      largestPayloadBytes = bytes;
      largestPayloadAt = `${e.state ?? '?'} (${e.type === 'StateEntered' ? 'input' : 'output'})`;
    }
  }
  return {
    status: result.status,
    ...(result.error === undefined ? {} : { error: result.error }),
    ...(result.cause === undefined ? {} : { cause: result.cause }),
    simulatedSeconds: (result.endedAt - result.startedAt) / 1000,
    realSeconds: result.realMs / 1000,
    statesEntered,
    retries,
    transitions: statesEntered + retries,
    lambdaInvocations: tasks + taskRetries,
    historyEvents: historyEventsOf(result.events),
    largestPayloadBytes,
    largestPayloadAt,
  };
}

/** True when a Lambda task of the run invoked the step (e.g. 'bake-image'). */
export function ranStep(result: RunResult, stepId: string): boolean {
  return result.events.some((e) => e.type === 'StateEntered' && e.stepId === stepId);
}
