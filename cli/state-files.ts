/**
 * The CLI's local state files (the journal, the simulated account) read safely: a file
 * that is not what the CLI wrote (truncated, edited, from another program) is reported
 * with its path and how to recover, exit 2 as for bad input; never a bare JSON error.
 */
import { readFileSync } from 'node:fs';

/** A local state file that cannot be used; the message names the file and the recovery. */
export class StateFileError extends Error {
  readonly file: string;
  constructor(file: string, problem: string, recovery: string, options?: ErrorOptions) {
    super(`${file}: ${problem}; ${recovery}`, options);
    this.name = 'StateFileError';
    this.file = file;
  }
}

/** How to recover from a broken journal: the clusters are found again in the cloud by their tags. */
export function journalRecovery(file: string): string {
  return `move it aside (mv ${file} ${file}.broken): get, list and delete then find the clusters in the cloud by their tags; or restore it from a backup`;
}

/** How to recover from a broken simulated account. */
export function simulatorRecovery(file: string): string {
  return `restore it from a backup, or start the simulated cloud over with \`mesos-cluster simulator reset\` (removes ${file} and the journal)`;
}

/**
 * The JSON object in `file`, or undefined when the file does not exist. Throws
 * StateFileError when it cannot be read or is not a JSON object.
 */
export function readJsonObject(file: string, recovery: string): Record<string, unknown> | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new StateFileError(file, `cannot be read (${(err as Error).message})`, recovery, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    const what = text.trim() === '' ? 'is empty' : `is not valid JSON (${(err as Error).message})`;
    throw new StateFileError(file, `${what}, probably cut off by a crash or edited by hand`, recovery, { cause: err });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new StateFileError(file, 'does not hold a JSON object', recovery);
  }
  return parsed as Record<string, unknown>;
}
