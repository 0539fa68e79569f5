/**
 * `create --no-wait` in-process (--simulate, --local): the workflow runs in the CLI's own
 * process, so the create is started as a detached `mesos-cluster create` process of its own
 * (the same arguments without --no-wait and --output), its progress written to
 * <home>/logs/create-<name>-<time>.log.
 * The command returns as soon as that process has recorded its execution in the journal
 * (printing the cluster id and execution), or with that process's own exit code and message
 * when it ends first (a refused spec, a taken name, a full quota: exit 2, nothing created).
 */
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { homeFiles, type Mode } from './cloud';
import { Journal } from './journal';

/** What a started background create reports. */
export interface BackgroundStart {
  readonly clusterId: string;
  readonly name: string;
  readonly execution: string;
  readonly pid: number;
  readonly log: string;
}

/** The background create ended before it recorded its execution: its exit code and output. */
export interface BackgroundEnd {
  readonly code: number;
  readonly output: string;
}

const POLL_MS = 100;

/** The arguments of the background create: without --no-wait, and without --output (its log gets the text progress). */
export function backgroundArgs(argv: readonly string[]): string[] {
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--no-wait' || arg.startsWith('--output=')) continue;
    if (arg === '--output') {
      i++;
      continue;
    }
    args.push(arg);
  }
  return args;
}

/**
 * Starts `create` as a detached process and waits until the journal shows its execution
 * running (resolves to its start), or until the process ends (resolves to its end).
 */
export async function startBackgroundCreate(options: {
  readonly argv: readonly string[];
  readonly home: string;
  readonly mode: Mode;
  readonly name: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
}): Promise<BackgroundStart | BackgroundEnd> {
  const logs = join(options.home, 'logs');
  mkdirSync(logs, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const log = join(logs, `create-${options.name}-${stamp}.log`);
  const fd = openSync(log, 'a');
  const child = spawn(process.execPath, [resolve(__dirname, 'bin.js'), ...backgroundArgs(options.argv)], {
    cwd: options.cwd,
    env: { ...options.env, MESOS_CLUSTER_HOME: options.home },
    detached: true,
    stdio: ['ignore', fd, fd],
  });
  closeSync(fd);
  const pid = child.pid ?? -1;
  let ended: number | undefined;
  child.on('exit', (code, signal) => {
    ended = code ?? (signal ? 1 : 0);
  });
  const files = homeFiles(options.home);
  const journalFile = options.mode === 'local' ? files.localJournal : files.journal;
  for (;;) {
    const started = runningCreate(journalFile, options.name, pid);
    if (started) {
      child.unref();
      return { ...started, pid, log };
    }
    if (ended !== undefined) return { code: ended, output: readFileSync(log, 'utf8') };
    await new Promise((done) => setTimeout(done, POLL_MS));
  }
}

/** The running create of `name` that process `pid` recorded, if it has. */
function runningCreate(journalFile: string, name: string, pid: number): Omit<BackgroundStart, 'pid' | 'log'> | undefined {
  let journal: Journal;
  try {
    journal = new Journal(journalFile);
  } catch {
    return undefined; // Written by the other process meanwhile, or not there yet: look again.
  }
  for (const record of journal.all()) {
    if (record.name !== name) continue;
    const execution = record.executions.find((e) => e.kind === 'create' && e.status === 'RUNNING' && e.pid === pid);
    if (execution) return { clusterId: record.id, name: record.name, execution: execution.name };
  }
  return undefined;
}
