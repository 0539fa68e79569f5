/**
 * The local journal of the CLI: one record per cluster with its status, failure and the
 * executions that created and deleted it. `<home>/clusters.json` for the simulated cloud,
 * `<home>/clusters-local.json` for `--local` (a real account or LocalStack).
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { journalRecovery, readJsonObject, StateFileError } from './state-files';

/** The status model of a cluster (as AWS ParallelCluster's). */
export type ClusterStatus =
  | 'CREATE_IN_PROGRESS'
  | 'CREATE_COMPLETE'
  | 'CREATE_FAILED'
  | 'DELETE_IN_PROGRESS'
  | 'DELETE_COMPLETE'
  | 'DELETE_FAILED';

/** One workflow execution of a cluster. */
export interface ExecutionRecord {
  /** `scale` executions leave the cluster's status as it is. */
  readonly kind: 'create' | 'delete' | 'scale';
  /** The execution name, e.g. `create-demo-1a2b3c`. */
  readonly name: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  /** ISO timestamps: virtual time for the simulated cloud, real time for --local. */
  readonly startedAt: string;
  endedAt?: string;
  failureCode?: string;
  failureReason?: string;
  /** Duration in virtual seconds (simulated cloud only). */
  simulatedSeconds?: number;
  /** Real seconds the execution took on this machine. */
  realSeconds?: number;
  stateTransitions?: number;
}

/** One cluster as the CLI knows it. */
export interface ClusterRecord {
  readonly id: string;
  readonly name: string;
  status: ClusterStatus;
  failureCode?: string;
  failureReason?: string;
  /** The spec as validated (defaults filled in). */
  readonly spec: unknown;
  /** The slave count of the last successful scale (the spec's count until then). */
  slaves?: number;
  readonly createdAt: string;
  updatedAt: string;
  readonly executions: ExecutionRecord[];
}

interface JournalFile {
  readonly version: 1;
  readonly clusters: ClusterRecord[];
}

/** Statuses in which a cluster may still hold resources and its name. */
export const LIVE_STATUSES: readonly ClusterStatus[] = [
  'CREATE_IN_PROGRESS',
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'DELETE_IN_PROGRESS',
  'DELETE_FAILED',
];

/** The journal file: read on open, written through on every change (atomically). */
export class Journal {
  readonly file: string;
  private readonly clusters: ClusterRecord[];

  constructor(file: string) {
    this.file = file;
    this.clusters = Journal.read(file);
  }

  private static read(file: string): ClusterRecord[] {
    const parsed = readJsonObject(file, journalRecovery(file)) as Partial<JournalFile> | undefined;
    if (!parsed) return [];
    if (parsed.version !== 1 || !Array.isArray(parsed.clusters)) {
      throw new StateFileError(file, 'is not a mesos-cluster journal (version 1)', journalRecovery(file));
    }
    const broken = parsed.clusters.findIndex(
      (c) => typeof c !== 'object' || c === null || typeof c.id !== 'string' || typeof c.name !== 'string' || !Array.isArray(c.executions)
    );
    if (broken >= 0) throw new StateFileError(file, `cluster record ${broken + 1} lacks its id, name or executions`, journalRecovery(file));
    return parsed.clusters;
  }

  /** Every record, oldest first. */
  all(): readonly ClusterRecord[] {
    return this.clusters;
  }

  byId(id: string): ClusterRecord | undefined {
    return this.clusters.find((c) => c.id === id);
  }

  /** The record a name refers to: the live one if any, else the most recent. */
  byName(name: string): ClusterRecord | undefined {
    const named = this.clusters.filter((c) => c.name === name);
    return named.filter((c) => LIVE_STATUSES.includes(c.status)).at(-1) ?? named.at(-1);
  }

  /** Adds a cluster record (or replaces the one with the same id). */
  put(record: ClusterRecord): void {
    const i = this.clusters.findIndex((c) => c.id === record.id);
    if (i >= 0) this.clusters[i] = record;
    else this.clusters.push(record);
    this.save();
  }

  /** Writes the journal (to a temporary file, then renamed over the old one). */
  save(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const body: JournalFile = { version: 1, clusters: this.clusters };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
