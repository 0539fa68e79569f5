/**
 * What a finished run means for the cluster: its status, and on failure the
 * machine-readable failure code and the human reason, read from the output of the
 * `Record Create Failure` / `Record Delete Failure` state in the event log.
 */
import type { ClusterStatus } from './journal';
import { causeMessage, type RunEvent, type RunResult } from './runner/local-runner';

/** The state that records a failure, per machine. */
export const RECORD_FAILURE_STATE = {
  create: 'Record Create Failure',
  delete: 'Record Delete Failure',
  scale: 'Record Scale Failure',
} as const;

/** The machine a run belongs to. */
export type RunKind = keyof typeof RECORD_FAILURE_STATE;

/** The fallback failure code of each machine. */
const FAILED_CODE: Readonly<Record<RunKind, string>> = { create: 'CREATE_FAILED', delete: 'DELETE_FAILED', scale: 'SCALE_FAILED' };

export interface Failure {
  readonly failureCode: string;
  readonly failureReason: string;
}

/** The `failure` ({failureCode, failureReason}) that a Record Failure state writes into the state. */
function failureIn(output: unknown): Failure | undefined {
  const failure = (output as { failure?: { failureCode?: unknown; failureReason?: unknown } } | null)?.failure;
  if (typeof failure?.failureCode !== 'string') return undefined;
  return { failureCode: failure.failureCode, failureReason: typeof failure.failureReason === 'string' ? failure.failureReason : '' };
}

/** `create-nat-gateway` → `CREATE_NAT_GATEWAY_FAILED`. */
export function failureCodeOfStep(stepId: string): string {
  return `${stepId.replace(/-/g, '_').toUpperCase()}_FAILED`;
}

/**
 * The failure of a run: the `failure` in the output of the Record Failure state (or of
 * the state that stands in for it) when it ran; otherwise STOPPED for an execution that
 * was stopped; otherwise the last failed step (its id in upper snake case) and its error; otherwise the execution's
 * own error.
 */
export function failureOf(result: RunResult, kind: RunKind): Failure | undefined {
  const recordState = RECORD_FAILURE_STATE[kind];
  const exits = result.events.filter((e) => e.type === 'StateExited');
  // The Record Failure state, or the Pass that stands in for it when recording failed.
  const recorded = exits.filter((e) => e.state === recordState).at(-1) ?? exits.filter((e) => failureIn(e.output)).at(-1);
  const fromRecord = recorded ? failureIn(recorded.output) : undefined;
  if (fromRecord) return fromRecord;
  if (result.status === 'SUCCEEDED') return undefined;
  if (result.aborted) return { failureCode: 'STOPPED', failureReason: 'the execution was stopped before it ended' };
  const lastStepFailure = result.events.filter((e): e is RunEvent & { stepId: string } => e.type === 'StateFailed' && !!e.stepId).at(-1);
  if (lastStepFailure) {
    return {
      failureCode: failureCodeOfStep(lastStepFailure.stepId),
      failureReason: causeMessage(lastStepFailure.cause) ?? lastStepFailure.error ?? 'failed',
    };
  }
  return {
    failureCode: FAILED_CODE[kind],
    failureReason: causeMessage(result.cause) ?? result.error ?? 'failed',
  };
}

/** The cluster status after a run of the given kind. */
export function statusAfter(result: RunResult, kind: 'create' | 'delete'): ClusterStatus {
  if (kind === 'create') return result.status === 'SUCCEEDED' ? 'CREATE_COMPLETE' : 'CREATE_FAILED';
  return result.status === 'SUCCEEDED' ? 'DELETE_COMPLETE' : 'DELETE_FAILED';
}
