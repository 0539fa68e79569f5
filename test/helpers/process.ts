/**
 * The CLI run as a process (`node cli/bin.js`), as a user runs it, each test in its own
 * home directory; removed after the test file. Call `processHomes()` at the top level.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(__dirname, '../../cli/bin.js');
export const REPO = resolve(__dirname, '../..');

/** A user's environment: not the test runner's (which carries settings of its own, e.g. for CDK). */
export const USER_ENV: Readonly<Record<string, string>> = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };

export interface ProcessRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** Added to USER_ENV and MESOS_CLUSTER_HOME (a value of undefined removes a variable). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly cwd?: string;
}

function envOf(home: string, options: RunOptions): NodeJS.ProcessEnv {
  const env: Record<string, string | undefined> = { ...USER_ENV, MESOS_CLUSTER_HOME: home, ...options.env };
  for (const key of Object.keys(env)) if (env[key] === undefined) delete env[key];
  return env;
}

/** Runs the CLI to its end (blocking: nothing else of the test runs meanwhile). */
export function runCliProcess(home: string, args: readonly string[], options: RunOptions = {}): ProcessRun {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: envOf(home, options),
    cwd: options.cwd ?? home,
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** Runs the CLI to its end without blocking the test (which may serve requests meanwhile). */
export function runCliProcessAsync(home: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessRun> {
  const child = spawn(process.execPath, [BIN, ...args], { env: envOf(home, options), cwd: options.cwd ?? home });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
  return new Promise((done) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    })
  );
}

/** Temporary home directories, removed after the test file. */
export function processHomes(prefix: string): () => string {
  const homes: string[] = [];
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });
  return () => {
    const home = mkdtempSync(join(tmpdir(), prefix));
    homes.push(home);
    return home;
  };
}
