/**
 * The CLI called in-process through `main(argv, io)`, each test with its own home
 * directory (MESOS_CLUSTER_HOME in a temporary directory) and the simulated cloud.
 */

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { type CliRun, runCli, temporaryHomes } from '../../helpers/cli';

const newHome = temporaryHomes('mesos-cluster-cli-');

function cli(home: string, ...argv: string[]): Promise<CliRun> {
  return runCli(home, argv);
}

async function inventory(home: string): Promise<{ id: string; type: string; tags: Record<string, string> }[]> {
  const run = await cli(home, 'simulator', 'inventory', '--output', 'json');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout);
}

const ADMIN = ['--admin-cidr', '203.0.113.0/24'];

describe('mesos-cluster create: bad input', () => {
  it.each([
    [['--name', 'blue'], 'error: --admin-cidr: is required'],
    [['--name', 'blue', ...ADMIN, '--masters', '2'], 'error: --masters: must be 1, 3 or 5'],
    [['--name', 'Blue!', ...ADMIN], 'error: --name: must be a lowercase DNS label'],
    [['--name', 'blue', ...ADMIN, '--slaves', '2.5'], "error: --slaves: must be a whole number written in decimal digits, got '2.5'"],
    [['--name', 'blue', ...ADMIN, '--slaves', '1e1'], "error: --slaves: must be a whole number written in decimal digits, got '1e1'"],
    [['--name', 'blue', ...ADMIN, '--masters', '0x3'], "error: --masters: must be a whole number written in decimal digits, got '0x3'"],
    [['--name', 'blue', '--admin-cidr', '0.0.0.0/0'], 'error: --admin-cidr: opens the Mesos and Marathon UIs to the whole internet'],
    [['--name', 'blue', '--admin-cidr', '0.0.0.0/1'], 'error: --admin-cidr: is a /1: it opens the Mesos and Marathon UIs'],
    [
      ['--name', 'blue', '--admin-cidr', '198.51.100.7/24'],
      'error: --admin-cidr: has host bits set: 198.51.100.7/24 is not a network address; did you mean 198.51.100.0/24?',
    ],
    [['--name', 'blue', ...ADMIN, '--vpc-cidr', '224.0.0.0/16'], 'error: --vpc-cidr: overlaps 224.0.0.0/4 (multicast)'],
    [['--name', 'blue', ...ADMIN, '--vpc-cidr', '240.1.0.0/16'], 'error: --vpc-cidr: overlaps 240.0.0.0/4 (reserved)'],
    [['--name', 'blue', ...ADMIN, '--private-subnet-cidr', '10.9.0.0/24'], 'error: --private-subnet-cidr: must lie inside vpcCidr'],
    [
      ['--name', 'blue', ...ADMIN, '--fault', 'CreateNatGateways=NatGatewayLimitExceeded'],
      'no operation CreateNatGateways (did you mean CreateNatGateway?)',
    ],
    [
      ['--name', 'blue', ...ADMIN, '--fault', 'CreateNatGateway=NatGatewayLimitExceded'],
      'NatGatewayLimitExceded is not an error code of EC2, SSM or CloudWatch (did you mean NatGatewayLimitExceeded?)',
    ],
    [
      ['--name', 'blue', ...ADMIN, '--fault', 'Command:MesosCluster-ConfigureMaster=Exploded'],
      'a command ends with Failed, TimedOut, Cancelled, not Exploded',
    ],
    [['--name', 'blue', ...ADMIN, '--fault', 'CreateNatGateway'], 'error: --fault: '],
    [['--name', 'blue', ...ADMIN, '--output', 'yaml'], 'error: --output: must be text or json'],
    [['--name', 'blue', ...ADMIN, '--simulate', '--local'], 'error: --simulate and --local exclude each other'],
    [['--name', 'blue', ...ADMIN, '--spec', '/nonexistent/spec.json'], 'error: --spec: cannot read /nonexistent/spec.json'],
    [['--name', 'blue', ...ADMIN, '--colour', 'red'], "error: unknown option '--colour'"],
  ])('exits 2 for %j, naming the field, and starts nothing', async (args, message) => {
    // Prepare
    const home = newHome();

    // Act
    const run = await cli(home, 'create', ...args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stdout).toBe('');
    expect(existsSync(join(home, 'clusters.json'))).toBe(false);
    expect(await inventory(home)).toEqual([]);
  });
});

describe('mesos-cluster create, get, list, delete on the simulated cloud', () => {
  it('creates a cluster, prints its JSON description and refuses the same name again, naming the cluster', async () => {
    // Prepare
    const home = newHome();

    // Act
    const created = await cli(home, 'create', '--name', 'dup', ...ADMIN, '--slaves', '1', '--output', 'json');
    const again = await cli(home, 'create', '--name', 'dup', ...ADMIN, '--output', 'json');

    // Assess
    expect(created.code).toBe(0);
    const view = JSON.parse(created.stdout);
    expect(view.id).toMatch(/^dup-[0-9a-f]{6}$/);
    expect(view).toMatchObject({
      name: 'dup',
      status: 'CREATE_COMPLETE',
      vpc: { cidr: '172.28.128.0/22' },
      subnets: { public: { cidr: '172.28.128.0/24' }, private: { cidr: '172.28.129.0/24' } },
      natGateway: { state: 'available' },
      run: { execution: `create-${view.id}`, status: 'SUCCEEDED' },
    });
    expect(view.masters).toHaveLength(1);
    expect(view.slaves).toHaveLength(1);
    expect(view.scalingAlarms.map((a: { name: string }) => a.name).sort()).toEqual([
      `mesos-cluster-${view.id}-scale-in`,
      `mesos-cluster-${view.id}-scale-out`,
    ]);
    expect(view.run.simulatedSeconds).toBeGreaterThan(300);
    expect(view.run.stateTransitions).toBeGreaterThan(40);
    expect(view.failureCode).toBeUndefined();
    expect(again.code).toBe(2);
    expect(again.stderr).toContain(`error: name: cluster name 'dup' is taken by cluster ${view.id}`);
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    expect(journal.clusters).toHaveLength(1);
    expect((await inventory(home)).filter((item) => item.type === 'vpc')).toHaveLength(1);
  });

  it('reports a failed create with exit 1, its failure code in JSON and the journal, and drops the command faults', async () => {
    // Prepare
    const home = newHome();

    // Act
    const failed = await cli(
      home,
      'create',
      '--name',
      'nonat',
      ...ADMIN,
      '--fault',
      'CreateNatGateway=NatGatewayLimitExceeded',
      '--output',
      'json'
    );
    const retried = await cli(home, 'create', '--name', 'nonat', ...ADMIN, '--slaves', '0', '--output', 'json');

    // Assess
    expect(failed.code).toBe(1);
    const view = JSON.parse(failed.stdout);
    expect(view).toMatchObject({ status: 'CREATE_FAILED', failureCode: 'CREATE_NAT_GATEWAY_FAILED', vpc: null, masters: [] });
    expect(view.failureReason).toContain('NatGatewayLimitExceeded');
    const journal = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    expect(journal.clusters[0]).toMatchObject({ id: view.id, status: 'CREATE_FAILED', failureCode: 'CREATE_NAT_GATEWAY_FAILED' });
    expect(journal.clusters[0].executions[0]).toMatchObject({ kind: 'create', status: 'FAILED', failureCode: 'CREATE_NAT_GATEWAY_FAILED' });
    expect(retried.code).toBe(0);
    expect(JSON.parse(retried.stdout).status).toBe('CREATE_COMPLETE');
  });

  it('gets, lists and deletes a cluster, leaving nothing in the simulated cloud', async () => {
    // Prepare
    const home = newHome();
    const created = JSON.parse((await cli(home, 'create', '--name', 'life', ...ADMIN, '--slaves', '0', '--output', 'json')).stdout);

    // Act
    const got = await cli(home, 'get', 'life', '--output', 'json');
    const listed = await cli(home, 'list', '--output', 'json');
    const deleted = await cli(home, 'delete', 'life');
    const listedAfter = await cli(home, 'list', '--output', 'json');
    const listedAll = await cli(home, 'list', '--all', '--output', 'json');

    // Assess
    expect(got.code).toBe(0);
    expect(JSON.parse(got.stdout)).toMatchObject({ id: created.id, status: 'CREATE_COMPLETE', vpc: { id: created.vpc.id } });
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: created.id, name: 'life', status: 'CREATE_COMPLETE', masters: 1, slaves: 0 }),
    ]);
    expect(deleted.code).toBe(0);
    expect(deleted.stderr).toContain(`deleting cluster ${created.id} (simulate): delete-${created.id}`);
    expect(deleted.stderr).toMatch(/\[ 00:00:00\] ✓ alarms {8}0\.0 s {8}1 step\n/);
    expect(deleted.stderr).toMatch(/✓ network .* 6 steps\n/);
    expect(deleted.stderr).toContain('status       DELETE_COMPLETE');
    expect(deleted.stdout).toContain('DELETE_COMPLETE');
    expect(JSON.parse(listedAfter.stdout)).toEqual([]);
    expect(JSON.parse(listedAll.stdout)).toEqual([expect.objectContaining({ id: created.id, status: 'DELETE_COMPLETE' })]);
    expect(await inventory(home)).toEqual([]);
  });

  it('exits 2 for a cluster it does not know', async () => {
    // Act
    const run = await cli(newHome(), 'get', 'nobody');

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("error: no cluster named 'nobody'");
  });

  it('derives the same cluster id from the same simulator state', async () => {
    // Act
    const a = JSON.parse((await cli(newHome(), 'create', '--name', 'same', ...ADMIN, '--slaves', '0', '--output', 'json')).stdout);
    const b = JSON.parse((await cli(newHome(), 'create', '--name', 'same', ...ADMIN, '--slaves', '0', '--output', 'json')).stdout);

    // Assess
    expect(b.id).toBe(a.id);
    expect(b.vpc).toEqual(a.vpc);
    expect(b.run.simulatedSeconds).toBe(a.run.simulatedSeconds);
  });
});

describe('mesos-cluster demo', () => {
  it('creates the demo cluster and, run again, replaces it', async () => {
    // Prepare
    const home = newHome();

    // Act
    const first = await cli(home, 'demo');
    const second = await cli(home, 'demo', '--output', 'json');

    // Assess
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/status\s+CREATE_COMPLETE/);
    expect(first.stdout).toMatch(/mesos\s+http:\/\/[\d.]+:5050/);
    expect(second.code).toBe(0);
    const view = JSON.parse(second.stdout);
    expect(view).toMatchObject({ name: 'demo', status: 'CREATE_COMPLETE' });
    expect(view.masters).toHaveLength(1);
    expect(view.slaves).toHaveLength(3);
    const live = JSON.parse((await cli(home, 'list', '--output', 'json')).stdout);
    expect(live).toEqual([expect.objectContaining({ id: view.id, status: 'CREATE_COMPLETE' })]);
    const all = JSON.parse((await cli(home, 'list', '--all', '--output', 'json')).stdout);
    expect(all.map((c: { status: string }) => c.status)).toEqual(['DELETE_COMPLETE', 'CREATE_COMPLETE']);
    expect((await inventory(home)).filter((item) => item.type === 'vpc')).toHaveLength(1);
  });
});

describe('cli/bin.js', () => {
  it('prints the help and exits 0', () => {
    // Act
    const run = spawnSync(process.execPath, [resolve(__dirname, '../../../cli/bin.js'), '--help'], { encoding: 'utf8' });

    // Assess
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('Usage: mesos-cluster');
    for (const command of ['create', 'get', 'list', 'delete', 'simulator', 'demo']) expect(run.stdout).toContain(command);
    expect(run.stdout).toContain('The remote mode');
  });
});
