import {
  AllocateAddressCommand,
  CreateNatGatewayCommand,
  CreateRouteTableCommand,
  CreateTagsCommand,
  CreateVpcCommand,
  DeleteTagsCommand,
  DescribeInstancesCommand,
  DescribeNatGatewaysCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  type EC2Client,
  RunInstancesCommand,
  type RunInstancesCommandInput,
} from '@aws-sdk/client-ec2';
import { SimulatedCloud } from '../../../simulator';
import { buildNetwork, errorOf, type InstalledClock, installClock, type Network, PROFILE, tags, UBUNTU_2404 } from './support';

describe('simulated ClientToken idempotency and tags', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let net: Network;

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2 } = cloud.clients());
    net = await buildNetwork(ec2, clock);
  });

  afterEach(() => clock.uninstall());

  function runInput(overrides: Partial<RunInstancesCommandInput> = {}): RunInstancesCommandInput {
    return {
      ImageId: UBUNTU_2404,
      InstanceType: 't3.large',
      MinCount: 3,
      MaxCount: 3,
      SubnetId: net.privateSubnetId,
      SecurityGroupIds: [net.securityGroupId],
      IamInstanceProfile: { Name: PROFILE },
      ClientToken: 'a'.repeat(64),
      TagSpecifications: tags('instance', 'c-1', 'slave'),
      ...overrides,
    };
  }

  it('returns the same reservation for a RunInstances retried with the same ClientToken', async () => {
    // Prepare
    const first = await ec2.send(new RunInstancesCommand(runInput()));
    clock.tick(5000);

    // Act
    const second = await ec2.send(new RunInstancesCommand(runInput()));
    const described = await ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'client-token', Values: ['a'.repeat(64)] }] }));

    // Assess
    expect(second.ReservationId).toBe(first.ReservationId);
    expect(second.Instances?.map((i) => i.InstanceId)).toEqual(first.Instances?.map((i) => i.InstanceId));
    expect(described.Reservations?.[0]?.Instances).toHaveLength(3);
    expect(cloud.inventory().filter((item) => item.type === 'instance')).toHaveLength(3);
  });

  it('throws IdempotentParameterMismatch for a ClientToken reused with other parameters', async () => {
    // Prepare
    await ec2.send(new RunInstancesCommand(runInput()));

    // Act
    const err = await errorOf(() => ec2.send(new RunInstancesCommand(runInput({ MinCount: 4, MaxCount: 4 }))));

    // Assess
    expect(err.name).toBe('IdempotentParameterMismatch');
    expect(cloud.inventory().filter((item) => item.type === 'instance')).toHaveLength(3);
  });

  it('returns the same NAT gateway and the same route table for a reused ClientToken', async () => {
    // Prepare
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const natInput = { SubnetId: net.publicSubnetId, AllocationId: eip.AllocationId, ClientToken: 'nat-token' };
    const rtInput = { VpcId: net.vpcId, ClientToken: 'rt-token' };
    const nat1 = await ec2.send(new CreateNatGatewayCommand(natInput));
    const rt1 = await ec2.send(new CreateRouteTableCommand(rtInput));

    // Act
    const nat2 = await ec2.send(new CreateNatGatewayCommand(natInput));
    const rt2 = await ec2.send(new CreateRouteTableCommand(rtInput));
    const mismatch = await errorOf(() => ec2.send(new CreateRouteTableCommand({ ...rtInput, VpcId: 'vpc-0000000000000000' })));

    // Assess
    expect(nat2.NatGateway?.NatGatewayId).toBe(nat1.NatGateway?.NatGatewayId);
    expect(rt2.RouteTable?.RouteTableId).toBe(rt1.RouteTable?.RouteTableId);
    expect(mismatch.name).toBe('IdempotentParameterMismatch');
    expect(cloud.inventory().filter((item) => item.type === 'nat-gateway')).toHaveLength(1);
  });

  it('finds resources by tag:<key> and tag-key filters, with wildcards', async () => {
    // Prepare
    await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16', TagSpecifications: tags('vpc', 'c-2', 'vpc') }));

    // Act
    const byId = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }] }));
    const byWildcard = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-*'] }] }));
    const byKey = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: ['mesos-cluster:role'] }] }));
    const subnets = await ec2.send(
      new DescribeSubnetsCommand({
        Filters: [
          { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
          { Name: 'tag:mesos-cluster:role', Values: ['private-subnet'] },
        ],
      })
    );

    // Assess
    expect(byId.Vpcs?.map((v) => v.VpcId)).toEqual([net.vpcId]);
    expect(byWildcard.Vpcs).toHaveLength(2);
    expect(byKey.Vpcs).toHaveLength(2);
    expect(subnets.Subnets?.map((s) => s.SubnetId)).toEqual([net.privateSubnetId]);
  });

  it('sees a new resource through a tag filter at once, before its id is consistent', async () => {
    // Prepare
    const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    const created = await ec2.send(
      new CreateNatGatewayCommand({
        SubnetId: net.publicSubnetId,
        AllocationId: eip.AllocationId,
        TagSpecifications: tags('natgateway', 'c-1', 'nat-gateway'),
      })
    );
    const natId = created.NatGateway?.NatGatewayId as string;

    // Act
    const byTag = await ec2.send(new DescribeNatGatewaysCommand({ Filter: [{ Name: 'tag:mesos-cluster:role', Values: ['nat-gateway'] }] }));
    const byIdEarly = await errorOf(() => ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] })));
    clock.tick(1000);
    const byIdLater = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natId] }));

    // Assess
    expect(byTag.NatGateways?.map((n) => n.NatGatewayId)).toEqual([natId]);
    expect(byIdEarly.name).toBe('NatGatewayNotFound');
    expect(byIdLater.NatGateways?.[0]?.NatGatewayId).toBe(natId);
  });

  it('rejects a TagSpecification of a resource type the operation cannot tag, and an unknown filter', async () => {
    // Act
    const badType = await errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16', TagSpecifications: tags('subnet') })));
    const badFilter = await errorOf(() => ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })));

    // Assess
    expect(badType.name).toBe('InvalidParameterValue');
    expect(badFilter.name).toBe('InvalidParameterValue');
    expect(cloud.inventory().filter((item) => item.type === 'vpc')).toHaveLength(1);
  });

  it('adds and removes tags with CreateTags and DeleteTags', async () => {
    // Act
    await ec2.send(
      new CreateTagsCommand({
        Resources: [net.vpcId, net.publicSubnetId],
        Tags: [{ Key: 'mesos-cluster:status', Value: 'CREATE_COMPLETE' }],
      })
    );
    await ec2.send(new DeleteTagsCommand({ Resources: [net.publicSubnetId], Tags: [{ Key: 'mesos-cluster:status' }] }));
    const found = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag:mesos-cluster:status', Values: ['CREATE_COMPLETE'] }] }));

    // Assess
    expect(found.Vpcs?.map((v) => v.VpcId)).toEqual([net.vpcId]);
    expect(cloud.inventory().find((item) => item.id === net.publicSubnetId)?.tags).toEqual({
      'mesos-cluster:id': 'c-1',
      'mesos-cluster:role': 'public-subnet',
    });
  });
});
