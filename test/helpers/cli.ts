/**
 * The CLI called in-process through `main(argv, io)`, with MESOS_CLUSTER_HOME in a
 * temporary home directory: what every CLI test file needs.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../cli/main';

export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs one command with `home` as its home; `onStderr` sees the progress as it is written. */
export async function runCli(home: string, argv: readonly string[], onStderr?: (text: string) => void): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await main([...argv], {
    stdout: (text) => {
      stdout += text;
    },
    stderr: (text) => {
      stderr += text;
      onStderr?.(text);
    },
    env: { MESOS_CLUSTER_HOME: home },
    cwd: home,
  });
  return { code, stdout, stderr };
}

/**
 * Temporary home directories (optionally copies of another home), all removed after the
 * test file: call at the top level of a test file or describe block.
 */
export function temporaryHomes(prefix: string): (from?: string) => string {
  const homes: string[] = [];
  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });
  return (from?: string) => {
    const home = mkdtempSync(join(tmpdir(), prefix));
    homes.push(home);
    if (from) cpSync(from, home, { recursive: true });
    return home;
  };
}
