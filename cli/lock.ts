/**
 * Named locks of a home directory, one file each under `<home>/locks/`:
 *
 * - `cluster-<name>`: one create, delete or scale of a cluster at a time. Commands on
 *   different clusters run side by side (in an AWS account, with `--local`).
 * - `simulated-cloud`: the simulated account is one file (`<home>/simulator.json`) on one
 *   virtual clock, loaded, run and saved by one process; commands on the simulated cloud
 *   therefore take turns on it (the lock is awaited, not refused). See cli/README.md.
 *
 * A lock file is created exclusively (`wx`) and holds the holder's pid and command; it is
 * removed when the command ends. A lock whose pid no longer runs (a command killed with
 * SIGKILL, a machine restart) is stale and is taken over. A command that finds a lock held
 * refuses (LockBusyError, exit 2) or, when asked to, waits; a `delete` whose cluster a
 * running `create` is building asks that create to stop (SIGTERM: the create stops its
 * execution, records it and saves the cloud) and waits for the lock.
 */

import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isClusterId, nameOfClusterId } from '../functions/shared/cluster-id';

/** Who holds the lock. */
export interface LockHolder {
  readonly pid: number;
  /** The command and its argument, e.g. `create:blue`, `delete:blue`, `inventory`. */
  readonly command: string;
  /** ISO time at which the holder took the lock (real time). */
  readonly since: string;
}

/** The lock is held by a running command. */
export class LockBusyError extends Error {
  readonly holder: LockHolder;
  constructor(home: string, name: string, holder: LockHolder) {
    super(
      `${lockSubject(name)} is busy: pid ${holder.pid} is running ${holder.command.replace(':', ' ')} (since ${holder.since}); ` +
        `wait for it to end, or remove ${lockFile(home, name)} if that process is gone`
    );
    this.name = 'LockBusyError';
    this.holder = holder;
  }
}

function lockSubject(name: string): string {
  if (name.startsWith('cluster-')) return `cluster ${name.slice('cluster-'.length)}`;
  return name.replace(/-/g, ' ');
}

export interface LockOptions {
  /** This command, e.g. `delete:blue`. */
  readonly command: string;
  /**
   * A `create` holder for which this returns true is asked to stop (SIGTERM), and the lock
   * is awaited instead of refused.
   */
  readonly stopHolder?: (holder: LockHolder) => boolean;
  /** Called before a holder is asked to stop. */
  readonly notify?: (message: string) => void;
  /** Wait for any holder to let go (up to `waitMs`) instead of refusing. */
  readonly wait?: boolean;
  /** Called once when the lock is awaited because another command holds it. */
  readonly onWait?: (holder: LockHolder) => void;
  /** Real milliseconds to wait for a holder to let go. @default 60000 (600000 with `wait`) */
  readonly waitMs?: number;
}

/** The lock that makes commands on the simulated cloud take turns. */
export const SIMULATED_CLOUD_LOCK = 'simulated-cloud';

/** The lock of one cluster name. */
export function clusterLock(name: string): string {
  return `cluster-${name.replace(/[^a-z0-9-]/g, '')}`;
}

/** The file of lock `name` in a home directory. */
export function lockFile(home: string, name: string): string {
  return join(home, 'locks', `${name}.lock`);
}

/** True while a process with this pid runs (EPERM: it runs under another user). */
export function processRuns(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder written in a lock file, or undefined when the file is gone or unreadable. */
export function readHolder(home: string, name: string): LockHolder | undefined {
  return readHolderOf(lockFile(home, name));
}

function readHolderOf(file: string): LockHolder | undefined {
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<LockHolder>;
    if (typeof parsed.pid !== 'number' || typeof parsed.command !== 'string') return undefined;
    return { pid: parsed.pid, command: parsed.command, since: typeof parsed.since === 'string' ? parsed.since : '?' };
  } catch {
    return undefined;
  }
}

function tryCreate(file: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(file, 'wx');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${JSON.stringify(holder)}\n`);
  } finally {
    closeSync(fd);
  }
  return true;
}

/**
 * Removes a stale lock. It is first moved aside (atomic), so that of two commands that
 * found it stale only one removes it; if what was moved is a live command's fresh lock
 * (the other command was faster), it is put back.
 */
function removeStale(file: string): void {
  const aside = `${file}.${process.pid}.stale`;
  try {
    renameSync(file, aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readHolderOf(aside);
  if (moved && processRuns(moved.pid) && moved.pid !== process.pid) {
    try {
      linkSync(aside, file);
    } catch {
      // Another lock appeared meanwhile: the live holder finds its lock gone only when it releases.
    }
  }
  rmSync(aside, { force: true });
}

/** How long a lock file may stay without a readable holder (being written, or half-written by a crash). */
const UNREADABLE_GRACE_MS = 2_000;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Takes lock `name` of the home for this process and returns its release. Throws
 * LockBusyError when a running command holds it, unless `wait` is set (then it waits) or
 * `stopHolder` accepts that command (then it is sent SIGTERM and the lock is awaited),
 * up to `waitMs`.
 */
export async function acquireLock(home: string, name: string, options: LockOptions): Promise<() => void> {
  const file = lockFile(home, name);
  mkdirSync(dirname(file), { recursive: true });
  const me: LockHolder = { pid: process.pid, command: options.command, since: new Date().toISOString() };
  const deadline = Date.now() + (options.waitMs ?? (options.wait ? 600_000 : 60_000));
  let signalled: number | undefined;
  let waitedFor: number | undefined;
  let unreadableSince: number | undefined;
  for (;;) {
    if (tryCreate(file, me)) {
      return () => {
        if (readHolderOf(file)?.pid === process.pid) rmSync(file, { force: true });
      };
    }
    const holder = readHolderOf(file);
    if (!holder) unreadableSince ??= Date.now();
    else unreadableSince = undefined;
    const stale = holder
      ? holder.pid !== process.pid && !processRuns(holder.pid)
      : Date.now() - (unreadableSince ?? Date.now()) > UNREADABLE_GRACE_MS;
    if (stale) {
      removeStale(file);
      continue;
    }
    if (holder && holder.pid !== signalled && holder.pid !== process.pid && options.stopHolder?.(holder)) {
      options.notify?.(`stopping the running ${holder.command.replace(':', ' ')} (pid ${holder.pid}) first`);
      process.kill(holder.pid, 'SIGTERM');
      signalled = holder.pid;
    }
    const waiting = options.wait && holder?.pid !== process.pid;
    if (holder && holder.pid !== signalled && !waiting) throw new LockBusyError(home, name, holder);
    if (waiting && holder && holder.pid !== waitedFor) {
      options.onWait?.(holder);
      waitedFor = holder.pid;
    }
    if (Date.now() > deadline) throw new LockBusyError(home, name, holder ?? { pid: 0, command: 'unknown', since: '?' });
    // Spread the retries of many waiting commands.
    await sleep(20 + Math.floor(Math.random() * 60));
  }
}

/** The holder of lock `name` when a running process holds it. */
export function liveHolder(home: string, name: string): LockHolder | undefined {
  const holder = readHolder(home, name);
  return holder && processRuns(holder.pid) ? holder : undefined;
}

/** True when `nameOrId` names the cluster that a `create:<name>` holder is building. */
export function isCreateOf(holder: LockHolder, nameOrId: string): boolean {
  if (!holder.command.startsWith('create:')) return false;
  const name = holder.command.slice('create:'.length);
  return nameOrId === name || (isClusterId(nameOrId) && nameOfClusterId(nameOrId) === name);
}
