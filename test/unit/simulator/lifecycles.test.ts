import {
  AllocateAddressCommand,
  CreateImageCommand,
  CreateNatGatewayCommand,
  DeleteNatGatewayCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeSnapshotsCommand,
  DetachInternetGatewayCommand,
  type EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import {
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { SimulatedCloud } from '../../../simulator';
import { addNat, buildNetwork, errorOf, type InstalledClock, installClock, launch, type Network } from './support';

describe('simulated lifecycles', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let net: Network;

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2, ssm } = cloud.clients());
    net = await buildNetwork(ec2, clock);
  });

  afterEach(() => clock.uninstall());

  async function natState(id: string): Promise<string | undefined> {
    const out = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [id] }));
    return out.NatGateways?.[0]?.State;
  }

  async function instanceState(id: string): Promise<string | undefined> {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [id] }));
    return out.Reservations?.[0]?.Instances?.[0]?.State?.Name;
  }

  async function online(ids: string[]): Promise<string[]> {
    const out = await ssm.send(new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: ids }] }));
    return (out.InstanceInformationList ?? []).filter((i) => i.PingStatus === 'Online').map((i) => i.InstanceId as string);
  }

  it('ripens a NAT gateway from pending to available after 100 s, then deleting to deleted after 40 s', async () => {
    // Prepare
    const { natGatewayId } = await addNat(ec2, clock, net);

    // Act
    const states = [await natState(natGatewayId)];
    clock.tick(99_000 - 1000);
    states.push(await natState(natGatewayId));
    clock.tick(1000);
    states.push(await natState(natGatewayId));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId }));
    states.push(await natState(natGatewayId));
    clock.tick(40_000);
    states.push(await natState(natGatewayId));

    // Assess
    expect(states).toEqual(['pending', 'pending', 'available', 'deleting', 'deleted']);
    expect(cloud.inventory().some((item) => item.id === natGatewayId)).toBe(false);
  });

  it('fails a NAT gateway with Gateway.NotAttached when the VPC has no attached internet gateway', async () => {
    // Prepare
    const bare = await buildNetwork(ec2, clock, 'c-2');
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: bare.internetGatewayId, VpcId: bare.vpcId }));
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));

    // Act
    const created = await ec2.send(new CreateNatGatewayCommand({ SubnetId: bare.publicSubnetId, AllocationId: eip.AllocationId }));
    clock.tick(60_000);
    const out = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [created.NatGateway?.NatGatewayId as string] }));

    // Assess
    expect(created.NatGateway?.State).toBe('pending');
    expect(out.NatGateways?.[0]).toMatchObject({ State: 'failed', FailureCode: 'Gateway.NotAttached' });
  });

  it('runs an instance after 15 s and reports its SSM agent Online 90 s later', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const id = ids[0] as string;

    // Act
    clock.tick(1000);
    const pending = await instanceState(id);
    clock.tick(14_000);
    const running = await instanceState(id);
    const earlyOnline = await online(ids);
    clock.tick(90_000);
    const lateOnline = await online(ids);

    // Assess
    expect([pending, running]).toEqual(['pending', 'running']);
    expect(earlyOnline).toEqual([]);
    expect(lateOnline).toEqual([id]);
  });

  it('never reports an instance without an instance profile Online', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId, { profile: null });

    // Act
    clock.tick(3_600_000);

    // Assess
    expect(await instanceState(ids[0] as string)).toBe('running');
    expect(await online(ids)).toEqual([]);
  });

  it('keeps a private-subnet instance offline until its NAT gateway is available', async () => {
    // Prepare
    const { natGatewayId } = await addNat(ec2, clock, net);
    const { ids } = await launch(ec2, net.privateSubnetId, net.securityGroupId);

    // Act
    clock.tick(98_000);
    const natBefore = await natState(natGatewayId);
    const before = await online(ids);
    clock.tick(10_000);
    const after = await online(ids);

    // Assess
    expect(natBefore).toBe('pending');
    expect(before).toEqual([]);
    expect(after).toEqual(ids);
  });

  it('terminates an instance through shutting-down and keeps it visible as terminated', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);

    // Act
    const out = await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    const during = await instanceState(ids[0] as string);
    clock.tick(30_000);
    const after = await instanceState(ids[0] as string);
    const byFilter = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'instance-state-name', Values: ['terminated'] },
          { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        ],
      })
    );

    // Assess
    expect(out.TerminatingInstances?.[0]).toMatchObject({ PreviousState: { Name: 'running' }, CurrentState: { Name: 'shutting-down' } });
    expect([during, after]).toEqual(['shutting-down', 'terminated']);
    expect(byFilter.Reservations?.[0]?.Instances?.map((i) => i.InstanceId)).toEqual(ids);
    expect(cloud.inventory().filter((item) => item.type === 'instance')).toEqual([]);
  });

  it('ripens an image and its snapshot after 300 s', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);

    // Act
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'mesos-slave-c-1' }));
    clock.tick(1000);
    const early = await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId as string] }));
    const snapshotId = early.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId as string;
    const earlySnapshot = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));
    clock.tick(299_000);
    const late = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: ['mesos-slave-*'] }] }));
    const lateSnapshot = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: [snapshotId] }));

    // Assess
    expect(early.Images?.[0]?.State).toBe('pending');
    expect(earlySnapshot.Snapshots?.[0]?.State).toBe('pending');
    expect(late.Images?.map((i) => [i.ImageId, i.State])).toEqual([[ImageId, 'available']]);
    expect(lateSnapshot.Snapshots?.[0]).toMatchObject({ State: 'completed', Progress: '100%' });
  });

  it('runs an SSM command Pending, InProgress, then Success after the document duration', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const id = ids[0] as string;
    clock.tick(105_000);

    // Act
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureSlave', InstanceIds: ids }));
    const commandId = sent.Command?.CommandId as string;
    clock.tick(1000);
    const statuses = [(await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }))).Status];
    clock.tick(2000);
    statuses.push((await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }))).Status);
    clock.tick(119_000);
    const done = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: id }));
    const listed = await ssm.send(new ListCommandsCommand({ CommandId: commandId }));

    // Assess
    expect(sent.Command?.Status).toBe('Pending');
    expect(statuses).toEqual(['Pending', 'InProgress']);
    expect(done).toMatchObject({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0 });
    expect(listed.Commands?.[0]).toMatchObject({ Status: 'Success', CompletedCount: 1, ErrorCount: 0 });
  });

  it('fails a running command when its instance is terminated', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const id = ids[0] as string;
    clock.tick(105_000);
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids }));

    // Act
    clock.tick(10_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    clock.tick(1000);
    const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: id }));

    // Assess
    expect(out.Status).toBe('Failed');
    expect(out.ResponseCode).toBe(-1);
  });

  it('rejects SendCommand with InvalidInstanceId while the agent is not Online', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);

    // Act
    const err = await errorOf(() => ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: ids })));

    // Assess
    expect(err.name).toBe('InvalidInstanceId');
    expect(cloud.calls.SendCommand).toBe(1);
  });
});
