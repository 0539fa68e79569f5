/**
 * `create --dry-run` called in-process through `main(argv, io)`, each test with its own
 * home directory and simulated cloud: the plan is printed (stderr) with the cluster config
 * (stdout), nothing is created and no journal record is written.
 */

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AllocateAddressCommand } from '@aws-sdk/client-ec2';
import { parse } from 'yaml';
import { SimulatedCloud } from '../../../simulator';
import { type CliRun, runCli, temporaryHomes } from '../../helpers/cli';

const newHome = temporaryHomes('mesos-cluster-dry-run-');

function cli(home: string, ...argv: string[]): Promise<CliRun> {
  return runCli(home, argv);
}

async function inventoryIds(home: string): Promise<string[]> {
  const run = await cli(home, 'simulator', 'inventory', '--output', 'json');
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { id: string }[]).map((item) => item.id).sort();
}

/** Allocates `count` Elastic IPs in the home's simulated cloud (another user of the account). */
async function allocateAddresses(home: string, count: number): Promise<void> {
  const file = join(home, 'simulator.json');
  const cloud = SimulatedCloud.load(file);
  const { ec2 } = cloud.clients();
  for (let i = 0; i < count; i++) await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  cloud.save(file);
}

const ADMIN = ['--admin-cidr', '203.0.113.0/24'];

describe('mesos-cluster create --dry-run', () => {
  it('prints the plan of a 3-zone perAz cluster and creates nothing', async () => {
    // Prepare
    const home = newHome();

    // Act
    const run = await cli(
      home,
      'create',
      '--name',
      'plan',
      ...ADMIN,
      '--masters',
      '3',
      '--slaves',
      '4',
      '--nat-gateways',
      'perAz',
      '--dry-run'
    );

    // Assess
    expect(run.code).toBe(0);
    expect(parse(run.stdout)).toMatchObject({ name: 'plan', masters: 3, slaves: 4, natGateways: 'perAz' });
    expect(run.stderr).toMatch(/^dry run: create plan \(plan-[0-9a-f]{6}\) would build \(nothing was created\):/);
    expect(run.stderr).toContain(
      'zone       eu-west-1a: public 172.28.131.128/28, private 172.28.128.0/25, NAT gateway; 1 master(s), 2 slave(s)'
    );
    expect(run.stderr).toContain(
      'zone       eu-west-1c: public 172.28.131.160/28, private 172.28.129.0/25, NAT gateway; 1 master(s), 1 slave(s)'
    );
    expect(run.stderr).toContain('NAT        3 gateway(s), 3 Elastic IP(s)');
    expect(run.stderr).toContain('masters    3 x t3.medium');
    expect(run.stderr).toContain('image      no cached image of recipe');
    expect(run.stderr).toMatch(/alarm {6}mesos-cluster-plan-[0-9a-f]{6}-scale-out: allocation > 75% for \d+ min/);
    expect(await inventoryIds(home)).toEqual([]);
    expect(existsSync(join(home, 'clusters.json'))).toBe(false);
  });

  it('prints the config as JSON, and the plan with the cached image of an earlier cluster of the same recipe', async () => {
    // Prepare
    const home = newHome();
    const created = await cli(home, 'create', '--name', 'first', ...ADMIN, '--slaves', '1', '--output', 'json');
    expect(created.code).toBe(0);
    const first = JSON.parse(created.stdout);
    const before = await inventoryIds(home);
    const journalBefore = readFileSync(join(home, 'clusters.json'), 'utf8');

    // Act
    const run = await cli(home, 'create', '--name', 'second', ...ADMIN, '--slaves', '3', '--dry-run', '--output', 'json');

    // Assess
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({
      name: 'second',
      vpcCidr: '172.28.128.0/22',
      natGateways: 'single',
      masters: 1,
      slaves: 3,
      autoscaling: { minSlaves: 1, maxSlaves: 10, step: 2 },
    });
    expect(run.stderr).toContain(`image      reuse cached image ${first.imageId} (recipe `);
    expect(run.stderr).toContain(
      'zone       eu-west-1a: public 172.28.128.0/24, private 172.28.129.0/24, NAT gateway; 1 master(s), 3 slave(s)'
    );
    expect(run.stderr).toMatch(/alarm {6}mesos-cluster-second-[0-9a-f]{6}-scale-out: allocation > 75%/);
    expect(run.stderr).toMatch(/alarm {6}mesos-cluster-second-[0-9a-f]{6}-scale-in: allocation < 25%/);
    expect(await inventoryIds(home)).toEqual(before);
    expect(readFileSync(join(home, 'clusters.json'), 'utf8')).toBe(journalBefore);
  });

  it('exits 2 with the quota message when the account has no room for the NAT gateways', async () => {
    // Prepare
    const home = newHome();
    await allocateAddresses(home, 4);
    const before = await inventoryIds(home);

    // Act
    const run = await cli(home, 'create', '--name', 'full', ...ADMIN, '--masters', '3', '--nat-gateways', 'perAz', '--dry-run');

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(
      'error: validate-spec: the cluster needs 3 Elastic IPs but the account has 4 of its limit 5 in use (quota vpc-max-elastic-ips, Service Quotas L-0263D0A3, EC2-VPC Elastic IPs); release addresses or raise the quota (AddressLimitExceeded)'
    );
    expect(run.stdout).toBe('');
    expect(before).toHaveLength(4);
    expect(await inventoryIds(home)).toEqual(before);
    expect(existsSync(join(home, 'clusters.json'))).toBe(false);
  });

  it('exits 2 for a taken name and for the remote mode', async () => {
    // Prepare
    const home = newHome();
    expect((await cli(home, 'create', '--name', 'taken', ...ADMIN, '--slaves', '0')).code).toBe(0);

    // Act
    const taken = await cli(home, 'create', '--name', 'taken', ...ADMIN, '--dry-run');
    const remote = await cli(home, 'create', '--name', 'other', ...ADMIN, '--dry-run', '--api-url', 'https://api.example.com/prod');

    // Assess
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain("error: name: cluster name 'taken' is taken by cluster taken-");
    expect(remote.code).toBe(2);
    expect(remote.stderr).toContain('error: --dry-run: runs in-process');
  });
});
