/**
 * The create machine, exported as ASL, executed by the local runner against the
 * simulated cloud in virtual time: every step runs for real against SDK clients that the
 * simulator answers.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { failureOf } from '../../cli/run-outcome';
import { describedResourceIds } from '../../functions/shared/describe-cluster';
import { scalingAlarmName } from '../../functions/shared/scaling';
import { SimulatedWorld, timeline } from '../helpers/run';

const ADMIN = '203.0.113.0/24';

describe('create-cluster machine on the simulated cloud', () => {
  it('builds the blog layout with 1 master and 2 slaves registered from the baked image', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'blog', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('blog-000001');
    expect(d.vpc?.cidr).toBe('172.28.128.0/22');
    expect(d.subnets.public?.cidr).toBe('172.28.128.0/24');
    expect(d.subnets.private?.cidr).toBe('172.28.129.0/24');
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    expect(d.natGateway?.state).toBe('available');
    expect(d.masters).toHaveLength(1);
    expect(d.masters[0]?.publicIp).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(d.masters[0]?.privateIp.startsWith('172.28.128.')).toBe(true);
    expect(d.mesosUrl).toBe(`http://${d.masters[0]?.publicIp}:5050`);
    expect(d.slaves).toHaveLength(2);
    expect(d.templateSlaves).toHaveLength(0);
    for (const slave of d.slaves) expect(slave.privateIp.startsWith('172.28.129.')).toBe(true);
    const slaveIds = d.slaves.map((s) => s.instanceId);
    const images = await world.look(async () => {
      const out = await world.cloud.clients().ec2.send(new DescribeInstancesCommand({ InstanceIds: slaveIds }));
      return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []).map((i) => i.ImageId);
    });
    expect(images).toEqual([d.imageId, d.imageId]);
    const agents = await world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
    expect(agents.sort()).toEqual([...slaveIds].sort());
    expect(d.snapshotIds.length).toBeGreaterThan(0);
    // Besides what describeCluster shows (EC2): the two scaling alarms.
    const alarms = [scalingAlarmName('blog-000001', 'out'), scalingAlarmName('blog-000001', 'in')];
    expect((await world.inventoryIds()).sort()).toEqual([...describedResourceIds(d), ...alarms].sort());
  });

  it('builds 3 masters and 5 slaves', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'hacluster', masters: 3, slaves: 5, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('hacluster-000001');
    expect(d.masters).toHaveLength(3);
    expect(d.masters.every((m) => m.publicIp !== null)).toBe(true);
    expect(d.slaves).toHaveLength(5);
    const agents = await world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
    expect(agents).toHaveLength(5);
    const alarms = [scalingAlarmName('hacluster-000001', 'out'), scalingAlarmName('hacluster-000001', 'in')];
    expect((await world.inventoryIds()).sort()).toEqual([...describedResourceIds(d), ...alarms].sort());
  });

  it('retries transient faults (throttling, DependencyViolation) and still succeeds', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectFault({ operation: 'CreateNatGateway', code: 'RequestLimitExceeded', count: 3 });
    world.cloud.injectFault({ operation: 'CreateSecurityGroup', code: 'DependencyViolation', count: 1 });

    // Act
    const result = await world.create({ name: 'flaky', masters: 1, slaves: 1, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(world.cloud.faults()).toEqual([]);
    expect(world.cloud.calls.CreateNatGateway).toBeGreaterThanOrEqual(4);
    const retried = result.events.filter((e) => e.type === 'StateRetried').map((e) => e.state);
    expect(retried).toContain('Create Security Groups');
    const d = await world.describe('flaky-000001');
    expect(d.natGateway?.state).toBe('available');
    expect(d.slaves).toHaveLength(1);
  });

  it('fails with CREATE_NAT_GATEWAY_FAILED on a persistent NatGatewayLimitExceeded and rolls everything back', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectFault({ operation: 'CreateNatGateway', code: 'NatGatewayLimitExceeded' });

    // Act
    const result = await world.create({ name: 'nonat', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(failureOf(result, 'create')).toMatchObject({ failureCode: 'CREATE_NAT_GATEWAY_FAILED' });
    expect(failureOf(result, 'create')?.failureReason).toMatch(/NatGatewayLimitExceeded/);
    expect(result.cause).toMatch(/^CREATE_NAT_GATEWAY_FAILED: /);
    expect(result.events.some((e) => e.type === 'StateEntered' && e.state?.startsWith('Roll Back '))).toBe(true);
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('keeps the resources of a failed create when the spec says keepOnFailure', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectFault({ operation: 'CreateNatGateway', code: 'NatGatewayLimitExceeded' });

    // Act
    const result = await world.create({ name: 'keep', masters: 1, slaves: 2, adminCidr: ADMIN, keepOnFailure: true });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(failureOf(result, 'create')?.failureCode).toBe('CREATE_NAT_GATEWAY_FAILED');
    expect(result.events.some((e) => e.type === 'StateEntered' && e.state?.startsWith('Roll Back '))).toBe(false);
    const d = await world.describe('keep-000001');
    expect(d.vpc).not.toBeNull();
    expect(d.statusTag).toBe('CREATE_FAILED');
    expect(d.failureCodeTag).toBe('CREATE_NAT_GATEWAY_FAILED');
    expect((await world.inventoryIds()).length).toBeGreaterThan(0);
  });

  it('repeats exactly: two runs on fresh clouds have the same timeline and resource ids', async () => {
    // Prepare
    const first = new SimulatedWorld();
    const second = new SimulatedWorld();
    const spec = { name: 'twin', masters: 1, slaves: 2, adminCidr: ADMIN };

    // Act
    const a = await first.create(spec);
    const b = await second.create(spec);

    // Assess
    expect(timeline(b)).toEqual(timeline(a));
    expect(b.endedAt).toBe(a.endedAt);
    expect(await second.describe('twin-000001')).toEqual(await first.describe('twin-000001'));
  });

  it('reports simulated minutes that take well under a second of real time', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'timed', masters: 1, slaves: 3, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const simulatedSeconds = (result.endedAt - result.startedAt) / 1000;
    expect(simulatedSeconds).toBeGreaterThan(5 * 60);
    expect(simulatedSeconds).toBeLessThan(60 * 60);
    expect(result.realMs).toBeLessThan(5_000);
    expect(result.transitions).toBeGreaterThan(40);
  });
});
