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
  type Tag,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import {
  describeCluster,
  describedResourceIds,
  findClusterIdsByName,
  isEmptyDescription,
} from '../../../functions/shared/describe-cluster';

const ec2Mock = mockClient(EC2Client);
const ID = 'blue-1a2b3c';
const tags = (role: string, extra: Tag[] = []): Tag[] => [
  { Key: 'mesos-cluster:id', Value: ID },
  { Key: 'mesos-cluster:name', Value: 'blue' },
  { Key: 'mesos-cluster:role', Value: role },
  ...extra,
];
const byTag = [{ Name: 'tag:mesos-cluster:id', Values: [ID] }];

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeVpcsCommand).resolves({
    Vpcs: [
      { VpcId: 'vpc-1', CidrBlock: '172.28.128.0/22', Tags: tags('vpc', [{ Key: 'mesos-cluster:status', Value: 'CREATE_COMPLETE' }]) },
    ],
  });
  ec2Mock.on(DescribeSubnetsCommand).resolves({
    Subnets: [
      { SubnetId: 'subnet-pub', CidrBlock: '172.28.128.0/24', AvailabilityZone: 'eu-west-1a', Tags: tags('public-subnet') },
      { SubnetId: 'subnet-priv', CidrBlock: '172.28.129.0/24', AvailabilityZone: 'eu-west-1a', Tags: tags('private-subnet') },
    ],
  });
  ec2Mock
    .on(DescribeInternetGatewaysCommand)
    .resolves({ InternetGateways: [{ InternetGatewayId: 'igw-1', Tags: tags('internet-gateway') }] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({
    RouteTables: [
      { RouteTableId: 'rtb-pub', Tags: tags('public-route-table') },
      { RouteTableId: 'rtb-priv', Tags: tags('private-route-table') },
    ],
  });
  ec2Mock.on(DescribeNatGatewaysCommand).resolves({
    NatGateways: [
      { NatGatewayId: 'nat-old', State: 'deleted', CreateTime: new Date(1), Tags: tags('nat-gateway') },
      { NatGatewayId: 'nat-1', State: 'available', CreateTime: new Date(2), Tags: tags('nat-gateway') },
    ],
  });
  ec2Mock
    .on(DescribeAddressesCommand)
    .resolves({ Addresses: [{ AllocationId: 'eipalloc-1', PublicIp: '52.0.0.1', Tags: tags('nat-eip') }] });
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
          {
            InstanceId: 'i-s2',
            AmiLaunchIndex: 1,
            LaunchTime: new Date(10),
            PrivateIpAddress: '172.28.129.5',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            Tags: tags('slave'),
          },
          {
            InstanceId: 'i-s1',
            AmiLaunchIndex: 0,
            LaunchTime: new Date(10),
            PrivateIpAddress: '172.28.129.4',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            Tags: tags('slave'),
          },
          {
            InstanceId: 'i-m1',
            LaunchTime: new Date(5),
            PrivateIpAddress: '172.28.128.5',
            PublicIpAddress: '34.0.0.1',
            Placement: { AvailabilityZone: 'eu-west-1a' },
            Tags: tags('master'),
          },
        ],
      },
    ],
  });
  ec2Mock.on(DescribeImagesCommand).resolves({
    Images: [{ ImageId: 'ami-1', State: 'available', BlockDeviceMappings: [{ Ebs: { SnapshotId: 'snap-1' } }], Tags: tags('slave-image') }],
  });
});

describe('describeCluster', () => {
  it('describes every resource of the cluster from filtered Describe calls', async () => {
    // Act
    const d = await describeCluster(ID, { ec2: new EC2Client({}) });

    // Assess
    expect(d).toMatchObject({
      id: ID,
      name: 'blue',
      statusTag: 'CREATE_COMPLETE',
      vpc: { id: 'vpc-1', cidr: '172.28.128.0/22' },
      subnets: {
        public: { id: 'subnet-pub', cidr: '172.28.128.0/24', availabilityZone: 'eu-west-1a' },
        private: { id: 'subnet-priv', cidr: '172.28.129.0/24', availabilityZone: 'eu-west-1a' },
      },
      internetGateway: { id: 'igw-1' },
      routeTables: { public: 'rtb-pub', private: 'rtb-priv' },
      natGateway: { id: 'nat-1', state: 'available' },
      elasticIp: { allocationId: 'eipalloc-1', publicIp: '52.0.0.1' },
      securityGroups: { master: 'sg-m', slave: 'sg-s' },
      masters: [{ instanceId: 'i-m1', availabilityZone: 'eu-west-1a', privateIp: '172.28.128.5', publicIp: '34.0.0.1' }],
      slaves: [
        { instanceId: 'i-s1', availabilityZone: 'eu-west-1a', privateIp: '172.28.129.4' },
        { instanceId: 'i-s2', availabilityZone: 'eu-west-1a', privateIp: '172.28.129.5' },
      ],
      imageId: 'ami-1',
      snapshotIds: ['snap-1'],
      mesosUrl: 'http://34.0.0.1:5050',
      marathonUrl: 'http://34.0.0.1:8080',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: byTag });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { Filter: byTag });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Owners: ['self'], Filters: byTag });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [...byTag, { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] }],
    });
    for (const call of ec2Mock.calls()) {
      const input = call.args[0].input as { Filters?: unknown[]; Filter?: unknown[] };
      expect(input.Filters ?? input.Filter).toEqual(expect.arrayContaining([byTag[0]]));
    }
    expect(describedResourceIds(d)).toHaveLength(15);
  });

  it('describes a deleted cluster as empty', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(DescribeSubnetsCommand).resolves({});
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({});
    ec2Mock.on(DescribeRouteTablesCommand).resolves({});
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'deleted' }] });
    ec2Mock.on(DescribeAddressesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    ec2Mock.on(DescribeImagesCommand).resolves({});

    // Act
    const d = await describeCluster(ID, { ec2: new EC2Client({}) });

    // Assess
    expect(d).toMatchObject({ vpc: null, natGateway: null, masters: [], slaves: [], mesosUrl: null, name: null });
    expect(isEmptyDescription(d)).toBe(true);
  });
});

describe('findClusterIdsByName', () => {
  it('returns the ids of the clusters whose VPC carries the name', async () => {
    // Act
    const ids = await findClusterIdsByName('blue', { ec2: new EC2Client({}) });

    // Assess
    expect(ids).toEqual([ID]);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:name', Values: ['blue'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
  });
});
