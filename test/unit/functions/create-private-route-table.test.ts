import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  EC2Client,
  ReplaceRouteCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createPrivateRouteTableStep } from '../../../functions/create-private-route-table/create-private-route-table';
import { clientToken } from '../../../functions/shared/idempotency';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', natGatewayId: 'nat-1', subnetId: 'subnet-priv' };
const run = () => invokeStep(createPrivateRouteTableStep, input, { ec2: new EC2Client({}) });
const ZONES = ['a', 'b', 'c'].map((z) => ({
  availabilityZone: `eu-west-1${z}`,
  publicSubnetId: `subnet-pub-${z}`,
  privateSubnetId: `subnet-priv-${z}`,
}));

describe('create-private-route-table', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates the route table tagged with a ClientToken, routes 0.0.0.0/0 to the NAT gateway and associates the subnet', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-priv', Routes: [], Associations: [] } });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-2' });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-priv', routeTableIds: ['rtb-priv'] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteTableCommand, {
      VpcId: 'vpc-1',
      ClientToken: clientToken('c-1', 'create-private-route-table'),
      TagSpecifications: [
        {
          ResourceType: 'route-table',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'private-route-table' },
          ]),
        },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteCommand, {
      RouteTableId: 'rtb-priv',
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: 'nat-1',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-priv', SubnetId: 'subnet-priv' });
  });

  it('returns the complete route table found by tag on a re-run without changing it', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: 'rtb-priv',
          Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-1' }],
          Associations: [{ SubnetId: 'subnet-priv' }],
        },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-priv', routeTableIds: ['rtb-priv'] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteTableCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(AssociateRouteTableCommand);
  });

  it('points the default route at the current NAT gateway when it leads to a replaced one', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: 'rtb-priv',
          Routes: [{ DestinationCidrBlock: '0.0.0.0/0', NatGatewayId: 'nat-old', State: 'blackhole' }],
          Associations: [{ SubnetId: 'subnet-priv' }],
        },
      ],
    });
    ec2Mock.on(ReplaceRouteCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-priv', routeTableIds: ['rtb-priv'] });
    expect(ec2Mock).toHaveReceivedCommandWith(ReplaceRouteCommand, {
      RouteTableId: 'rtb-priv',
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: 'nat-1',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteCommand);
  });

  it('treats RouteAlreadyExists as success', async () => {
    // Prepare
    ec2Mock
      .on(DescribeRouteTablesCommand)
      .resolves({ RouteTables: [{ RouteTableId: 'rtb-priv', Associations: [{ SubnetId: 'subnet-priv' }] }] });
    ec2Mock.on(CreateRouteCommand).rejects(awsError('RouteAlreadyExists'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-priv', routeTableIds: ['rtb-priv'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteCommand, 1);
  });

  it('throws RetryableError when the NAT gateway is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-priv' } });
    ec2Mock.on(CreateRouteCommand).rejects(awsError('InvalidNatGatewayID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('routes every private subnet through the one NAT gateway of natGateways single, with one table', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-priv', Routes: [], Associations: [] } });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-2' });
    // Act
    const result = await invokeStep(
      createPrivateRouteTableStep,
      {
        clusterId: 'c-1',
        clusterName: 'demo',
        vpcId: 'vpc-1',
        zones: ZONES,
        nats: [{ availabilityZone: 'eu-west-1a', natGatewayId: 'nat-a' }],
      },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-priv', routeTableIds: ['rtb-priv'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteTableCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteCommand, { RouteTableId: 'rtb-priv', NatGatewayId: 'nat-a' });
    for (const zone of ZONES) {
      expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-priv', SubnetId: zone.privateSubnetId });
    }
  });

  it('gives each zone its own table through its own NAT gateway with natGateways perAz', async () => {
    // Prepare
    const nats = ZONES.map((z) => ({ availabilityZone: z.availabilityZone, natGatewayId: `nat-${z.availabilityZone.slice(-1)}` }));
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).callsFake((call: { TagSpecifications: { Tags: { Key: string; Value: string }[] }[] }) => {
      const zone = call.TagSpecifications[0]?.Tags.find((t) => t.Key === 'mesos-cluster:zone')?.Value ?? '';
      return { RouteTable: { RouteTableId: `rtb-${zone.slice(-1)}`, Routes: [], Associations: [] } };
    });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-x' });
    // Act
    const result = await invokeStep(
      createPrivateRouteTableStep,
      { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', zones: ZONES, nats },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-a', routeTableIds: ['rtb-a', 'rtb-b', 'rtb-c'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['private-route-table'] },
        { Name: 'tag:mesos-cluster:zone', Values: ['eu-west-1b'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteTableCommand, {
      ClientToken: clientToken('c-1', 'create-private-route-table/eu-west-1b'),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteCommand, { RouteTableId: 'rtb-b', NatGatewayId: 'nat-b' });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-c', SubnetId: 'subnet-priv-c' });
    expect(ec2Mock).toHaveReceivedCommandTimes(AssociateRouteTableCommand, 3);
  });

  it('throws FatalError when a zone has no NAT gateway of its own', async () => {
    // Prepare
    const nats = [
      { availabilityZone: 'eu-west-1a', natGatewayId: 'nat-a' },
      { availabilityZone: 'eu-west-1b', natGatewayId: 'nat-b' },
    ];
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-x', Routes: [], Associations: [] } });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-x' });
    // Act / Assess
    await expect(
      invokeStep(
        createPrivateRouteTableStep,
        { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', zones: ZONES, nats },
        { ec2: new EC2Client({}) }
      )
    ).rejects.toMatchObject({ name: 'FatalError', message: 'create-private-route-table: no NAT gateway for zone eu-west-1c' });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('RequestLimitExceeded') });
  });
});
