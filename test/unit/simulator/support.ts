/**
 * Shared set-up of the simulator tests: a fake clock, and a cluster network built
 * through the real SDK clients of a simulated cloud.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  type EC2Client,
  ModifySubnetAttributeCommand,
  type ResourceType,
  RunInstancesCommand,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import FakeTimers from '@sinonjs/fake-timers';
import { PUBLIC_IMAGES } from '../../../simulator';

/** The fake clock of a test. */
export type InstalledClock = ReturnType<typeof FakeTimers.install>;

/** Virtual start time of every test. */
export const T0 = Date.UTC(2026, 0, 1, 8, 0, 0);

export const UBUNTU_2404 = PUBLIC_IMAGES['24.04']?.imageId as string;

export const PROFILE = 'mesos-cluster-node';

/** Fakes Date and the timers at T0. */
export function installClock(now = T0): InstalledClock {
  return FakeTimers.install({
    now,
    toFake: ['Date', 'setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'],
  });
}

/** Cluster tags for one resource type. */
export function tags(resourceType: string, clusterId = 'c-1', role = 'test'): TagSpecification[] {
  return [
    {
      ResourceType: resourceType as ResourceType,
      Tags: [
        { Key: 'mesos-cluster:id', Value: clusterId },
        { Key: 'mesos-cluster:role', Value: role },
      ],
    },
  ];
}

export interface Network {
  vpcId: string;
  publicSubnetId: string;
  privateSubnetId: string;
  internetGatewayId: string;
  publicRouteTableId: string;
  publicAssociationId: string;
  securityGroupId: string;
}

/**
 * VPC, public subnet (public IPs on launch) routed through an attached internet
 * gateway, private subnet, one security group. Ticks past the consistency window where
 * the next call references a new id.
 */
export async function buildNetwork(ec2: EC2Client, clock: InstalledClock, clusterId = 'c-1'): Promise<Network> {
  const vpc = await ec2.send(new CreateVpcCommand({ CidrBlock: '172.28.128.0/22', TagSpecifications: tags('vpc', clusterId, 'vpc') }));
  const vpcId = vpc.Vpc?.VpcId as string;
  const pub = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '172.28.128.0/24', TagSpecifications: tags('subnet', clusterId, 'public-subnet') })
  );
  const priv = await ec2.send(
    new CreateSubnetCommand({ VpcId: vpcId, CidrBlock: '172.28.129.0/24', TagSpecifications: tags('subnet', clusterId, 'private-subnet') })
  );
  const igw = await ec2.send(
    new CreateInternetGatewayCommand({ TagSpecifications: tags('internet-gateway', clusterId, 'internet-gateway') })
  );
  const rt = await ec2.send(
    new CreateRouteTableCommand({ VpcId: vpcId, TagSpecifications: tags('route-table', clusterId, 'public-route-table') })
  );
  const sg = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: vpcId,
      GroupName: `${clusterId}-master`,
      Description: 'master',
      TagSpecifications: tags('security-group', clusterId, 'master-sg'),
    })
  );
  clock.tick(1000);
  const publicSubnetId = pub.Subnet?.SubnetId as string;
  const internetGatewayId = igw.InternetGateway?.InternetGatewayId as string;
  const publicRouteTableId = rt.RouteTable?.RouteTableId as string;
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));
  await ec2.send(new ModifySubnetAttributeCommand({ SubnetId: publicSubnetId, MapPublicIpOnLaunch: { Value: true } }));
  await ec2.send(
    new CreateRouteCommand({ RouteTableId: publicRouteTableId, DestinationCidrBlock: '0.0.0.0/0', GatewayId: internetGatewayId })
  );
  const association = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: publicRouteTableId, SubnetId: publicSubnetId }));
  return {
    vpcId,
    publicSubnetId,
    privateSubnetId: priv.Subnet?.SubnetId as string,
    internetGatewayId,
    publicRouteTableId,
    publicAssociationId: association.AssociationId as string,
    securityGroupId: sg.GroupId as string,
  };
}

/** EIP + NAT gateway in the public subnet, and the private subnet routed through it. */
export async function addNat(
  ec2: EC2Client,
  clock: InstalledClock,
  net: Network
): Promise<{ allocationId: string; natGatewayId: string; privateRouteTableId: string; privateAssociationId: string }> {
  const eip = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: tags('elastic-ip') }));
  const nat = await ec2.send(
    new CreateNatGatewayCommand({ SubnetId: net.publicSubnetId, AllocationId: eip.AllocationId, TagSpecifications: tags('natgateway') })
  );
  const rt = await ec2.send(new CreateRouteTableCommand({ VpcId: net.vpcId, TagSpecifications: tags('route-table') }));
  clock.tick(1000);
  const natGatewayId = nat.NatGateway?.NatGatewayId as string;
  const privateRouteTableId = rt.RouteTable?.RouteTableId as string;
  await ec2.send(
    new CreateRouteCommand({ RouteTableId: privateRouteTableId, DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: natGatewayId })
  );
  const association = await ec2.send(new AssociateRouteTableCommand({ RouteTableId: privateRouteTableId, SubnetId: net.privateSubnetId }));
  return {
    allocationId: eip.AllocationId as string,
    natGatewayId,
    privateRouteTableId,
    privateAssociationId: association.AssociationId as string,
  };
}

/** Launches `count` instances and returns their ids and private IPs. */
export async function launch(
  ec2: EC2Client,
  subnetId: string,
  securityGroupId: string,
  opts: { count?: number; profile?: string | null; imageId?: string; userData?: string; clientToken?: string; role?: string } = {}
): Promise<{ ids: string[]; ips: string[] }> {
  const profile = opts.profile === undefined ? PROFILE : opts.profile;
  const out = await ec2.send(
    new RunInstancesCommand({
      ImageId: opts.imageId ?? UBUNTU_2404,
      InstanceType: 't3.medium',
      MinCount: opts.count ?? 1,
      MaxCount: opts.count ?? 1,
      SubnetId: subnetId,
      SecurityGroupIds: [securityGroupId],
      IamInstanceProfile: profile ? { Name: profile } : undefined,
      UserData: opts.userData === undefined ? undefined : Buffer.from(opts.userData).toString('base64'),
      ClientToken: opts.clientToken,
      TagSpecifications: [...tags('instance', 'c-1', opts.role ?? 'master'), ...tags('volume', 'c-1', opts.role ?? 'master')],
    })
  );
  const instances = out.Instances ?? [];
  return { ids: instances.map((i) => i.InstanceId as string), ips: instances.map((i) => i.PrivateIpAddress as string) };
}

/** Runs `fn` and returns the error it rejects with (fails the test when it resolves). */
export async function errorOf(
  fn: () => Promise<unknown>
): Promise<Error & { $fault?: string; $metadata?: { httpStatusCode?: number; attempts?: number } }> {
  try {
    await fn();
  } catch (err) {
    return err as Error;
  }
  throw new Error('expected the call to fail');
}
