import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeAddressesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeInternetGatewaysCommand,
  DescribeNatGatewaysCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSnapshotsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { listClusterResources } from '../../../functions/shared/cluster-resources';
import { invokeStep } from '../../../functions/shared/step';
import { verifyDeletedStep } from '../../../functions/verify-deleted/verify-deleted';

const ec2Mock = mockClient(EC2Client);
const cloudwatchMock = mockClient(CloudWatchClient);
const ssmMock = mockClient(SSMClient);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const clients = () => ({ ec2: new EC2Client({}), cloudwatch: new CloudWatchClient({}), ssm: new SSMClient({}) });
const run = () => invokeStep(verifyDeletedStep, input, clients());
const TAG_FILTER = { Name: 'tag:mesos-cluster:id', Values: ['c-1'] };

/** Every Describe answers "nothing"; a test then overrides the ones it needs. */
function emptyCloud(): void {
  ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
  cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [] });
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
  ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
  ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
  ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
  ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
}

describe('verify-deleted', () => {
  beforeEach(() => {
    ec2Mock.reset();
    cloudwatchMock.reset();
    ssmMock.reset();
    emptyCloud();
  });

  it('returns an empty list when nothing tagged with the cluster is left', async () => {
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ remaining: [] });
    expect(cloudwatchMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNamePrefix: 'mesos-cluster-c-1-' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [TAG_FILTER, { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
      Filter: [TAG_FILTER, { Name: 'state', Values: ['pending', 'available', 'deleting', 'failed'] }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Owners: ['self'], Filters: [TAG_FILTER] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { OwnerIds: ['self'], Filters: [TAG_FILTER] });
    for (const command of [
      DescribeAddressesCommand,
      DescribeRouteTablesCommand,
      DescribeInternetGatewaysCommand,
      DescribeSecurityGroupsCommand,
      DescribeSubnetsCommand,
      DescribeVpcsCommand,
    ]) {
      expect(ec2Mock).toHaveReceivedCommandWith(command, { Filters: [TAG_FILTER] });
    }
  });

  it('throws FatalError listing each leftover with its type and state', async () => {
    // Prepare
    cloudwatchMock.on(DescribeAlarmsCommand).resolves({ MetricAlarms: [{ AlarmName: 'mesos-cluster-c-1-scale-out', StateValue: 'OK' }] });
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] }] });
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-1' }] });
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ RouteTableId: 'rtb-main', Associations: [{ Main: true }] }] });
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1', State: 'available' }] });
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'FatalError',
      message:
        'verify-deleted: 5 resources left: mesos-cluster-c-1-scale-out (alarm, OK), i-1 (instance, shutting-down), ' +
        'eipalloc-1 (elastic-ip, unassociated), rtb-main (route-table, main), vpc-1 (vpc, available)',
    });
  });

  it('lists at most 20 leftovers and counts the rest', async () => {
    // Prepare
    const snapshots = Array.from({ length: 23 }, (_, i) => ({ SnapshotId: `snap-${i}`, State: 'completed' as const }));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: snapshots });
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(
        /^verify-deleted: 23 resources left: snap-0 \(snapshot, completed\), .*snap-19 \(snapshot, completed\), and 3 more$/
      ),
    });
  });
});

describe('listClusterResources', () => {
  beforeEach(() => {
    ec2Mock.reset();
    cloudwatchMock.reset();
    emptyCloud();
  });

  it('lists every live resource of the cluster in teardown order', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'deleting' }] });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-1', State: 'available' }] });
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({
      InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'attached' }] }],
    });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', State: 'available' }] });
    const claimName = `/mesos-cluster/image-bakes/${'ab'.repeat(32)}/000001`;
    ssmMock.on(GetParametersByPathCommand).resolves({
      Parameters: [
        {
          Name: claimName,
          Value: JSON.stringify({
            clusterId: 'c-1',
            clusterName: 'demo',
            claimedAt: '2020-01-01T00:00:00.000Z',
            expiresAt: '2020-01-01T01:00:00.000Z',
          }),
        },
      ],
    });
    // Act
    const resources = await listClusterResources('c-1', clients());
    // Assess
    expect(resources).toEqual([
      { id: 'nat-1', type: 'nat-gateway', state: 'deleting' },
      { id: 'ami-1', type: 'image', state: 'available' },
      { id: 'igw-1', type: 'internet-gateway', state: 'attached' },
      { id: 'sg-1', type: 'security-group', state: 'exists' },
      { id: 'subnet-1', type: 'subnet', state: 'available' },
      { id: claimName, type: 'image-bake-claim', state: 'expired' },
    ]);
  });
});
