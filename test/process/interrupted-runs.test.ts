/**
 * The CLI run as a process (`node cli/bin.js`), as a user runs it: Ctrl-C (SIGINT) and
 * `kill -9` (SIGKILL) in the middle of a create, then `get`, `delete` and `create` again;
 * a corrupt journal; the pre-flight refusals (exit 2, nothing created). The simulated
 * cloud is slowed to MESOS_CLUSTER_SIMULATION_SPEED simulated seconds per real second, so
 * that a signal lands half-way through a create.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '../../cli/bin.js');
const ADMIN = ['--admin-cidr', '198.51.100.0/24'];
const homes: string[] = [];
/** A user's environment: not the test runner's (which carries settings of its own, e.g. for CDK). */
const USER_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-process-'));
  homes.push(home);
  return home;
}

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI to its end. */
function run(home: string, ...args: string[]): Run {
  const result = spawnSync(process.execPath, [BIN, ...args], {
    env: { ...USER_ENV, MESOS_CLUSTER_HOME: home },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { code: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
}

/** Starts a slowed-down create and sends `signal` once its progress shows `state` (a phase line: `✓ network` as the masters launch). */
function interruptedCreate(home: string, name: string, state: string, signal: NodeJS.Signals, extra: string[] = []): Promise<Run> {
  const child = spawn(process.execPath, [BIN, 'create', '--name', name, ...ADMIN, '--slaves', '1', ...extra], {
    env: { ...USER_ENV, MESOS_CLUSTER_HOME: home, MESOS_CLUSTER_SIMULATION_SPEED: '100' },
  });
  children.push(child);
  let stdout = '';
  let stderr = '';
  let sent = false;
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
    if (!sent && stderr.includes(state)) {
      sent = true;
      child.kill(signal);
    }
  });
  return new Promise((done) => child.on('close', (code, sig) => done({ code, signal: sig, stdout, stderr })));
}

function inventory(home: string): { id: string; type: string; tags: Record<string, string> }[] {
  const listed = run(home, 'simulator', 'inventory', '--output', 'json');
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout);
}

describe('an interrupted create, as a process', () => {
  it('stops on SIGINT, keeps what it made and says how to resume or delete; resume completes it, delete leaves nothing', async () => {
    // Prepare
    const home = newHome();

    // Act
    const interrupted = await interruptedCreate(home, 'blue', '✓ network', 'SIGINT');
    const afterwards = run(home, 'get', 'blue', '--output', 'json');
    const again = run(home, 'create', '--name', 'blue', ...ADMIN);
    const resumed = run(home, 'create', '--resume', 'blue', '--output', 'json');
    const deleted = run(home, 'delete', 'blue');

    // Assess
    expect(interrupted.code).toBe(1);
    expect(interrupted.stdout).toContain('CREATE_INTERRUPTED: the create was interrupted at');
    expect(interrupted.stdout).toContain(
      'resume it with `mesos-cluster create --resume blue`, or remove it with `mesos-cluster delete blue`'
    );
    expect(interrupted.stderr.match(/CREATE_INTERRUPTED/g) ?? []).toHaveLength(0);
    const view = JSON.parse(afterwards.stdout);
    expect(view).toMatchObject({ name: 'blue', status: 'CREATE_FAILED', failureCode: 'CREATE_INTERRUPTED' });
    expect(view.vpc).not.toBeNull();
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`cluster name 'blue' is taken by cluster ${view.id}`);
    expect(resumed.code).toBe(0);
    expect(JSON.parse(resumed.stdout)).toMatchObject({ id: view.id, status: 'CREATE_COMPLETE', run: { execution: `create-${view.id}-2` } });
    expect(deleted.code).toBe(0);
    expect(inventory(home)).toEqual([]);
  });

  it('with --on-interrupt rollback, tears down what it made on SIGINT', async () => {
    // Prepare
    const home = newHome();

    // Act
    const interrupted = await interruptedCreate(home, 'green', '✓ network', 'SIGINT', ['--on-interrupt', 'rollback']);

    // Assess
    expect(interrupted.code).toBe(1);
    expect(interrupted.stderr).toContain('create interrupted: rolling back cluster green-');
    expect(interrupted.stdout).toMatch(/status\s+DELETE_COMPLETE/);
    expect(inventory(home)).toEqual([]);
  });

  it('after SIGKILL, the next command marks the run interrupted; the name stays taken until a delete, which leaves nothing', async () => {
    // Prepare
    const home = newHome();

    // Act
    const killed = await interruptedCreate(home, 'red', '✓ network', 'SIGKILL');
    const listed = run(home, 'list', '--output', 'json');
    const duplicate = run(home, 'create', '--name', 'red', ...ADMIN);
    const deleted = run(home, 'delete', 'red');
    const created = run(home, 'create', '--name', 'red', ...ADMIN, '--slaves', '0', '--output', 'json');
    const redVpcs = inventory(home).filter((item) => item.type === 'vpc');

    // Assess
    expect(killed.signal).toBe('SIGKILL');
    expect(listed.code).toBe(0);
    expect(listed.stderr).toMatch(
      /warning: the create run create-red-[0-9a-f]{6} of cluster red-[0-9a-f]{6} \(pid \d+\) ended without recording its end/
    );
    const [row] = JSON.parse(listed.stdout);
    expect(row).toMatchObject({ name: 'red', status: 'CREATE_FAILED', failureCode: 'CREATE_INTERRUPTED' });
    expect(duplicate.code).toBe(2);
    expect(duplicate.stderr).toContain(`cluster name 'red' is taken by cluster ${row.id}`);
    expect(deleted.code).toBe(0);
    expect(created.code).toBe(0);
    const fresh = JSON.parse(created.stdout);
    expect(fresh.id).not.toBe(row.id);
    expect(redVpcs.map((vpc) => vpc.tags['mesos-cluster:id'])).toEqual([fresh.id]);
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    expect(journal.clusters.map((c: { status: string }) => c.status)).toEqual(['DELETE_COMPLETE', 'CREATE_COMPLETE']);
  });

  it('lists and gets a cluster by its tags when the journal is gone', () => {
    // Prepare
    const home = newHome();
    const created = run(home, 'create', '--name', 'lost', ...ADMIN, '--slaves', '0', '--output', 'json');
    rmSync(join(home, 'clusters.json'));

    // Act
    const listed = run(home, 'list', '--output', 'json');
    const got = run(home, 'get', 'lost', '--output', 'json');
    const deleted = run(home, 'delete', 'lost');

    // Assess
    const { id } = JSON.parse(created.stdout);
    expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, name: 'lost', status: 'CREATE_COMPLETE', inJournal: false })]);
    expect(JSON.parse(got.stdout)).toMatchObject({ id, name: 'lost' });
    expect(deleted.code).toBe(0);
    expect(inventory(home)).toEqual([]);
  });
});

describe('corrupt local state, as a process', () => {
  it.each([
    ['clusters.json', '{"version":1,"clusters":[{"id":', /clusters\.json: is not valid JSON .*; move it aside \(mv /],
    ['clusters.json', '', /clusters\.json: is empty, probably cut off by a crash/],
    ['simulator.json', '[1,2]', /simulator\.json: does not hold a JSON object; .*mesos-cluster simulator reset/],
  ])('names %s (%j) and how to recover, exit 2', (file, text, message) => {
    // Prepare
    const home = newHome();
    writeFileSync(join(home, file), text);

    // Act
    const got = run(home, 'list');

    // Assess
    expect(got.code).toBe(2);
    expect(got.stderr).toMatch(message);
    expect(got.stderr).not.toContain('Unexpected end of JSON input\n');
    expect(got.stderr).not.toMatch(/\n\s+at /);
  });
});

/** The resources the saved simulated account holds (what `simulator inventory` lists), read from its file. */
function savedResourceCount(home: string): number {
  const saved = JSON.parse(readFileSync(join(home, 'simulator.json'), 'utf8')) as Record<string, unknown>;
  const kinds = ['vpcs', 'subnets', 'internetGateways', 'routeTables', 'addresses', 'natGateways', 'instances', 'images', 'alarms'];
  return kinds.reduce((sum, kind) => sum + Object.keys((saved[kind] as object | undefined) ?? {}).length, 0);
}

describe('pre-flight refusals, as a process', () => {
  it.each([
    [['--admin-cidr', '198.51.100.7/24'], '--admin-cidr: has host bits set'],
    [['--admin-cidr', '0.0.0.0/1'], '--admin-cidr: is a /1'],
    [[...ADMIN, '--vpc-cidr', '224.0.0.0/16'], '--vpc-cidr: overlaps 224.0.0.0/4 (multicast)'],
    [[...ADMIN, '--masters', '0x3'], "--masters: must be a whole number written in decimal digits, got '0x3'"],
    [[...ADMIN, '--availability-zone', 'eu-west-1z'], 'error: --availability-zone: eu-west-1z is not a zone of eu-west-1'],
    [[...ADMIN, '--availability-zone', 'us-east-1a'], 'error: --availability-zone: us-east-1a is not a zone of eu-west-1'],
    [[...ADMIN, '--fault', 'CreateNatGateways=NatGatewayLimitExceeded'], 'did you mean CreateNatGateway?'],
  ])('refuses %j with exit 2 and creates nothing', (args, message) => {
    // Prepare
    const home = newHome();

    // Act
    const refused = run(home, 'create', '--name', 'blue', ...args);

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain(message);
    expect(refused.stderr.match(/error:/g)).toHaveLength(1);
    expect(existsSync(join(home, 'clusters.json'))).toBe(false);
    if (existsSync(join(home, 'simulator.json'))) expect(savedResourceCount(home)).toBe(0);
  });
});
