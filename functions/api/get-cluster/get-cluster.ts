/**
 * GET /clusters/{id}: the cluster's status (with failure code and reason), the masters'
 * Mesos and Marathon URLs, the slave count, the current execution and the recent ones.
 *
 * GET /clusters/{id}/executions/{execution}/events?after=N: the progress of one of the
 * cluster's executions as state events (entered, exited, failed) after event N, which the
 * CLI prints as live progress.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { readCluster } from '../shared/cluster-status';
import type { ApiConfig } from '../shared/config';
import { clusterIdOfExecution, type ExecutionKind, executionArnOf, machineOf } from '../shared/executions';
import { type ApiRequest, type ApiResponse, badRequest, clusterIdOf, notFound, ok } from '../shared/http';

export interface GetClusterDeps {
  readonly ec2: EC2Client;
  readonly sfn: SFNClient;
  readonly config: ApiConfig;
}

/** Handles GET /clusters/{id}. */
export async function getCluster(request: ApiRequest, deps: GetClusterDeps): Promise<ApiResponse> {
  const clusterId = clusterIdOf(request);
  const view = await readCluster(clusterId, deps);
  if (!view) throw notFound(`no cluster ${clusterId}`);
  return ok(view);
}

/** One step of an execution's progress. */
export interface ProgressEvent {
  readonly id: number;
  readonly timestamp: string;
  /** Milliseconds since the execution started. */
  readonly elapsedMs: number;
  readonly type: 'ExecutionStarted' | 'StateEntered' | 'StateExited' | 'StateFailed' | 'ExecutionEnded';
  /** The state's name (StateEntered, StateExited, StateFailed). */
  readonly state?: string;
  /** Task, Wait, Choice, Parallel, Pass, Map, Succeed or Fail. */
  readonly stateType?: string;
  readonly error?: string;
  readonly cause?: string;
  /** ExecutionEnded: SUCCEEDED, FAILED, TIMED_OUT or ABORTED. */
  readonly status?: string;
}

/** History pages read at most per request (1000 events each). */
const MAX_HISTORY_PAGES = 10;
const ENDED: Readonly<Record<string, string>> = {
  ExecutionSucceeded: 'SUCCEEDED',
  ExecutionFailed: 'FAILED',
  ExecutionTimedOut: 'TIMED_OUT',
  ExecutionAborted: 'ABORTED',
};
const FAILED_TYPES = new Set(['TaskFailed', 'TaskTimedOut', 'LambdaFunctionFailed', 'LambdaFunctionTimedOut']);

/** The error and cause of a failure event (a Lambda error's cause is JSON with errorMessage). */
function failureDetail(event: HistoryEvent): { error?: string; cause?: string } {
  const detail =
    event.taskFailedEventDetails ??
    event.taskTimedOutEventDetails ??
    event.lambdaFunctionFailedEventDetails ??
    event.lambdaFunctionTimedOutEventDetails ??
    event.executionFailedEventDetails ??
    event.executionTimedOutEventDetails ??
    event.executionAbortedEventDetails;
  if (!detail) return {};
  let cause = detail.cause;
  try {
    const parsed = JSON.parse(cause ?? '') as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') cause = parsed.errorMessage;
  } catch {
    // A plain-text cause stays as it is.
  }
  return { ...(detail.error ? { error: detail.error } : {}), ...(cause ? { cause } : {}) };
}

/** Condenses a full execution history into progress events (failures attributed to their state). */
export function progressEvents(history: readonly HistoryEvent[]): ProgressEvent[] {
  const byId = new Map(history.map((e) => [e.id ?? 0, e]));
  const started = history.find((e) => e.type === 'ExecutionStarted')?.timestamp?.getTime() ?? 0;
  const stateOf = (event: HistoryEvent): { name?: string; type?: string } => {
    let cursor: HistoryEvent | undefined = event;
    for (let hops = 0; cursor && hops < 20; hops++) {
      if (cursor.type?.endsWith('StateEntered')) {
        return { name: cursor.stateEnteredEventDetails?.name, type: cursor.type.replace(/StateEntered$/, '') };
      }
      cursor = byId.get(cursor.previousEventId ?? -1);
    }
    return {};
  };
  const events: ProgressEvent[] = [];
  for (const e of history) {
    const type = e.type ?? '';
    const base = {
      id: e.id ?? 0,
      timestamp: (e.timestamp ?? new Date(started)).toISOString(),
      elapsedMs: (e.timestamp?.getTime() ?? started) - started,
    };
    if (type === 'ExecutionStarted') events.push({ ...base, type: 'ExecutionStarted' });
    else if (type.endsWith('StateEntered')) {
      events.push({ ...base, type: 'StateEntered', state: e.stateEnteredEventDetails?.name, stateType: type.replace(/StateEntered$/, '') });
    } else if (type.endsWith('StateExited')) {
      events.push({ ...base, type: 'StateExited', state: e.stateExitedEventDetails?.name, stateType: type.replace(/StateExited$/, '') });
    } else if (FAILED_TYPES.has(type)) {
      const state = stateOf(e);
      events.push({ ...base, type: 'StateFailed', state: state.name, stateType: state.type, ...failureDetail(e) });
    } else if (ENDED[type]) {
      events.push({ ...base, type: 'ExecutionEnded', status: ENDED[type], ...failureDetail(e) });
    }
  }
  return events;
}

/** Handles GET /clusters/{id}/executions/{execution}/events. */
export async function getExecutionEvents(request: ApiRequest, deps: GetClusterDeps): Promise<ApiResponse> {
  const clusterId = clusterIdOf(request);
  const name = request.pathParameters.execution ?? '';
  const kind = (['create', 'delete', 'scale'] as ExecutionKind[]).find((k) => clusterIdOfExecution(k, name) === clusterId);
  if (!kind) throw badRequest('execution', `must be an execution of cluster ${clusterId} (create-, delete- or scale-${clusterId}…)`);
  const afterText = request.queryStringParameters.after ?? '0';
  if (!/^[0-9]{1,9}$/.test(afterText)) throw badRequest('after', 'must be a whole number (an event id)');
  const after = Number(afterText);
  const machineArn = machineOf(deps.config, kind);
  if (!machineArn) throw notFound(`this deployment runs no ${kind} executions`);
  const executionArn = executionArnOf(machineArn, name);

  const history: HistoryEvent[] = [];
  let nextToken: string | undefined;
  try {
    for (let page = 0; page < MAX_HISTORY_PAGES; page++) {
      const out = await deps.sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, includeExecutionData: false, nextToken })
      );
      history.push(...(out.events ?? []));
      nextToken = out.nextToken;
      if (!nextToken) break;
    }
  } catch (err) {
    if ((err as { name?: string }).name === 'ExecutionDoesNotExist') throw notFound(`no execution ${name}`);
    throw err;
  }
  const events = progressEvents(history);
  const ended = events.find((e) => e.type === 'ExecutionEnded');
  return ok({
    execution: { name, executionArn, status: ended?.status ?? 'RUNNING' },
    events: events.filter((e) => e.id > after),
    lastEventId: history.at(-1)?.id ?? after,
    complete: nextToken === undefined,
  });
}
