/**
 * The compact progress view as a process: one line per phase with the clock, the phase's
 * duration and its step count; routine retries only with --verbose; one Mesos and one
 * Marathon URL per master; a failure's reason printed exactly once; colour on a terminal
 * (a pseudo-terminal from `script`), none when piped or with NO_COLOR.
 */
import { spawnSync } from 'node:child_process';
import { BIN, processHomes, runCliProcess, USER_ENV } from '../helpers/process';

const newHome = processHomes('mesos-cluster-progress-');
const ADMIN = ['--admin-cidr', '198.51.100.0/24'];
const PHASE_LINE = /^\[ \d\d:\d\d:\d\d\] [✓✗–] ([a-z ]+?) +(\d+\.\d s|\d+ s|\d+ min \d\d s) +(\d+) steps?(, .*)?$/;

/** The phase lines of a run's stderr: name, and the whole line. */
function phases(stderr: string): string[] {
  return stderr.split('\n').flatMap((text) => {
    const match = PHASE_LINE.exec(text);
    return match?.[1] ? [match[1]] : [];
  });
}

/** Runs the CLI under a pseudo-terminal (util-linux `script`), as typed at a terminal; the transcript. */
function inTerminal(home: string, args: readonly string[], env: Record<string, string>): string {
  const command = [process.execPath, BIN, ...args].map((word) => `'${word}'`).join(' ');
  const result = spawnSync('script', ['-qec', command, '/dev/null'], {
    env: { PATH: USER_ENV.PATH, HOME: USER_ENV.HOME, TERM: 'xterm', MESOS_CLUSTER_HOME: home, ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  expect(result.status).toBe(0);
  return result.stdout;
}

describe('the progress of a run, as a process', () => {
  it('prints one line per phase, hides routine retries, and one Mesos and Marathon URL per master', () => {
    // Prepare
    const home = newHome();

    // Act
    const run = runCliProcess(home, ['create', '--name', 'blue', ...ADMIN, '--masters', '3', '--slaves', '1']);
    const verbose = runCliProcess(home, ['create', '--name', 'green', ...ADMIN, '--slaves', '0', '--verbose']);

    // Assess
    expect(run.code).toBe(0);
    expect(phases(run.stderr)).toEqual([
      'validate',
      'network',
      'nat gateway',
      'masters',
      'image',
      'slaves',
      'agents',
      'smoke test',
      'ready',
    ]);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^creating cluster blue-[0-9a-f]{6} \(simulate\): create-blue-[0-9a-f]{6}$/);
    expect(lines.slice(1, 9).every((text) => PHASE_LINE.test(text))).toBe(true);
    expect(run.stderr).toMatch(/✓ masters +\d+ min \d\d s +\d+ steps\n/);
    expect(run.stderr).not.toMatch(/NotFound|not visible yet|↻/);
    expect(run.stderr).not.toContain('\x1b[');
    const mesos = run.stdout.match(/http:\/\/[\d.]+:5050/g) ?? [];
    const marathon = run.stdout.match(/http:\/\/[\d.]+:8080/g) ?? [];
    expect(new Set(mesos).size).toBe(3);
    expect(mesos).toHaveLength(3);
    expect(marathon.map((url) => url.replace(':8080', ''))).toEqual(mesos.map((url) => url.replace(':5050', '')));
    expect(verbose.code).toBe(0);
    expect(verbose.stderr).toMatch(/↻ retry Create VPC #1: RetryableError: .*NotFound/);
    expect(verbose.stderr).toContain('▶ Launch Masters');
  });

  it('prints the reason of a failed create exactly once, and the phase it failed in', () => {
    // Prepare
    const home = newHome();
    const reason = 'CreateNatGateway failed with NatGatewayLimitExceeded';

    // Act
    const run = runCliProcess(home, ['create', '--name', 'red', ...ADMIN, '--fault', 'CreateNatGateway=NatGatewayLimitExceeded']);

    // Assess
    expect(run.code).toBe(1);
    expect(`${run.stdout}${run.stderr}`.split(reason)).toHaveLength(2);
    expect(run.stdout).toContain(`failure   CREATE_NAT_GATEWAY_FAILED: FatalError: create-nat-gateway: NatGatewayLimitExceeded: ${reason}`);
    expect(run.stderr).toMatch(/✗ nat gateway +[\d.]+ s +1 step, failed at Create NAT Gateway\n/);
    expect(run.stderr).toMatch(/✓ roll back +\d+ s +\d+ steps\n/);
    expect(run.stderr).toContain('status       CREATE_FAILED');
  });

  it('colours the progress on a terminal, and not with NO_COLOR', () => {
    // Prepare
    const home = newHome();

    // Act
    const coloured = inTerminal(home, ['create', '--name', 'tty', ...ADMIN, '--slaves', '0'], {});
    const plain = inTerminal(home, ['delete', 'tty'], { NO_COLOR: '1' });

    // Assess
    expect(coloured).toContain('\x1b[32m✓\x1b[39m network');
    expect(coloured).toContain('status       \x1b[32mCREATE_COMPLETE\x1b[39m');
    expect(plain).toMatch(/✓ network/);
    // No SGR (colour) sequence: ESC [ digits m.
    expect(plain.split('\x1b[').filter((part, i) => i > 0 && /^\d+m/.test(part))).toEqual([]);
  });
});
