/**
 * The highly available layout (masters and slaves spread over availability zones, one NAT
 * gateway per zone when asked) and the reuse of a baked slave image across clusters, run
 * end to end: the exported machines on the simulated cloud in virtual time.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeInstancesCommand, DescribeRouteTablesCommand } from '@aws-sdk/client-ec2';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { configureSlaveScriptSha256 } from '../../bootstrap/script-hash';
import { ProgressPrinter } from '../../cli/progress';
import type { RunResult } from '../../cli/runner/local-runner';
import { IN_PROCESS_DOCUMENTS } from '../../cli/step-config';
import { DEFAULT_SOFTWARE } from '../../functions/shared/cluster-spec';
import { describedResourceIds } from '../../functions/shared/describe-cluster';
import { mesosQuorum, renderZooCfg, zkUrl } from '../../functions/shared/render';
import { TAG_BAKED_BY, TAG_ID, TAG_IMAGE_HASH } from '../../functions/shared/tags';
import { type CliRun, runCli } from '../helpers/cli';
import { SimulatedWorld } from '../helpers/run';
import { TEST_STEP_CONFIG } from '../helpers/step-config';

const ADMIN = '203.0.113.0/24';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

/** The states a run entered, in order. */
function entered(result: RunResult): string[] {
  return result.events.flatMap((e) => (e.type === 'StateEntered' && e.state ? [e.state] : []));
}

/** The progress lines the CLI prints for a run. */
function progressLines(result: RunResult): string[] {
  const lines: string[] = [];
  const printer = new ProgressPrinter((line) => lines.push(line));
  for (const event of result.events) printer.onEvent(event);
  return lines;
}

function durationOf(result: RunResult): number {
  return result.endedAt - result.startedAt;
}

describe('highly available layout on the simulated cloud', () => {
  it('spreads 3 masters over 3 zones and 6 slaves over the same zones, with a quorum of 2', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'hazones', masters: 3, slaves: 6, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('hazones-000001');
    expect(d.zones.map((z) => z.availabilityZone)).toEqual(ZONES);
    expect(d.masters.map((m) => m.availabilityZone).sort()).toEqual(ZONES);
    expect(d.zones.map((z) => [z.masters, z.slaves])).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(d.slaves.map((s) => s.availabilityZone).sort()).toEqual([...ZONES, ...ZONES].sort());
    // Subnets carved from the /22: private /25s, public /28s at its end.
    expect(d.zones.map((z) => [z.publicSubnet?.cidr, z.privateSubnet?.cidr])).toEqual([
      ['172.28.131.128/28', '172.28.128.0/25'],
      ['172.28.131.144/28', '172.28.128.128/25'],
      ['172.28.131.160/28', '172.28.129.0/25'],
    ]);
    for (const master of d.masters) {
      const zone = d.zones.find((z) => z.availabilityZone === master.availabilityZone);
      expect(master.publicIp).not.toBeNull();
      expect(master.privateIp.startsWith('172.28.131.')).toBe(true);
      expect(zone?.publicSubnet).not.toBeNull();
    }
    // One NAT gateway (natGateways single): the first zone's, routing every private subnet.
    expect(d.natGateways).toHaveLength(1);
    expect(d.natGateways[0]?.availabilityZone).toBe('eu-west-1a');
    expect(d.privateRouteTables).toHaveLength(1);

    // The masters' IPs, as Configure Masters sent them, render the ensemble's config.
    const commands = await world.look(async () => {
      const out = await world.cloud.clients().ssm.send(
        new ListCommandsCommand({
          InstanceId: d.masters[0]?.instanceId,
          Filters: [{ key: 'DocumentName', value: IN_PROCESS_DOCUMENTS.configureMaster }],
        })
      );
      return out.Commands ?? [];
    });
    const masterIps = commands[0]?.Parameters?.MasterIps?.[0]?.split(',') ?? [];
    expect([...masterIps].sort()).toEqual(d.masters.map((m) => m.privateIp).sort());
    expect(mesosQuorum(masterIps)).toBe(2);
    expect(zkUrl(masterIps)).toBe(`zk://${masterIps.map((ip) => `${ip}:2181`).join(',')}/mesos`);
    expect(renderZooCfg(masterIps)).toContain(`server.3=${masterIps[2]}:2888:3888`);
    // Every slave joined with the zk URL of the three masters and registered.
    const agents = await world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
    expect(agents.sort()).toEqual(d.slaves.map((s) => s.instanceId).sort());
    // Everything the cluster holds in EC2 is described (the scaling alarms are CloudWatch's).
    const ec2Inventory = await world.look(async () => world.cloud.inventory().filter((i) => i.type !== 'alarm'));
    expect(ec2Inventory.map((i) => i.id).sort()).toEqual(describedResourceIds(d).sort());
  });

  it('places 5 masters round-robin over the 3 zones of the Region', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'five', masters: 5, slaves: 1, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('five-000001');
    expect(d.zones.map((z) => z.masters)).toEqual([2, 2, 1]);
    expect(d.zones.map((z) => z.slaves)).toEqual([1, 0, 0]);
  });

  it('gives each zone its own NAT gateway and private route table with natGateways perAz, and tears them all down', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const created = await world.create({ name: 'peraz', masters: 3, slaves: 3, natGateways: 'perAz', adminCidr: ADMIN });
    const d = await world.describe('peraz-000001');
    const tables = await world.look(async () => {
      const out = await world.cloud.clients().ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: d.privateRouteTables }));
      return out.RouteTables ?? [];
    });
    const deleted = await world.teardown('peraz-000001', 'peraz');

    // Assess
    expect(created.status).toBe('SUCCEEDED');
    expect(d.natGateways.map((n) => n.availabilityZone).sort()).toEqual(ZONES);
    expect(d.natGateways.every((n) => n.state === 'available')).toBe(true);
    expect(d.elasticIps).toHaveLength(3);
    expect(d.privateRouteTables).toHaveLength(3);
    for (const zone of d.zones) {
      const table = tables.find((t) => t.RouteTableId === zone.privateRouteTableId);
      expect(table?.Associations?.map((a) => a.SubnetId)).toEqual([zone.privateSubnet?.id]);
      expect(table?.Routes?.find((r) => r.DestinationCidrBlock === '0.0.0.0/0')?.NatGatewayId).toBe(zone.natGatewayId);
    }
    expect(d.slaves).toHaveLength(3);
    expect(deleted.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('keeps one zone when the spec names one', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'onezone', masters: 3, slaves: 2, availabilityZone: 'eu-west-1b', adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('onezone-000001');
    expect(d.zones.map((z) => z.availabilityZone)).toEqual(['eu-west-1b']);
    expect(d.subnets.public?.cidr).toBe('172.28.128.0/24');
    expect(d.subnets.private?.cidr).toBe('172.28.129.0/24');
    expect(d.masters.every((m) => m.availabilityZone === 'eu-west-1b')).toBe(true);
  });
});

describe('slave image reuse on the simulated cloud', () => {
  // As the CLI does: the configure-slave script hash from the renderer.
  const config = { ...TEST_STEP_CONFIG, configureSlaveScriptHash: configureSlaveScriptSha256() };
  const renderedWorld = () => new SimulatedWorld(undefined, undefined, config);

  it('reuses the first cluster image for a second cluster with the same versions, skipping the bake', async () => {
    // Prepare
    const world = renderedWorld();
    const first = await world.create({ name: 'first', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Act
    const second = await world.create({ name: 'second', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(entered(first)).toEqual(expect.arrayContaining(['Is A Slave Image Cached?', 'Launch Template Slave', 'Bake Slave Image']));
    expect(entered(second)).toEqual(expect.arrayContaining(['Is A Slave Image Cached?', 'Use Cached Slave Image']));
    expect(entered(second)).not.toContain('Launch Template Slave');
    expect(entered(second)).not.toContain('Bake Slave Image');
    // The progress output shows the skip.
    const lines = progressLines(second);
    expect(lines.some((l) => /· Is A Slave Image Cached\?$/.test(l))).toBe(true);
    expect(lines.some((l) => /· Use Cached Slave Image$/.test(l))).toBe(true);
    expect(lines.some((l) => l.includes('Launch Template Slave'))).toBe(false);
    // No template slave, no image wait: the masters' setup is the longest branch.
    expect(durationOf(second)).toBeLessThan(durationOf(first) - 3 * 60_000);

    const a = await world.describe('first-000001');
    const b = await world.describe('second-000001');
    expect(b.imageId).toBe(a.imageId);
    expect(a.image).toMatchObject({ reused: false, bakedBy: 'first-000001', owner: 'first-000001' });
    expect(b.image).toMatchObject({ reused: true, bakedBy: 'first-000001', owner: 'first-000001' });
    expect(b.image?.hash).toMatch(/^[0-9a-f]{64}$/);
    const slaveImages = await world.look(async () => {
      const out = await world.cloud.clients().ec2.send(new DescribeInstancesCommand({ InstanceIds: b.slaves.map((s) => s.instanceId) }));
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.ImageId);
    });
    expect(slaveImages).toEqual([a.imageId, a.imageId]);
    const agents = await world.look(async () => world.cloud.mesosAgents(b.masters[0]?.privateIp ?? '', b.vpc?.id));
    expect(agents).toHaveLength(2);
    expect(world.cloud.inventory().filter((i) => i.type === 'image')).toHaveLength(1);
  });

  it('keeps the shared image when its baker is deleted and deletes it with its last user', async () => {
    // Prepare
    const world = renderedWorld();
    await world.create({ name: 'first', masters: 1, slaves: 1, adminCidr: ADMIN });
    await world.create({ name: 'second', masters: 1, slaves: 1, adminCidr: ADMIN });
    const imageId = (await world.describe('first-000001')).imageId;

    // Act
    const firstDeleted = await world.teardown('first-000001', 'first');
    const afterFirst = await world.look(async () => world.cloud.inventory());
    const b = await world.describe('second-000001');
    const secondDeleted = await world.teardown('second-000001', 'second');

    // Assess
    expect(firstDeleted.status).toBe('SUCCEEDED');
    const image = afterFirst.find((i) => i.id === imageId);
    expect(image?.tags).toMatchObject({ [TAG_ID]: 'second-000001', [TAG_BAKED_BY]: 'first-000001' });
    expect(image?.tags[TAG_IMAGE_HASH]).toMatch(/^[0-9a-f]{64}$/);
    const snapshots = afterFirst.filter((i) => i.type === 'snapshot');
    expect(snapshots.length).toBeGreaterThan(0);
    expect(snapshots.every((s) => s.tags[TAG_ID] === 'second-000001')).toBe(true);
    expect(afterFirst.filter((i) => i.tags[TAG_ID] === 'first-000001')).toEqual([]);
    expect(b.image).toMatchObject({ id: imageId, owner: 'second-000001', reused: true });
    expect(describedResourceIds(b)).toEqual(expect.arrayContaining([imageId, ...b.snapshotIds]));
    expect(secondDeleted.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('deletes the shared image when both of its users are deleted at the same time', async () => {
    // Prepare
    const world = renderedWorld();
    await world.create({ name: 'first', masters: 1, slaves: 1, adminCidr: ADMIN });
    await world.create({ name: 'second', masters: 1, slaves: 1, adminCidr: ADMIN });

    // Act
    const results = await world.look(() =>
      Promise.all([world.teardown('first-000001', 'first'), world.teardown('second-000001', 'second')])
    );

    // Assess
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('bakes again when asked for a fresh image or when the versions differ', async () => {
    // Prepare
    const world = renderedWorld();
    await world.create({ name: 'first', masters: 1, slaves: 1, adminCidr: ADMIN });

    // Act
    const fresh = await world.create({ name: 'fresh', masters: 1, slaves: 1, freshImage: true, adminCidr: ADMIN });
    const other = await world.create({
      name: 'other',
      masters: 1,
      slaves: 1,
      software: { ...DEFAULT_SOFTWARE, marathonVersion: '1.11.24' },
      adminCidr: ADMIN,
    });

    // Assess
    for (const result of [fresh, other]) {
      expect(result.status).toBe('SUCCEEDED');
      expect(entered(result)).toContain('Bake Slave Image');
      expect(entered(result)).not.toContain('Use Cached Slave Image');
    }
    const a = await world.describe('first-000001');
    const f = await world.describe('fresh-000001');
    const o = await world.describe('other-000001');
    expect(new Set([a.imageId, f.imageId, o.imageId]).size).toBe(3);
    expect(f.image?.hash).toBe(a.image?.hash);
    expect(o.image?.hash).not.toBe(a.image?.hash);
  });
});

describe('mesos-cluster create --simulate: zones and image reuse in the output', () => {
  const homes: string[] = [];

  afterAll(() => {
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  function cli(home: string, ...argv: string[]): Promise<CliRun> {
    return runCli(home, argv);
  }

  /** The simulated seconds of the summary line `duration  1234.5 s (20 min 34 s) simulated …`. */
  function simulatedSeconds(stderr: string): number {
    const match = /^duration\s+([\d.]+) s/m.exec(stderr);
    if (!match?.[1]) throw new Error(`no duration line in:\n${stderr}`);
    return Number(match[1]);
  }

  it('creates 3 masters in 3 zones, then a second cluster that skips the bake and is shorter', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-ha-'));
    homes.push(home);

    // Act
    // --verbose: every state, to see which of the image states ran.
    const first = await cli(
      home,
      'create',
      '--simulate',
      '--name',
      'blue',
      '--admin-cidr',
      ADMIN,
      '--masters',
      '3',
      '--slaves',
      '6',
      '--verbose'
    );
    const second = await cli(
      home,
      'create',
      '--simulate',
      '--name',
      'green',
      '--admin-cidr',
      ADMIN,
      '--masters',
      '3',
      '--slaves',
      '6',
      '--verbose'
    );
    const json = await cli(home, 'get', 'green', '--output', 'json');

    // Assess
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    for (const zone of ZONES)
      expect(first.stdout).toMatch(new RegExp(`${zone}: public 172\\.28\\.131\\.\\d+/28, private .*, 1 master, 2 slaves`));
    expect(first.stdout).toMatch(/slave image\s+ami-\w+ recipe [0-9a-f]{12} \(baked\)/);
    expect(second.stderr).toMatch(/· Is A Slave Image Cached\?/);
    expect(second.stderr).toMatch(/· Use Cached Slave Image/);
    expect(second.stderr).not.toContain('Launch Template Slave');
    expect(first.stderr).toContain('Launch Template Slave');
    expect(second.stdout).toMatch(/slave image\s+ami-\w+ recipe [0-9a-f]{12} \(reused from blue-[0-9a-f]{6}\)/);
    expect(simulatedSeconds(second.stderr)).toBeLessThan(simulatedSeconds(first.stderr) - 180);
    const view = JSON.parse(json.stdout);
    expect(view.zones.map((z: { availabilityZone: string }) => z.availabilityZone)).toEqual(ZONES);
    expect(view.image).toMatchObject({ reused: true });
  });

  it('refuses natGateways other than single or perAz, and a vpcCidr too small for three zones', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-ha-'));
    homes.push(home);

    // Act
    const badMode = await cli(home, 'create', '--name', 'blue', '--admin-cidr', ADMIN, '--nat-gateways', 'many');
    const smallVpc = await cli(home, 'create', '--name', 'blue', '--admin-cidr', ADMIN, '--masters', '3', '--vpc-cidr', '10.0.0.0/24');
    const twice = await cli(home, 'create', '--name', 'blue', '--admin-cidr', ADMIN, '--availability-zones', 'eu-west-1a,eu-west-1a');

    // Assess
    expect(badMode).toMatchObject({ code: 2, stdout: '' });
    expect(badMode.stderr).toContain('error: --nat-gateways: must be single or perAz');
    expect(smallVpc.code).toBe(2);
    expect(smallVpc.stderr).toContain('error: --vpc-cidr: must be a /22 or larger: a cluster of 3 masters over up to 3 availability zones');
    expect(twice.code).toBe(2);
    expect(twice.stderr).toContain('error: --availability-zones: must not name a zone twice (eu-west-1a)');
  });
});
