/**
 * The named locks of a home: one command at a time per cluster name; a stale lock is taken
 * over; a delete stops a running create of its cluster first; a waiting lock is awaited.
 * Also through `main`: a second command on a busy cluster exits 2, and SIGTERM stops a
 * running create, which is recorded and saved.
 */

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { acquireLock, clusterLock, isCreateOf, LockBusyError, lockFile, processRuns, readHolder } from '../../../cli/lock';

const BLUE = clusterLock('blue');

import { type CliRun, runCli } from '../../helpers/cli';

const homes: string[] = [];
const children: ChildProcess[] = [];

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-lock-'));
  homes.push(home);
  return home;
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function writeLock(home: string, pid: number, command: string): void {
  mkdirSync(join(home, 'locks'), { recursive: true });
  writeFileSync(lockFile(home, BLUE), JSON.stringify({ pid, command, since: '2030-01-01T09:00:00.000Z' }));
}

/** A process that holds the lock as `create:blue` and lets go of it on SIGTERM, as the CLI does. */
async function createHolder(home: string): Promise<ChildProcess> {
  const script = `
    const fs = require('node:fs');
    const file = process.argv[1];
    fs.writeFileSync(file, JSON.stringify({ pid: process.pid, command: 'create:blue', since: new Date().toISOString() }));
    process.on('SIGTERM', () => { fs.rmSync(file, { force: true }); process.exit(0); });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  mkdirSync(join(home, 'locks'), { recursive: true });
  const child = spawn(process.execPath, ['-e', script, lockFile(home, BLUE)], { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(child);
  await new Promise<void>((resolve, reject) => {
    child.stdout?.once('data', () => resolve());
    child.once('error', reject);
  });
  return child;
}

const cli = runCli;

const CREATE = ['create', '--name', 'blue', '--admin-cidr', '203.0.113.0/24', '--masters', '1', '--slaves', '1'];

describe('acquireLock', () => {
  it('writes the holder into <home>/locks/<name>.lock and removes it on release', async () => {
    // Prepare
    const home = newHome();

    // Act
    const release = await acquireLock(home, BLUE, { command: 'create:blue' });
    const held = readHolder(home, BLUE);
    release();

    // Assess
    expect(held).toMatchObject({ pid: process.pid, command: 'create:blue' });
    expect(existsSync(lockFile(home, BLUE))).toBe(false);
  });

  it('throws LockBusyError naming the holder while a running process holds the lock', async () => {
    // Prepare
    const home = newHome();
    writeLock(home, process.ppid, 'create:blue');

    // Act
    const error = await acquireLock(home, BLUE, { command: 'inventory' }).catch((err: unknown) => err);

    // Assess
    expect(error).toBeInstanceOf(LockBusyError);
    expect((error as Error).message).toMatch(
      new RegExp(`^cluster blue is busy: pid ${process.ppid} is running create blue \\(since 2030-01-01T09:00:00.000Z\\)`)
    );
    expect(readHolder(home, BLUE)?.pid).toBe(process.ppid);
  });

  it('refuses a second command of this same process', async () => {
    // Prepare
    const home = newHome();
    const release = await acquireLock(home, BLUE, { command: 'create:blue' });

    // Act
    const error = await acquireLock(home, BLUE, { command: 'get:blue' }).catch((err: unknown) => err);
    release();

    // Assess
    expect(error).toBeInstanceOf(LockBusyError);
    expect(existsSync(lockFile(home, BLUE))).toBe(false);
  });

  it('takes over a stale lock whose process is gone', async () => {
    // Prepare
    const home = newHome();
    const gone = spawnSync(process.execPath, ['-e', '']).pid;
    expect(processRuns(gone)).toBe(false);
    writeLock(home, gone, 'create:blue');

    // Act
    const release = await acquireLock(home, BLUE, { command: 'delete:blue' });
    const held = readHolder(home, BLUE);
    release();

    // Assess
    expect(held).toMatchObject({ pid: process.pid, command: 'delete:blue' });
  });

  it('asks a running create of the cluster to stop (SIGTERM) and waits for the lock', async () => {
    // Prepare
    const home = newHome();
    const holder = await createHolder(home);
    const exited = new Promise<number | null>((resolve) => holder.once('exit', (code) => resolve(code)));
    const notes: string[] = [];

    // Act
    const release = await acquireLock(home, BLUE, {
      command: 'delete:blue',
      stopHolder: (h) => isCreateOf(h, 'blue'),
      notify: (text) => notes.push(text),
    });
    const held = readHolder(home, BLUE);
    release();

    // Assess
    expect(await exited).toBe(0);
    expect(notes).toEqual([`stopping the running create blue (pid ${holder.pid}) first`]);
    expect(held).toMatchObject({ pid: process.pid, command: 'delete:blue' });
  });

  it('waits for a held lock when asked to, and takes it once the holder lets go', async () => {
    // Prepare
    const home = newHome();
    const holder = await createHolder(home);
    const waitedFor: number[] = [];

    // Act
    const taking = acquireLock(home, BLUE, { command: 'inventory', wait: true, onWait: (h) => waitedFor.push(h.pid) });
    setTimeout(() => holder.kill('SIGTERM'), 200);
    const release = await taking;
    const held = readHolder(home, BLUE);
    release();

    // Assess
    expect(waitedFor).toEqual([holder.pid]);
    expect(held).toMatchObject({ pid: process.pid, command: 'inventory' });
  });

  it('refuses, without stopping it, a running create of another cluster', async () => {
    // Prepare
    const home = newHome();
    const holder = await createHolder(home);

    // Act
    const error = await acquireLock(home, BLUE, { command: 'delete:green', stopHolder: (h) => isCreateOf(h, 'green') }).catch(
      (err: unknown) => err
    );

    // Assess
    expect(error).toBeInstanceOf(LockBusyError);
    expect(processRuns(holder.pid ?? 0)).toBe(true);
    holder.kill('SIGKILL');
  });
});

describe('isCreateOf', () => {
  it.each([
    ['create:blue', 'blue', true],
    ['create:blue', 'blue-1a2b3c', true],
    ['create:blue', 'blue-green', false],
    ['create:blue', 'green', false],
    ['delete:blue', 'blue', false],
  ])('holder %s, delete %s: %s', (command, nameOrId, expected) => {
    // Act
    const result = isCreateOf({ pid: 1, command, since: '' }, nameOrId);

    // Assess
    expect(result).toBe(expected);
  });
});

describe('mesos-cluster on a busy cluster', () => {
  it('exits 2 for a second create of the same cluster while one runs, and leaves the create and the cloud intact', async () => {
    // Prepare
    const home = newHome();
    let second: Promise<CliRun> | undefined;

    // Act
    const first = await cli(home, CREATE, (text) => {
      if (!second && text.includes('✓ network')) second = cli(home, CREATE);
    });
    const refused = await second;

    // Assess
    expect(first.code).toBe(0);
    expect(refused?.code).toBe(2);
    expect(refused?.stderr).toMatch(/^error: cluster blue is busy: pid \d+ is running create blue \(since /);
    expect(refused?.stdout).toBe('');
    const inventory = await cli(home, ['simulator', 'inventory', '--output', 'json']);
    expect(JSON.parse(inventory.stdout).filter((i: { type: string }) => i.type === 'instance')).toHaveLength(2);
    expect(existsSync(lockFile(home, BLUE))).toBe(false);
  });

  it('stops a running create on SIGTERM, records and saves it; a delete then leaves nothing', async () => {
    // Prepare
    const home = newHome();
    let signalled = false;

    // Act
    const stopped = await cli(home, CREATE, (text) => {
      if (!signalled && text.includes('✓ network')) {
        signalled = true;
        process.emit('SIGTERM');
      }
    });
    const kept = JSON.parse((await cli(home, ['simulator', 'inventory', '--output', 'json'])).stdout) as unknown[];
    const deleted = await cli(home, ['delete', 'blue']);
    const left = JSON.parse((await cli(home, ['simulator', 'inventory', '--output', 'json'])).stdout) as unknown[];

    // Assess
    expect(stopped.code).toBe(1);
    expect(stopped.stderr).toContain('status       CREATE_FAILED');
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    const execution = journal.clusters[0].executions[0];
    expect(execution).toMatchObject({ kind: 'create', status: 'FAILED' });
    expect(execution).toMatchObject({ failureCode: 'CREATE_INTERRUPTED' });
    expect(execution.failureReason).toMatch(
      /^the create was interrupted at .*; what it created is kept: resume it with `mesos-cluster create --resume blue`/
    );
    expect(execution.pid).toBeUndefined();
    expect(kept.length).toBeGreaterThan(0);
    expect(deleted.code).toBe(0);
    expect(left).toEqual([]);
    expect(process.listenerCount('SIGTERM')).toBe(0);
  });
});
