/**
 * The executions of a cluster. There is no database: a cluster's runs are found by their
 * names, which the API gives them (`create-<clusterId>`, `delete-<clusterId>[-<n>]`,
 * `scale-<clusterId>-<suffix>`), in the newest executions of each state machine.
 */
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  ListExecutionsCommand,
  type SFNClient,
} from '@aws-sdk/client-sfn';
import { CLUSTER_ID_SOURCE } from '../../shared/cluster-id';
import type { ApiConfig } from './config';

/** What a run does to its cluster. */
export type ExecutionKind = 'create' | 'delete' | 'scale';

/** One execution, as the API shows it. */
export interface ExecutionSummary {
  readonly kind: ExecutionKind;
  readonly name: string;
  readonly executionArn: string;
  /** RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED or PENDING_REDRIVE. */
  readonly status: string;
  readonly startDate: string;
  readonly stopDate?: string;
}

/** How many of a machine's newest executions a status read looks at (one ListExecutions page). */
export const EXECUTIONS_PAGE = 1000;

/** The ARN of an execution of a machine: `…:stateMachine:<machine>` → `…:execution:<machine>:<name>`. */
export function executionArnOf(machineArn: string, name: string): string {
  return `${machineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

export { createExecutionName } from '../../shared/cluster-id';

/** `delete-<clusterId>`, then `delete-<clusterId>-2`, … for a delete retried after a failed one. */
export function deleteExecutionName(clusterId: string, attempt: number): string {
  return attempt <= 1 ? `delete-${clusterId}` : `delete-${clusterId}-${attempt}`;
}

/** `scale-<clusterId>-<time in base 36><2 random hex>`: one per request. */
export function scaleExecutionName(clusterId: string, nowMs: number, random: string): string {
  return `scale-${clusterId}-${nowMs.toString(36)}${random}`;
}

const ID = `(${CLUSTER_ID_SOURCE})`;
const NAME_PATTERNS: Readonly<Record<ExecutionKind, RegExp>> = {
  create: new RegExp(`^create-${ID}$`),
  delete: new RegExp(`^delete-${ID}(?:-[0-9]+)?$`),
  scale: new RegExp(`^scale-${ID}-[0-9a-z]+$`),
};

/** The cluster id an execution of this kind was named after, if it was. */
export function clusterIdOfExecution(kind: ExecutionKind, name: string): string | undefined {
  return NAME_PATTERNS[kind].exec(name)?.[1];
}

/** The machines of a deployment, by the kind of run they do. */
export function machinesOf(config: ApiConfig): { kind: ExecutionKind; machineArn: string }[] {
  const machines: { kind: ExecutionKind; machineArn: string }[] = [
    { kind: 'create', machineArn: config.createMachineArn },
    { kind: 'delete', machineArn: config.teardownMachineArn },
  ];
  if (config.scaleMachineArn) machines.push({ kind: 'scale', machineArn: config.scaleMachineArn });
  return machines;
}

/** The machine that runs executions of a kind, if the deployment has it. */
export function machineOf(config: ApiConfig, kind: ExecutionKind): string | undefined {
  return machinesOf(config).find((m) => m.kind === kind)?.machineArn;
}

function iso(date: Date | undefined): string | undefined {
  return date ? date.toISOString() : undefined;
}

/** An SDK list item as a summary. */
export function summaryOf(kind: ExecutionKind, item: ExecutionListItem): ExecutionSummary {
  const stopDate = iso(item.stopDate);
  return {
    kind,
    name: item.name ?? '',
    executionArn: item.executionArn ?? '',
    status: item.status ?? 'RUNNING',
    startDate: iso(item.startDate) ?? new Date(0).toISOString(),
    ...(stopDate ? { stopDate } : {}),
  };
}

/** The newest executions of one machine (one page), optionally of one status. */
export async function listExecutions(
  sfn: SFNClient,
  kind: ExecutionKind,
  machineArn: string,
  statusFilter?: ExecutionStatus
): Promise<ExecutionSummary[]> {
  const { executions = [] } = await sfn.send(
    new ListExecutionsCommand({ stateMachineArn: machineArn, maxResults: EXECUTIONS_PAGE, statusFilter })
  );
  return executions.map((item) => summaryOf(kind, item));
}

/** The newest executions of every machine of the deployment, newest first. */
export async function listAllExecutions(sfn: SFNClient, config: ApiConfig): Promise<ExecutionSummary[]> {
  const lists = await Promise.all(machinesOf(config).map((m) => listExecutions(sfn, m.kind, m.machineArn)));
  return lists.flat().sort(newestFirst);
}

/** Orders executions newest first. */
export function newestFirst(a: ExecutionSummary, b: ExecutionSummary): number {
  return b.startDate.localeCompare(a.startDate) || b.name.localeCompare(a.name);
}

/** The executions named after this cluster, newest first. */
export function executionsOfCluster(all: readonly ExecutionSummary[], clusterId: string): ExecutionSummary[] {
  return all.filter((e) => clusterIdOfExecution(e.kind, e.name) === clusterId).sort(newestFirst);
}

/** One execution by ARN with its error and cause, or undefined when it does not exist. */
export async function describeExecution(
  sfn: SFNClient,
  kind: ExecutionKind,
  executionArn: string
): Promise<(ExecutionSummary & { error?: string; cause?: string; input?: string }) | undefined> {
  try {
    const out = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const stopDate = iso(out.stopDate);
    return {
      kind,
      name: out.name ?? '',
      executionArn: out.executionArn ?? executionArn,
      status: out.status ?? 'RUNNING',
      startDate: iso(out.startDate) ?? new Date(0).toISOString(),
      ...(stopDate ? { stopDate } : {}),
      ...(out.error !== undefined ? { error: out.error } : {}),
      ...(out.cause !== undefined ? { cause: out.cause } : {}),
      ...(out.input !== undefined ? { input: out.input } : {}),
    };
  } catch (err) {
    if ((err as { name?: string }).name === 'ExecutionDoesNotExist') return undefined;
    throw err;
  }
}
