import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateImageCommand,
  CreateVpcCommand,
  DeleteVpcCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, GetCommandInvocationCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { SimulatedCloud } from '../../../simulator';
import { addNat, buildNetwork, errorOf, type InstalledClock, installClock, launch, T0 } from './support';

/** A fixed script: network, NAT, two instances, a command; returns what it observed along the way. */
async function script(cloud: SimulatedCloud, clock: InstalledClock): Promise<unknown[]> {
  const { ec2, ssm } = cloud.clients({ maxAttempts: 1 });
  const timeline: unknown[] = [];
  const net = await buildNetwork(ec2, clock);
  const nat = await addNat(ec2, clock, net);
  const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId, { count: 2 });
  timeline.push(net, nat, ids);
  for (let step = 0; step < 12; step++) {
    clock.tick(10_000);
    const nats = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.natGatewayId] }));
    const instances = await ec2.send(new DescribeInstancesCommand({ InstanceIds: ids }));
    timeline.push([
      Date.now() - T0,
      nats.NatGateways?.[0]?.State,
      instances.Reservations?.[0]?.Instances?.map((i) => [i.State?.Name, i.PublicIpAddress]),
    ]);
  }
  const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids }));
  clock.tick(200_000);
  const done = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: ids[0] }));
  timeline.push(sent.Command?.CommandId, done.Status, done.ExecutionEndDateTime, cloud.inventory());
  return timeline;
}

describe('simulated cloud determinism and persistence', () => {
  let clock: InstalledClock;
  let dir: string;

  beforeEach(() => {
    clock = installClock();
    dir = mkdtempSync(join(tmpdir(), 'simulator-'));
  });

  afterEach(() => {
    clock.uninstall();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives the same ids and the same timeline for the same script and seed', async () => {
    // Act
    const first = await script(new SimulatedCloud({ seed: 7 }), clock);
    clock.uninstall();
    clock = installClock();
    const second = await script(new SimulatedCloud({ seed: 7 }), clock);
    clock.uninstall();
    clock = installClock();
    const other = await script(new SimulatedCloud({ seed: 8 }), clock);

    // Assess
    expect(second).toEqual(first);
    expect(other[0]).not.toEqual(first[0]);
    expect(JSON.stringify(first)).toMatch(/vpc-0[0-9a-f]{16}/);
  });

  it('continues lifecycles after a save and a load at the saved virtual time', async () => {
    // Prepare
    const file = join(dir, 'nested', 'state.json');
    const cloud = new SimulatedCloud();
    const { ec2 } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const nat = await addNat(ec2, clock, net);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    cloud.injectFault({ operation: 'DeleteVpc', code: 'InternalError', count: 2 });
    const badCidr = await errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: 'bad' })));
    clock.tick(5000);
    cloud.save(file);
    const savedAt = Date.now();
    clock.uninstall();

    // Act
    const now = SimulatedCloud.savedNow(file);
    clock = installClock(now);
    const loaded = SimulatedCloud.load(file);
    const clients = loaded.clients({ maxAttempts: 1 });
    const before = await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.natGatewayId] }));
    clock.tick(105_000);
    const after = await clients.ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [nat.natGatewayId] }));
    const online = await clients.ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }] }));
    const faulted = await errorOf(() => clients.ec2.send(new DeleteVpcCommand({ VpcId: net.vpcId })));

    // Assess
    expect(now).toBe(savedAt);
    expect(before.NatGateways?.[0]?.State).toBe('pending');
    expect(after.NatGateways?.[0]?.State).toBe('available');
    expect(online.InstanceInformationList?.map((i) => [i.InstanceId, i.PingStatus])).toEqual([[ids[0], 'Online']]);
    expect(badCidr.name).toBe('InvalidParameterValue');
    expect(faulted).toMatchObject({ name: 'InternalError', $fault: 'server' });
    expect(loaded.faults()).toEqual([{ operation: 'DeleteVpc', code: 'InternalError', count: 1, fired: 1 }]);
    expect(loaded.calls).toMatchObject({ CreateVpc: 2, DeleteVpc: 1, RunInstances: 1 });
    expect(loaded.inventory().map((item) => item.id)).toEqual(cloud.inventory().map((item) => item.id));
  });

  it('loads a fresh cloud from a missing file and round-trips through toJSON/fromJSON', async () => {
    // Prepare
    const fresh = SimulatedCloud.load(join(dir, 'missing.json'));
    const { ec2 } = fresh.clients({ maxAttempts: 1 });
    await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));

    // Act
    const copy = SimulatedCloud.fromJSON(JSON.parse(JSON.stringify(fresh.toJSON())));
    const next = await copy.clients({ maxAttempts: 1 }).ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    const original = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));

    // Assess
    expect(SimulatedCloud.savedNow(join(dir, 'missing.json'))).toBeUndefined();
    expect(next.Vpc?.VpcId).toBe(original.Vpc?.VpcId);
    expect(copy.inventory()).toHaveLength(2);
  });

  it('lists every live resource in the inventory, leaving out defaults, public images and terminated instances', async () => {
    // Prepare
    const cloud = new SimulatedCloud();
    const { ec2, cloudwatch } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const nat = await addNat(ec2, clock, net);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId, { count: 2 });
    clock.tick(20_000);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'baked' }));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [ids[1] as string] }));
    await cloudwatch.send(
      new PutMetricAlarmCommand({
        AlarmName: 'c-1-scale-out',
        MetricName: 'CpusUsedPercent',
        Namespace: 'MesosCluster',
        Statistic: 'Average',
        Period: 60,
        EvaluationPeriods: 2,
        Threshold: 80,
        ComparisonOperator: 'GreaterThanThreshold',
        Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }],
      })
    );
    clock.tick(40_000);

    // Act
    const inventory = cloud.inventory();

    // Assess
    const summary = inventory.map((item) => [item.type, item.id, item.state]);
    expect(summary).toEqual([
      ['vpc', net.vpcId, 'available'],
      ['subnet', net.publicSubnetId, 'available'],
      ['subnet', net.privateSubnetId, 'available'],
      ['internet-gateway', net.internetGatewayId, 'attached'],
      ['route-table', net.publicRouteTableId, 'associated'],
      ['route-table', nat.privateRouteTableId, 'associated'],
      ['elastic-ip', nat.allocationId, 'associated'],
      ['nat-gateway', nat.natGatewayId, 'pending'],
      ['security-group', net.securityGroupId, 'active'],
      ['instance', ids[0], 'running'],
      ['image', ImageId, 'pending'],
      ['snapshot', expect.stringMatching(/^snap-/), 'pending'],
      ['alarm', 'c-1-scale-out', 'INSUFFICIENT_DATA'],
    ]);
    expect(inventory.find((item) => item.type === 'alarm')?.tags).toEqual({ 'mesos-cluster:id': 'c-1' });
    expect(inventory.find((item) => item.type === 'vpc')?.tags).toEqual({ 'mesos-cluster:id': 'c-1', 'mesos-cluster:role': 'vpc' });
  });
});
