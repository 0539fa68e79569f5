import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Instance,
  type Tag,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { clusterView, viewText } from '../../../cli/view';
import { describeCluster, describedResourceIds } from '../../../functions/shared/describe-cluster';

const ec2Mock = mockClient(EC2Client);
const ID = 'green-4d5e6f';
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];
const tags = (role: string, extra: Tag[] = []): Tag[] => [
  { Key: 'mesos-cluster:id', Value: ID },
  { Key: 'mesos-cluster:name', Value: 'green' },
  { Key: 'mesos-cluster:role', Value: role },
  ...extra,
];
const zoneTag = (zone: string): Tag => ({ Key: 'mesos-cluster:zone', Value: zone });
const letter = (zone: string) => zone.slice(-1);
const byTag = [{ Name: 'tag:mesos-cluster:id', Values: [ID] }];

function instance(id: string, role: string, zone: string, ip: string, publicIp?: string): Instance {
  return {
    InstanceId: id,
    LaunchTime: new Date(10),
    PrivateIpAddress: ip,
    PublicIpAddress: publicIp,
    Placement: { AvailabilityZone: zone },
    Tags: tags(role),
  };
}

beforeEach(() => {
  ec2Mock.reset();
  // A 3-zone cluster with a NAT gateway per zone, reusing the image baked by cluster blue.
  ec2Mock.on(DescribeVpcsCommand).resolves({
    Vpcs: [{ VpcId: 'vpc-2', CidrBlock: '172.28.128.0/22', Tags: tags('vpc', [{ Key: 'mesos-cluster:slave-image', Value: 'ami-blue' }]) }],
  });
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: ZONES.flatMap((zone, i) => [
      {
        SubnetId: `subnet-pub-${letter(zone)}`,
        CidrBlock: `172.28.131.${128 + 16 * i}/28`,
        AvailabilityZone: zone,
        Tags: tags('public-subnet', [zoneTag(zone)]),
      },
      {
        SubnetId: `subnet-priv-${letter(zone)}`,
        CidrBlock: ['172.28.128.0/25', '172.28.128.128/25', '172.28.129.0/25'][i],
        AvailabilityZone: zone,
        Tags: tags('private-subnet', [zoneTag(zone)]),
      },
    ]),
  });
  ec2Mock
    .on(DescribeInternetGatewaysCommand)
    .resolves({ InternetGateways: [{ InternetGatewayId: 'igw-2', Tags: tags('internet-gateway') }] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      { RouteTableId: 'rtb-pub', Tags: tags('public-route-table') },
      ...ZONES.map((zone) => ({
        RouteTableId: `rtb-${letter(zone)}`,
        Associations: [{ SubnetId: `subnet-priv-${letter(zone)}` }],
        Tags: tags('private-route-table', [zoneTag(zone)]),
      })),
    ],
  });
  ec2Mock.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: ZONES.map((zone) => ({
      NatGatewayId: `nat-${letter(zone)}`,
      State: 'available' as const,
      SubnetId: `subnet-pub-${letter(zone)}`,
      CreateTime: new Date(2),
      Tags: tags('nat-gateway', [zoneTag(zone)]),
    })),
  });
  ec2Mock.on(DescribeAddressesCommand).resolves({
    Addresses: ZONES.map((zone, i) => ({
      AllocationId: `eipalloc-${letter(zone)}`,
      PublicIp: `52.0.0.${i + 1}`,
      Tags: tags('nat-eip', [zoneTag(zone)]),
    })),
  });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: 'sg-m', Tags: tags('master-sg') },
      { GroupId: 'sg-s', Tags: tags('slave-sg') },
    ],
  });
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [
      {
        Instances: [
          instance('i-m1', 'master', 'eu-west-1a', '172.28.131.132', '34.0.0.1'),
          instance('i-m2', 'master', 'eu-west-1b', '172.28.131.148', '34.0.0.2'),
          instance('i-m3', 'master', 'eu-west-1c', '172.28.131.164', '34.0.0.3'),
          instance('i-s1', 'slave', 'eu-west-1a', '172.28.128.4'),
          instance('i-s2', 'slave', 'eu-west-1b', '172.28.128.132'),
        ],
      },
    ],
  });
  ec2Mock.on(DescribeImagesCommand, { Owners: ['self'], Filters: byTag }).resolves({ Images: [] });
  ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-blue'] }).resolves({
    Images: [
      {
        ImageId: 'ami-blue',
        State: 'available',
        BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-blue' } }],
        Tags: [
          { Key: 'mesos-cluster:id', Value: 'blue-1a2b3c' },
          { Key: 'mesos-cluster:baked-by', Value: 'blue-1a2b3c' },
          { Key: 'mesos-cluster:image-hash', Value: 'f'.repeat(64) },
        ],
      },
    ],
  });
});

describe('describeCluster of a multi-zone cluster', () => {
  it('describes each zone with its subnets, NAT gateway, private route table and nodes', async () => {
    // Act
    const d = await describeCluster(ID, { ec2: new EC2Client({}) });

    // Assess
    expect(d.zones).toEqual([
      {
        availabilityZone: 'eu-west-1a',
        publicSubnet: { id: 'subnet-pub-a', cidr: '172.28.131.128/28', availabilityZone: 'eu-west-1a' },
        privateSubnet: { id: 'subnet-priv-a', cidr: '172.28.128.0/25', availabilityZone: 'eu-west-1a' },
        natGatewayId: 'nat-a',
        privateRouteTableId: 'rtb-a',
        masters: 1,
        slaves: 1,
      },
      expect.objectContaining({
        availabilityZone: 'eu-west-1b',
        natGatewayId: 'nat-b',
        privateRouteTableId: 'rtb-b',
        masters: 1,
        slaves: 1,
      }),
      expect.objectContaining({
        availabilityZone: 'eu-west-1c',
        natGatewayId: 'nat-c',
        privateRouteTableId: 'rtb-c',
        masters: 1,
        slaves: 0,
      }),
    ]);
    expect(d.natGateways.map((n) => [n.id, n.availabilityZone])).toEqual([
      ['nat-a', 'eu-west-1a'],
      ['nat-b', 'eu-west-1b'],
      ['nat-c', 'eu-west-1c'],
    ]);
    expect(d.privateRouteTables).toEqual(['rtb-a', 'rtb-b', 'rtb-c']);
    expect(d.elasticIps).toHaveLength(3);
    expect(d.subnets.public?.id).toBe('subnet-pub-a');
  });

  it('shows a reused slave image, found through the VPC, and leaves it out of what a teardown deletes', async () => {
    // Act
    const d = await describeCluster(ID, { ec2: new EC2Client({}) });

    // Assess
    expect(d.imageId).toBe('ami-blue');
    expect(d.image).toEqual({
      id: 'ami-blue',
      state: 'available',
      hash: 'f'.repeat(64),
      reused: true,
      bakedBy: 'blue-1a2b3c',
      owner: 'blue-1a2b3c',
    });
    expect(d.snapshotIds).toEqual([]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { ImageIds: ['ami-blue'] });
    const ids = describedResourceIds(d);
    expect(ids).not.toContain('ami-blue');
    expect(ids).toEqual(expect.arrayContaining(['subnet-pub-c', 'subnet-priv-c', 'nat-b', 'nat-c', 'rtb-b', 'rtb-c', 'eipalloc-c']));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('prints one line per zone, the NAT gateways and where the slave image came from', async () => {
    // Prepare
    const d = await describeCluster(ID, { ec2: new EC2Client({}) });

    // Act
    const text = viewText(clusterView(undefined, d));

    // Assess
    expect(text).toMatch(/^zones\s+eu-west-1a: public 172\.28\.131\.128\/28, private 172\.28\.128\.0\/25, nat nat-a, 1 master, 1 slave$/m);
    expect(text).toMatch(/^\s+eu-west-1c: public 172\.28\.131\.160\/28, private 172\.28\.129\.0\/25, nat nat-c, 1 master, 0 slaves$/m);
    expect(text).toMatch(/^nat gateways\s+nat-a available eu-west-1a, nat-b available eu-west-1b, nat-c available eu-west-1c$/m);
    expect(text).toMatch(/^slave image\s+ami-blue recipe ffffffffffff \(reused from blue-1a2b3c\)$/m);
    expect(text).not.toMatch(/^public subnet/m);
  });
});
