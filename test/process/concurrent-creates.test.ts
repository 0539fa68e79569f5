/**
 * `mesos-cluster create` processes started at once on one home, as several users (or a
 * script) would: each holds the lock of its own cluster name, and they take turns on the
 * simulated account. With the account's quotas raised (`simulator quotas`) all ten
 * creates complete; with the default quotas (5 VPCs, 5 Elastic IPs) five of seven complete
 * and the pre-flight refuses the others before anything is created, naming the quota
 * (exit 2).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const BIN = resolve(__dirname, '../../cli/bin.js');
const USER_ENV = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NO_COLOR: '1' };
const CREATES = 10;
const homes: string[] = [];

afterAll(() => {
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function cli(home: string, ...args: string[]): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...USER_ENV, MESOS_CLUSTER_HOME: home } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += String(chunk);
  });
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** Creates at once, without slaves (the quotas are what is measured, not the bake). */
function creates(home: string, count: number): Promise<Run[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) =>
      cli(home, 'create', '--name', `team${i + 1}`, '--admin-cidr', '198.51.100.0/24', '--slaves', '0', '--output', 'json')
    )
  );
}

async function inventory(home: string): Promise<{ type: string }[]> {
  const listed = await cli(home, 'simulator', 'inventory', '--output', 'json');
  expect(listed.code).toBe(0);
  return JSON.parse(listed.stdout);
}

function newHome(): string {
  const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-concurrent-'));
  homes.push(home);
  return home;
}

describe('creates started at once, as processes', () => {
  it('ten all complete once the quotas are raised', async () => {
    // Prepare
    const home = newHome();
    const raised = await cli(
      home,
      'simulator',
      'quotas',
      '--vpcs',
      '20',
      '--elastic-ips',
      '20',
      '--nat-gateways-per-zone',
      '20',
      '--output',
      'json'
    );

    // Act
    const runs = await creates(home, CREATES);
    const items = await inventory(home);

    // Assess
    expect(raised.code).toBe(0);
    expect(JSON.parse(raised.stdout)).toMatchObject({ vpcs: 20, elasticIps: 20, natGatewaysPerZone: 20 });
    expect(runs.map((r) => r.code)).toEqual(Array(CREATES).fill(0));
    for (const run of runs) expect(JSON.parse(run.stdout)).toMatchObject({ status: 'CREATE_COMPLETE' });
    expect(items.filter((i) => i.type === 'vpc')).toHaveLength(CREATES);
  }, 240_000);

  it('with the default quotas, five of seven complete and the pre-flight refuses two before anything is created, naming the quota', async () => {
    // Prepare
    const home = newHome();

    // Act
    const runs = await creates(home, 7);
    const items = await inventory(home);

    // Assess
    const completed = runs.filter((r) => r.code === 0);
    const refused = runs.filter((r) => r.code === 2);
    expect(completed).toHaveLength(5);
    expect(refused).toHaveLength(2);
    for (const run of refused) {
      expect(run.stderr).toMatch(/validate-spec: the cluster needs .* \(quota (vpc-max-elastic-ips|L-F678F1CE)/);
    }
    // Nothing of the refused creates exists: five VPCs, five addresses, the completed clusters'.
    expect(items.filter((i) => i.type === 'vpc')).toHaveLength(5);
    expect(items.filter((i) => i.type === 'elastic-ip')).toHaveLength(5);
  }, 240_000);
});
