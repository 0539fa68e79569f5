/**
 * The local journal of the CLI: one record per cluster with its status, failure and the
 * executions that created and deleted it. `<home>/clusters.json` for the simulated cloud,
 * `<home>/clusters-local.json` for `--local` (a real account or LocalStack).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { processRuns } from './lock';
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
  /** The process that runs it, while RUNNING: a RUNNING execution whose process is gone was interrupted. */
  pid?: number;
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

/** The failure code of a run whose process ended without recording its end (SIGKILL, a crash, a restart). */
export const INTERRUPTED_CODE = { create: 'CREATE_INTERRUPTED', delete: 'DELETE_INTERRUPTED', scale: 'SCALE_INTERRUPTED' } as const;

/** What to do about an interrupted run of a cluster, for messages. */
export function recoveryHint(kind: ExecutionRecord['kind'], name: string): string {
  if (kind === 'create') {
    return `what it created is kept: resume it with \`mesos-cluster create --resume ${name}\`, or remove it with \`mesos-cluster delete ${name}\``;
  }
  if (kind === 'delete') return `run \`mesos-cluster delete ${name}\` again to finish the teardown`;
  return `the cluster keeps its slaves as they are; \`mesos-cluster get ${name}\` shows them`;
}

const JOURNAL_LOCK_STALE_MS = 10_000;

/**
 * Runs `fn` holding `<file>.lock` (created exclusively): the journal is shared by the
 * commands that run side by side on a home (different clusters), and each change is a
 * read-modify-write of the whole file. Held for a few milliseconds; a lock older than
 * JOURNAL_LOCK_STALE_MS or whose process is gone is taken over.
 */
function withFileLock<T>(file: string, fn: () => T): T {
  const lock = `${file}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const pause = new Int32Array(new SharedArrayBuffer(4));
  for (let attempt = 0; ; attempt++) {
    try {
      writeFileSync(lock, String(process.pid), { flag: 'wx' });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      let holder = Number.NaN;
      let age = 0;
      try {
        holder = Number(readFileSync(lock, 'utf8'));
        age = Date.now() - statSync(lock).mtimeMs;
      } catch {
        continue;
      }
      if ((Number.isInteger(holder) && holder > 0 && !processRuns(holder)) || age > JOURNAL_LOCK_STALE_MS) {
        rmSync(lock, { force: true });
        continue;
      }
      Atomics.wait(pause, 0, 0, Math.min(20, 1 + attempt));
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

/** The journal file: read on open, each change merged into the file as it is then (atomically). */
export class Journal {
  readonly file: string;
  private clusters: ClusterRecord[];

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

  /**
   * Adds a cluster record (or replaces the one with the same id) in the file as it is now:
   * the records other commands wrote meanwhile are kept.
   */
  put(record: ClusterRecord): void {
    withFileLock(this.file, () => {
      const clusters = Journal.read(this.file);
      const i = clusters.findIndex((c) => c.id === record.id);
      if (i >= 0) clusters[i] = record;
      else clusters.push(record);
      this.clusters = clusters;
      this.write();
    });
  }

  /**
   * Marks every RUNNING execution whose process is gone (killed with SIGKILL, a crash, a
   * restart) as FAILED with an `*_INTERRUPTED` code, and its cluster CREATE_FAILED or
   * DELETE_FAILED; returns them (their reasons say how to go on).
   */
  markStaleRuns(): ExecutionRecord[] {
    const stale: ExecutionRecord[] = [];
    for (const record of this.clusters) {
      const running = record.executions.filter((e) => e.status === 'RUNNING' && e.pid !== process.pid && !(e.pid && processRuns(e.pid)));
      if (running.length === 0) continue;
      for (const execution of running) {
        execution.status = 'FAILED';
        execution.failureCode = INTERRUPTED_CODE[execution.kind];
        execution.failureReason =
          `the ${execution.kind} run ${execution.name} of cluster ${record.id} (pid ${execution.pid ?? 'unknown'}) ended without recording its end ` +
          `(killed, or the machine stopped); ${recoveryHint(execution.kind, record.name)}`;
        execution.pid = undefined;
        stale.push(execution);
        if (execution.kind !== 'scale') {
          record.status = execution.kind === 'create' ? 'CREATE_FAILED' : 'DELETE_FAILED';
          record.failureCode = execution.failureCode;
          record.failureReason = execution.failureReason;
        }
      }
      this.put(record);
    }
    return stale;
  }

  /** Writes the journal (to a temporary file, then renamed over the old one). */
  private write(): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const body: JournalFile = { version: 1, clusters: this.clusters };
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
    renameSync(tmp, this.file);
  }
}
