/**
 * The commands in the remote mode: they call the deployed API (SigV4) instead of running
 * the machines in-process. `create`, `delete` and `scale` follow their execution with live
 * progress from the API's events route, one line per state, like the local modes:
 *
 *   [ 00:01:32] ▶ Create NAT Gateway
 *   [ 00:01:33] ✓ Create NAT Gateway (0.4 s)
 *   [ 00:01:48] ! Check NAT Gateway: NotReadyError: nat-0abc is pending
 */
import { isClusterId } from '../../functions/shared/cluster-id';
import type { CliIo } from '../commands';
import { clockOf, durationOf } from '../progress';
import { type ClusterApiClient, RemoteApiError, type RemoteCluster, type RemoteEvent } from './api-client';

/** What a remote command needs. */
export interface RemoteContext {
  readonly io: CliIo;
  readonly client: ClusterApiClient;
  readonly output: 'text' | 'json';
  /** Between two progress polls. @default 5000 */
  readonly pollMs?: number;
  /** @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
}

/** A refusal of the API (400, 404, 409): exit code 2, printed as `error: <message>`. */
export class RemoteRefusal extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RemoteRefusal';
  }
}

const INSTANT = new Set(['Choice', 'Pass', 'Succeed']);

async function refusals<T>(call: () => Promise<T>, sourced?: (field: string, message: string) => string): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (err instanceof RemoteApiError && [400, 404, 409].includes(err.statusCode)) {
      const message = err.field && err.rule ? `${err.field}: ${err.rule}` : err.message;
      throw new RemoteRefusal(err.field && sourced ? sourced(err.field, message) : message);
    }
    throw err;
  }
}

/** Prints progress events as lines. */
export class RemoteProgressPrinter {
  private readonly entered = new Map<string, number>();
  constructor(private readonly write: (line: string) => void) {}

  print(event: RemoteEvent): void {
    const at = clockOf(event.elapsedMs);
    const name = event.state ?? '';
    const detail = [event.error, event.cause].filter(Boolean).join(': ');
    switch (event.type) {
      case 'StateEntered':
        this.entered.set(name, event.elapsedMs);
        if (!INSTANT.has(event.stateType ?? '') && event.stateType !== 'Fail') this.write(`${at} ▶ ${name}`);
        return;
      case 'StateExited':
        if (INSTANT.has(event.stateType ?? '')) this.write(`${at} · ${name}`);
        else this.write(`${at} ✓ ${name} (${durationOf(event.elapsedMs - (this.entered.get(name) ?? event.elapsedMs))})`);
        return;
      case 'StateFailed':
        this.write(`${at} ! ${name}: ${detail}`);
        return;
      case 'ExecutionEnded':
        if (event.status !== 'SUCCEEDED') this.write(`${at} ✗ execution ${event.status}${detail ? `: ${detail}` : ''}`);
        return;
      default:
        return;
    }
  }
}

/** Follows an execution until it ends, printing its progress (text mode); resolves to its final status. */
export async function followExecution(rc: RemoteContext, clusterId: string, execution: string): Promise<string> {
  const printer = new RemoteProgressPrinter((line) => rc.io.stderr(`${line}\n`));
  const sleep = rc.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  let after = 0;
  for (;;) {
    const page = await rc.client.executionEvents(clusterId, execution, after);
    if (rc.output === 'text') for (const event of page.events) printer.print(event);
    after = page.lastEventId;
    if (page.execution.status !== 'RUNNING') return page.execution.status;
    await sleep(rc.pollMs ?? 5000);
  }
}

/** The text form of a cluster. */
export function remoteClusterText(c: RemoteCluster): string {
  const rows: [string, string][] = [
    ['id', c.id],
    ['name', c.name],
    ['status', c.status],
  ];
  if (c.failureCode) rows.push(['failure', `${c.failureCode}: ${c.failureReason ?? ''}`]);
  rows.push(['mesos', c.mesosUrl ?? '-'], ['marathon', c.marathonUrl ?? '-']);
  for (const m of c.masters) rows.push(['master', `${m.instanceId} (${m.publicIp ?? 'no public IP'}, ${m.privateIp})`]);
  rows.push(['slaves', String(c.slaveCount)]);
  if (c.currentExecution) rows.push(['running', `${c.currentExecution.name} (${c.currentExecution.status})`]);
  for (const e of c.recentExecutions.slice(0, 5)) rows.push(['execution', `${e.name} ${e.status} ${e.startDate}`]);
  return rows.map(([k, v]) => `${k.padEnd(10)} ${v}`).join('\n');
}

async function printCluster(rc: RemoteContext, id: string): Promise<void> {
  try {
    const cluster = await rc.client.getCluster(id);
    rc.io.stdout(`${rc.output === 'json' ? JSON.stringify(cluster, null, 2) : remoteClusterText(cluster)}\n`);
  } catch (err) {
    if (err instanceof RemoteApiError && err.statusCode === 404) {
      rc.io.stdout(`${rc.output === 'json' ? JSON.stringify({ id, status: 'DELETE_COMPLETE' }) : `${id}: nothing left`}\n`);
      return;
    }
    throw err;
  }
}

/** A cluster id as given, or the id of the live cluster with that name. */
async function resolveId(rc: RemoteContext, nameOrId: string): Promise<string> {
  if (isClusterId(nameOrId)) return nameOrId;
  const { clusters } = await rc.client.listClusters(false);
  const match = clusters.find((c) => c.name === nameOrId);
  if (!match) throw new RemoteRefusal(`no cluster named '${nameOrId}'`);
  return String(match.id);
}

const executionNameOf = (arn: string) => arn.split(':').at(-1) ?? arn;

/**
 * `create` against the API: POST /clusters, then live progress, then the cluster (with
 * `noWait`, the cluster id and execution once started); `sourced` names a refused field by
 * its flag or file position.
 */
export async function remoteCreate(
  rc: RemoteContext,
  spec: unknown,
  sourced?: (field: string, message: string) => string,
  noWait = false
): Promise<number> {
  const accepted = await refusals(() => rc.client.createCluster(spec), sourced);
  const execution = executionNameOf(accepted.executionArn);
  if (noWait) {
    // The deployed stack runs the execution: nothing to follow here.
    if (rc.output === 'json') rc.io.stdout(`${JSON.stringify(accepted, null, 2)}\n`);
    else {
      rc.io.stdout(`${accepted.clusterId}\n`);
      rc.io.stderr(
        `started ${execution} (${accepted.executionArn}) of cluster ${accepted.clusterId}; follow it with \`mesos-cluster get ${accepted.clusterId}\`\n`
      );
    }
    return 0;
  }
  if (rc.output === 'text') rc.io.stderr(`creating cluster ${accepted.clusterId} (remote): ${execution}\n`);
  const status = await followExecution(rc, accepted.clusterId, execution);
  await printCluster(rc, accepted.clusterId);
  return status === 'SUCCEEDED' ? 0 : 1;
}

/** `delete` against the API: DELETE /clusters/{id}, then live progress. */
export async function remoteDelete(rc: RemoteContext, nameOrId: string): Promise<number> {
  const id = await resolveId(rc, nameOrId);
  const accepted = await refusals(() => rc.client.deleteCluster(id));
  const execution = executionNameOf(accepted.executionArn);
  if (rc.output === 'text') {
    rc.io.stderr(`deleting cluster ${id} (remote): ${execution}${accepted.alreadyRunning ? ' (already running)' : ''}\n`);
  }
  const status = await followExecution(rc, id, execution);
  await printCluster(rc, id);
  return status === 'SUCCEEDED' ? 0 : 1;
}

/** `scale` against the API: POST /clusters/{id}/scale, then live progress. */
export async function remoteScale(rc: RemoteContext, nameOrId: string, slaves: number): Promise<number> {
  const id = await resolveId(rc, nameOrId);
  const accepted = await refusals(() => rc.client.scaleCluster(id, slaves));
  const execution = executionNameOf(accepted.executionArn);
  if (rc.output === 'text') rc.io.stderr(`scaling cluster ${id} to ${slaves} slaves (remote): ${execution}\n`);
  const status = await followExecution(rc, id, execution);
  await printCluster(rc, id);
  return status === 'SUCCEEDED' ? 0 : 1;
}

/** `get` against the API. */
export async function remoteGet(rc: RemoteContext, nameOrId: string): Promise<number> {
  const id = await resolveId(rc, nameOrId);
  await refusals(() => rc.client.getCluster(id));
  await printCluster(rc, id);
  return 0;
}

/** `list` against the API. */
export async function remoteList(rc: RemoteContext, all: boolean): Promise<number> {
  const { clusters } = await rc.client.listClusters(all);
  if (rc.output === 'json') {
    rc.io.stdout(`${JSON.stringify(clusters, null, 2)}\n`);
    return 0;
  }
  if (clusters.length === 0) {
    rc.io.stdout('no clusters\n');
    return 0;
  }
  const table = [
    ['ID', 'NAME', 'STATUS', 'RUNNING'],
    ...clusters.map((c) => [String(c.id), String(c.name), String(c.status), String(c.currentExecution ?? '')]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of table)
    rc.io.stdout(
      `${row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()}\n`
    );
  return 0;
}
