import {
  AllocateAddressCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateImageCommand,
  CreateInternetGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  DeleteInternetGatewayCommand,
  DeleteNatGatewayCommand,
  DeleteRouteTableCommand,
  DeleteSecurityGroupCommand,
  DeleteSnapshotCommand,
  DeleteSubnetCommand,
  DeleteVpcCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DetachInternetGatewayCommand,
  DisassociateRouteTableCommand,
  type EC2Client,
  EC2ServiceException,
  ReleaseAddressCommand,
  RevokeSecurityGroupIngressCommand,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SimulatedCloud } from '../../../simulator';
import { addNat, buildNetwork, errorOf, type InstalledClock, installClock, launch, type Network, UBUNTU_2404 } from './support';

describe('simulated EC2 dependency rules', () => {
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

  describe('DeleteVpc', () => {
    async function bareVpc(): Promise<string> {
      const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }));
      clock.tick(1000);
      return vpc.Vpc?.VpcId as string;
    }

    it.each([
      [
        'a subnet',
        async (vpcId: string) =>
          (await ec2.send(new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '10.0.1.0/24' }))).Subnet?.SubnetId as string,
        (id: string) => new DeleteSubnetCommand({ SubnetId: id }),
      ],
      [
        'a security group',
        async (vpcId: string) =>
          (await ec2.send(new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'x', Description: 'x' }))).GroupId as string,
        (id: string) => new DeleteSecurityGroupCommand({ GroupId: id }),
      ],
      [
        'a route table',
        async (vpcId: string) => (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId as string,
        (id: string) => new DeleteRouteTableCommand({ RouteTableId: id }),
      ],
    ])('throws DependencyViolation while the VPC has %s, and deletes it once that is gone', async (_what, create, remove) => {
      // Prepare
      const vpcId = await bareVpc();
      const dependencyId = await create(vpcId);

      // Act
      const err = await errorOf(() => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
      await ec2.send(remove(dependencyId) as never);
      await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));

      // Assess
      expect(err.name).toBe('DependencyViolation');
      expect(cloud.inventory().some((item) => item.id === vpcId)).toBe(false);
    });

    it('throws DependencyViolation while an internet gateway is attached', async () => {
      // Prepare
      const vpcId = await bareVpc();
      const igw = await ec2.send(new CreateInternetGatewayCommand({}));
      clock.tick(1000);
      const igwId = igw.InternetGateway?.InternetGatewayId as string;
      await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));

      // Act
      const err = await errorOf(() => ec2.send(new DeleteVpcCommand({ VpcId: vpcId })));
      const igwErr = await errorOf(() => ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: igwId })));
      await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId }));
      const again = await errorOf(() => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: igwId, VpcId: vpcId })));
      await ec2.send(new DeleteVpcCommand({ VpcId: vpcId }));

      // Assess
      expect(err.name).toBe('DependencyViolation');
      expect(igwErr.name).toBe('DependencyViolation');
      expect(again.name).toBe('Gateway.NotAttached');
    });
  });

  it('throws DependencyViolation on DeleteSubnet until its instance is terminated (not shutting-down)', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.privateSubnetId, net.securityGroupId);
    clock.tick(20_000);

    // Act
    const whileRunning = await errorOf(() => ec2.send(new DeleteSubnetCommand({ SubnetId: net.privateSubnetId })));
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    clock.tick(29_000);
    const whileShuttingDown = await errorOf(() => ec2.send(new DeleteSubnetCommand({ SubnetId: net.privateSubnetId })));
    clock.tick(1000);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: net.privateSubnetId }));

    // Assess
    expect(whileRunning.name).toBe('DependencyViolation');
    expect(whileShuttingDown.name).toBe('DependencyViolation');
    expect(cloud.inventory().some((item) => item.id === net.privateSubnetId)).toBe(false);
  });

  it('throws DependencyViolation on DeleteSubnet while its NAT gateway is deleting', async () => {
    // Prepare
    const { natGatewayId, privateAssociationId, privateRouteTableId } = await addNat(ec2, clock, net);
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: privateAssociationId }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: privateRouteTableId }));
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: net.publicAssociationId }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId }));

    // Act
    const whileDeleting = await errorOf(() => ec2.send(new DeleteSubnetCommand({ SubnetId: net.publicSubnetId })));
    clock.tick(40_000);
    await ec2.send(new DeleteSubnetCommand({ SubnetId: net.publicSubnetId }));

    // Assess
    expect(whileDeleting.name).toBe('DependencyViolation');
    expect(cloud.inventory().some((item) => item.id === net.publicSubnetId)).toBe(false);
  });

  it('throws DependencyViolation on DeleteSecurityGroup while another group references it, until the rule is revoked', async () => {
    // Prepare
    const slave = await ec2.send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: 'slave', Description: 'slave' }));
    const rule = { IpProtocol: 'tcp', FromPort: 5050, ToPort: 5051, UserIdGroupPairs: [{ GroupId: slave.GroupId }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [rule] }));

    // Act
    const err = await errorOf(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: slave.GroupId })));
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [rule] }));
    const deleted = await ec2.send(new DeleteSecurityGroupCommand({ GroupId: slave.GroupId }));

    // Assess
    expect(err.name).toBe('DependencyViolation');
    expect(deleted.Return).toBe(true);
  });

  it('throws DependencyViolation on DeleteSecurityGroup while a non-terminated instance uses it', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));

    // Act
    const err = await errorOf(() => ec2.send(new DeleteSecurityGroupCommand({ GroupId: net.securityGroupId })));
    clock.tick(30_000);
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: net.securityGroupId }));
    const gone = await errorOf(() => ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [net.securityGroupId] })));

    // Assess
    expect(err.name).toBe('DependencyViolation');
    expect(gone.name).toBe('InvalidGroup.NotFound');
  });

  it('throws DependencyViolation on DetachInternetGateway while public addresses are mapped, then detaches', async () => {
    // Prepare
    const { natGatewayId } = await addNat(ec2, clock, net);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(100_000);
    const detach = () => ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: net.internetGatewayId, VpcId: net.vpcId }));

    // Act
    const withBoth = await errorOf(detach);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: ids }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId }));
    clock.tick(30_000);
    const withNatEip = await errorOf(detach);
    clock.tick(10_000);
    await detach();

    // Assess
    expect(withBoth.name).toBe('DependencyViolation');
    expect(withBoth.message).toContain('mapped public address');
    expect(withNatEip.name).toBe('DependencyViolation');
    expect(cloud.inventory().find((item) => item.id === net.internetGatewayId)?.state).toBe('detached');
  });

  it('refuses ReleaseAddress with InvalidIPAddress.InUse, then the misleading AuthFailure while the NAT is deleting', async () => {
    // Prepare
    const { natGatewayId, allocationId } = await addNat(ec2, clock, net);
    clock.tick(100_000);
    const release = () => ec2.send(new ReleaseAddressCommand({ AllocationId: allocationId }));

    // Act
    const inUse = await errorOf(release);
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: natGatewayId }));
    const deleting = await errorOf(release);
    clock.tick(40_000);
    await release();
    const again = await errorOf(release);

    // Assess
    expect([inUse.name, deleting.name, again.name]).toEqual(['InvalidIPAddress.InUse', 'AuthFailure', 'InvalidAllocationID.NotFound']);
  });

  it('throws DependencyViolation on DeleteRouteTable while associated, and for the main route table', async () => {
    // Prepare
    const main = await ec2.send(
      new DescribeRouteTablesCommand({
        Filters: [
          { Name: 'vpc-id', Values: [net.vpcId] },
          { Name: 'association.main', Values: ['true'] },
        ],
      })
    );

    // Act
    const associated = await errorOf(() => ec2.send(new DeleteRouteTableCommand({ RouteTableId: net.publicRouteTableId })));
    const mainErr = await errorOf(() => ec2.send(new DeleteRouteTableCommand({ RouteTableId: main.RouteTables?.[0]?.RouteTableId })));
    await ec2.send(new DisassociateRouteTableCommand({ AssociationId: net.publicAssociationId }));
    await ec2.send(new DeleteRouteTableCommand({ RouteTableId: net.publicRouteTableId }));

    // Assess
    expect(associated.name).toBe('DependencyViolation');
    expect(mainErr.name).toBe('DependencyViolation');
    expect(cloud.inventory().filter((item) => item.type === 'route-table')).toEqual([]);
  });

  it('throws InvalidSnapshot.InUse on DeleteSnapshot until the image is deregistered', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'baked' }));
    clock.tick(300_000);
    const image = await ec2.send(new DescribeImagesCommand({ ImageIds: [ImageId as string] }));
    const snapshotId = image.Images?.[0]?.BlockDeviceMappings?.[0]?.Ebs?.SnapshotId as string;

    // Act
    const inUse = await errorOf(() => ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId })));
    await ec2.send(new DeregisterImageCommand({ ImageId }));
    await ec2.send(new DeleteSnapshotCommand({ SnapshotId: snapshotId }));

    // Assess
    expect(inUse.name).toBe('InvalidSnapshot.InUse');
    expect(cloud.inventory().filter((item) => item.type === 'image' || item.type === 'snapshot')).toEqual([]);
  });

  it.each([
    ['DeleteVpc', () => new DeleteVpcCommand({ VpcId: 'vpc-0123456789abcdef0' }), 'InvalidVpcID.NotFound'],
    ['DeleteSubnet', () => new DeleteSubnetCommand({ SubnetId: 'subnet-0123456789abcdef0' }), 'InvalidSubnetID.NotFound'],
    ['DeleteNatGateway', () => new DeleteNatGatewayCommand({ NatGatewayId: 'nat-0123456789abcdef0' }), 'NatGatewayNotFound'],
    ['ReleaseAddress', () => new ReleaseAddressCommand({ AllocationId: 'eipalloc-0123456789abcdef0' }), 'InvalidAllocationID.NotFound'],
    ['DeleteSecurityGroup', () => new DeleteSecurityGroupCommand({ GroupId: 'sg-0123456789abcdef0' }), 'InvalidGroup.NotFound'],
    ['TerminateInstances', () => new TerminateInstancesCommand({ InstanceIds: ['i-0123456789abcdef0'] }), 'InvalidInstanceID.NotFound'],
    ['DeregisterImage', () => new DeregisterImageCommand({ ImageId: 'ami-0123456789abcdef0' }), 'InvalidAMIID.NotFound'],
    ['DeleteRouteTable', () => new DeleteRouteTableCommand({ RouteTableId: 'rtb-0123456789abcdef0' }), 'InvalidRouteTableID.NotFound'],
    [
      'DeleteInternetGateway',
      () => new DeleteInternetGatewayCommand({ InternetGatewayId: 'igw-0123456789abcdef0' }),
      'InvalidInternetGatewayID.NotFound',
    ],
    ['DeleteSnapshot', () => new DeleteSnapshotCommand({ SnapshotId: 'snap-0123456789abcdef0' }), 'InvalidSnapshot.NotFound'],
  ])('throws the NotFound code of %s for an unknown id', async (_op, command, code) => {
    // Act
    const err = await errorOf(() => ec2.send(command() as never));

    // Assess
    expect(err).toBeInstanceOf(EC2ServiceException);
    expect(err).toMatchObject({ name: code, Code: code, $fault: 'client', $metadata: { httpStatusCode: 400 } });
  });

  it('throws the duplicate codes that idempotent steps treat as success', async () => {
    // Prepare
    const rule = { IpProtocol: 'tcp', FromPort: 5050, ToPort: 5050, IpRanges: [{ CidrIp: '203.0.113.0/24' }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [rule] }));
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(20_000);
    await ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'baked' }));

    // Act
    const codes = [
      await errorOf(() => ec2.send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: 'c-1-master', Description: 'again' }))),
      await errorOf(() => ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [rule] }))),
      await errorOf(() =>
        ec2.send(
          new CreateRouteCommand({
            RouteTableId: net.publicRouteTableId,
            DestinationCidrBlock: '0.0.0.0/0',
            GatewayId: net.internetGatewayId,
          })
        )
      ),
      await errorOf(() => ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: net.internetGatewayId, VpcId: net.vpcId }))),
      await errorOf(() => ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'baked' }))),
    ].map((err) => err.name);

    // Assess
    expect(codes).toEqual([
      'InvalidGroup.Duplicate',
      'InvalidPermission.Duplicate',
      'RouteAlreadyExists',
      'Resource.AlreadyAssociated',
      'InvalidAMIName.Duplicate',
    ]);
  });

  it('throws InvalidParameterValue for RunInstances with an unknown instance profile', async () => {
    // Act
    const err = await errorOf(() =>
      ec2.send(
        new RunInstancesCommand({
          ImageId: UBUNTU_2404,
          MinCount: 1,
          MaxCount: 1,
          SubnetId: net.publicSubnetId,
          IamInstanceProfile: { Name: 'no-such-profile' },
        })
      )
    );

    // Assess
    expect(err.name).toBe('InvalidParameterValue');
    expect(err.message).toContain('iamInstanceProfile.name');
    expect(cloud.inventory().filter((item) => item.type === 'instance')).toEqual([]);
  });

  it('enforces the quotas of 5 Elastic IPs and 5 VPCs per Region', async () => {
    // Prepare
    for (let i = 0; i < 5; i++) await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
    for (let i = 0; i < 4; i++) await ec2.send(new CreateVpcCommand({ CidrBlock: `10.${i}.0.0/16` }));

    // Act
    const eip = await errorOf(() => ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    const vpc = await errorOf(() => ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' })));

    // Assess
    expect(eip.name).toBe('AddressLimitExceeded');
    expect(vpc.name).toBe('VpcLimitExceeded');
    expect(cloud.inventory().filter((item) => item.type === 'vpc')).toHaveLength(5);
  });

  it('tears a whole cluster down without error in the documented order, leaving nothing', async () => {
    // Prepare
    const nat = await addNat(ec2, clock, net);
    const slaveSg = await ec2.send(new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: 'slave', Description: 'slave' }));
    const crossRule = { IpProtocol: 'tcp', FromPort: 2181, ToPort: 2181, UserIdGroupPairs: [{ GroupId: slaveSg.GroupId }] };
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [crossRule] }));
    const masters = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const slaves = await launch(ec2, net.privateSubnetId, slaveSg.GroupId as string, { count: 3, role: 'slave' });
    clock.tick(120_000);

    // Act: instances and NAT, then EIP, route tables, gateway, security groups, subnets, VPC
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [...masters.ids, ...slaves.ids] }));
    await ec2.send(new DeleteNatGatewayCommand({ NatGatewayId: nat.natGatewayId }));
    clock.tick(40_000);
    await ec2.send(new ReleaseAddressCommand({ AllocationId: nat.allocationId }));
    for (const [association, table] of [
      [net.publicAssociationId, net.publicRouteTableId],
      [nat.privateAssociationId, nat.privateRouteTableId],
    ]) {
      await ec2.send(new DisassociateRouteTableCommand({ AssociationId: association }));
      await ec2.send(new DeleteRouteTableCommand({ RouteTableId: table }));
    }
    await ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId: net.internetGatewayId, VpcId: net.vpcId }));
    await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId: net.internetGatewayId }));
    await ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: net.securityGroupId, IpPermissions: [crossRule] }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: net.securityGroupId }));
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: slaveSg.GroupId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: net.publicSubnetId }));
    await ec2.send(new DeleteSubnetCommand({ SubnetId: net.privateSubnetId }));
    await ec2.send(new DeleteVpcCommand({ VpcId: net.vpcId }));

    // Assess
    expect(cloud.inventory()).toEqual([]);
    expect(cloud.calls.DeleteVpc).toBe(1);
  });
});
