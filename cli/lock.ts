/**
 * The home lock: one mesos-cluster command at a time per home directory. Two processes
 * that load `<home>/simulator.json`, run and save it would each overwrite the other's
 * changes (and the journal's), so a command holds `<home>/lock` while it runs: created
 * exclusively (`wx`), holding the holder's pid and command, removed when the command ends.
 * A lock whose pid no longer runs (a command killed with SIGKILL, a machine restart) is
 * stale and is taken over. A second command refuses (HomeLockedError, exit 2), except a
 * `delete` whose cluster a running `create` is building: it asks that create to stop
 * (SIGTERM: the create stops its execution, records it and saves the cloud) and waits for
 * the lock.
 */
import { closeSync, linkSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** Who holds the lock. */
export interface LockHolder {
  readonly pid: number;
  /** The command and its argument, e.g. `create:blue`, `delete:blue`, `inventory`. */
  readonly command: string;
  /** ISO time at which the holder took the lock (real time). */
  readonly since: string;
}

/** The lock is held by a running command. */
export class HomeLockedError extends Error {
  readonly holder: LockHolder;
  constructor(home: string, holder: LockHolder) {
    super(
      `another mesos-cluster command is running on ${home}: pid ${holder.pid} (${holder.command.replace(':', ' ')}, since ${holder.since}); ` +
        `wait for it to end, or remove ${lockFile(home)} if that process is gone`
    );
    this.name = 'HomeLockedError';
    this.holder = holder;
  }
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
  /** Real milliseconds to wait for a stopped holder to let go. @default 60000 */
  readonly waitMs?: number;
}

/** The lock file of a home directory. */
export function lockFile(home: string): string {
  return join(home, 'lock');
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

/** The holder written in the lock file, or undefined when the file is gone or unreadable. */
export function readHolder(home: string): LockHolder | undefined {
  return readHolderOf(lockFile(home));
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

function tryCreate(home: string, holder: LockHolder): boolean {
  let fd: number;
  try {
    fd = openSync(lockFile(home), 'wx');
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
function removeStale(home: string): void {
  const aside = `${lockFile(home)}.${process.pid}.stale`;
  try {
    renameSync(lockFile(home), aside);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  const moved = readHolderOf(aside);
  if (moved && processRuns(moved.pid) && moved.pid !== process.pid) {
    try {
      linkSync(aside, lockFile(home));
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
 * Takes the home lock for this process and returns its release. Throws HomeLockedError
 * when a running command holds it (unless `stopHolder` accepts that command: then it is
 * sent SIGTERM and the lock is awaited, up to `waitMs`).
 */
export async function acquireHomeLock(home: string, options: LockOptions): Promise<() => void> {
  mkdirSync(home, { recursive: true });
  const me: LockHolder = { pid: process.pid, command: options.command, since: new Date().toISOString() };
  const deadline = Date.now() + (options.waitMs ?? 60_000);
  let signalled: number | undefined;
  let unreadableSince: number | undefined;
  for (;;) {
    if (tryCreate(home, me)) {
      return () => {
        if (readHolder(home)?.pid === process.pid) rmSync(lockFile(home), { force: true });
      };
    }
    const holder = readHolder(home);
    if (!holder) unreadableSince ??= Date.now();
    else unreadableSince = undefined;
    const stale = holder
      ? holder.pid !== process.pid && !processRuns(holder.pid)
      : Date.now() - (unreadableSince ?? Date.now()) > UNREADABLE_GRACE_MS;
    if (stale) {
      removeStale(home);
      continue;
    }
    if (holder && holder.pid !== signalled && holder.pid !== process.pid && options.stopHolder?.(holder)) {
      options.notify?.(`stopping the running ${holder.command.replace(':', ' ')} (pid ${holder.pid}) first`);
      process.kill(holder.pid, 'SIGTERM');
      signalled = holder.pid;
    }
    if (holder && holder.pid !== signalled) throw new HomeLockedError(home, holder);
    if (Date.now() > deadline) throw new HomeLockedError(home, holder ?? { pid: 0, command: 'unknown', since: '?' });
    await sleep(50);
  }
}

/** True when `nameOrId` names the cluster that a `create:<name>` holder is building. */
export function isCreateOf(holder: LockHolder, nameOrId: string): boolean {
  if (!holder.command.startsWith('create:')) return false;
  const name = holder.command.slice('create:'.length);
  return nameOrId === name || new RegExp(`^${name.replace(/[^a-z0-9-]/g, '')}-[0-9a-f]{6}$`).test(nameOrId);
}
