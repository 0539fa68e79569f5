/**
 * The Elastic IP pre-flight of the create machine on the simulated cloud: a cluster that
 * the account's address quota cannot hold fails at Validate Cluster Spec, before anything
 * is created. Two creates whose pre-flights both run before either VPC exists cannot count
 * each other: the later one is refused by CreateVpc itself, naming the quota, and rolls back.
 */

import { AllocateAddressCommand } from '@aws-sdk/client-ec2';
import { failureOf } from '../../cli/run-outcome';
import { SimulatedWorld } from '../helpers/run';

const ADMIN = '203.0.113.0/24';

describe('create-cluster pre-flight on the simulated cloud', () => {
  it('fails at Validate with the quota message, creates nothing and rolls nothing back when 4 of 5 Elastic IPs are in use', async () => {
    // Prepare
    const world = new SimulatedWorld();
    await world.look(async () => {
      const { ec2 } = world.cloud.clients();
      for (let i = 0; i < 4; i++) await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    });
    const before = (await world.inventoryIds()).sort();

    // Act
    const result = await world.create({ name: 'spread', masters: 3, slaves: 2, natGateways: 'perAz', adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.cause).toContain(
      'validate-spec: the cluster needs 3 Elastic IPs but the account has 4 of its limit 5 in use (quota vpc-max-elastic-ips, Service Quotas L-0263D0A3, EC2-VPC Elastic IPs); release addresses or raise the quota (AddressLimitExceeded)'
    );
    const entered = result.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered[0]).toBe('Validate Cluster Spec');
    expect(entered).not.toContain('Create VPC');
    expect(entered.some((state) => state?.startsWith('Roll Back '))).toBe(false);
    expect((await world.inventoryIds()).sort()).toEqual(before);
    expect(before).toHaveLength(4);
  });

  it('creates a perAz cluster over 3 zones when 2 of 5 Elastic IPs are in use', async () => {
    // Prepare
    const world = new SimulatedWorld();
    await world.look(async () => {
      const { ec2 } = world.cloud.clients();
      for (let i = 0; i < 2; i++) await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    });

    // Act
    const result = await world.create({ name: 'spread', masters: 3, slaves: 2, natGateways: 'perAz', adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const d = await world.describe('spread-000001');
    expect(d.natGateways).toHaveLength(3);
  });

  it('refuses the second of two creates whose pre-flights ran before either VPC existed at Create VPC, naming the quota, and leaves nothing of it', async () => {
    // Prepare: room for one more VPC only.
    const world = new SimulatedWorld();
    world.cloud.setQuotas({ vpcs: 1, elasticIps: 10 });

    // Act: both start at the same virtual instant.
    const [first, second] = await world.look(() =>
      Promise.all([
        world.create({ name: 'first', masters: 1, slaves: 0, adminCidr: ADMIN }),
        world.create({ name: 'second', masters: 1, slaves: 0, adminCidr: ADMIN }),
      ])
    );

    // Assess
    const [won, lost] = first.status === 'SUCCEEDED' ? [first, second] : [second, first];
    expect(won.status).toBe('SUCCEEDED');
    expect(lost.status).toBe('FAILED');
    expect(failureOf(lost, 'create')?.failureCode).toBe('CREATE_VPC_FAILED');
    expect(lost.cause).toContain(
      "create-vpc: VpcLimitExceeded: the account's quota L-F678F1CE (VPCs per Region) is used up, possibly by creates that started after this one's pre-flight; delete a VPC or request a quota increase"
    );
    const entered = lost.events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    expect(entered).toContain('Roll Back Verify Nothing Left');
    const lostId = lost === first ? 'first-000001' : 'second-000001';
    const left = await world.look(async () => world.cloud.inventory().filter((item) => item.tags['mesos-cluster:id'] === lostId));
    expect(left).toEqual([]);
  });
});
