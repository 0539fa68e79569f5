/**
 * The Elastic IP pre-flight of the create machine on the simulated cloud: a cluster that
 * the account's address quota cannot hold fails at Validate Cluster Spec, before anything
 * is created.
 */
import { AllocateAddressCommand } from '@aws-sdk/client-ec2';
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
});
