import {
  AssociateRouteTableCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createPublicRouteTableStep } from '../../../functions/create-public-route-table/create-public-route-table';
import { clientToken } from '../../../functions/shared/idempotency';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', internetGatewayId: 'igw-1', subnetId: 'subnet-pub' };
const run = () => invokeStep(createPublicRouteTableStep, input, { ec2: new EC2Client({}) });
const localRoute = { DestinationCidrBlock: '172.28.128.0/22', GatewayId: 'local' };

describe('create-public-route-table', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates the route table tagged with a ClientToken, routes 0.0.0.0/0 to the internet gateway and associates the subnet', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-pub', Routes: [localRoute], Associations: [] } });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-1' });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-pub', routeTableIds: ['rtb-pub'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['public-route-table'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteTableCommand, {
      VpcId: 'vpc-1',
      ClientToken: clientToken('c-1', 'create-public-route-table'),
      TagSpecifications: [
        {
          ResourceType: 'route-table',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'public-route-table' },
          ]),
        },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteCommand, {
      RouteTableId: 'rtb-pub',
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: 'igw-1',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-pub', SubnetId: 'subnet-pub' });
  });

  it('associates the one public route table with the public subnet of every zone', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-pub', Routes: [localRoute], Associations: [] } });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-1' });
    const subnetIds = ['subnet-a', 'subnet-b', 'subnet-c'];
    // Act
    const result = await invokeStep(
      createPublicRouteTableStep,
      { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', internetGatewayId: 'igw-1', subnetIds },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-pub', routeTableIds: ['rtb-pub'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteTableCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(AssociateRouteTableCommand, 3);
    for (const SubnetId of subnetIds)
      expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-pub', SubnetId });
  });

  it('returns the complete route table found by tag on a re-run without changing it', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({
      RouteTables: [
        {
          RouteTableId: 'rtb-pub',
          Routes: [localRoute, { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }],
          Associations: [{ RouteTableAssociationId: 'rtbassoc-1', SubnetId: 'subnet-pub' }],
        },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-pub', routeTableIds: ['rtb-pub'] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteTableCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(AssociateRouteTableCommand);
  });

  it('completes a route table that an earlier run left without route and association', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ RouteTableId: 'rtb-pub', Routes: [localRoute], Associations: [] }] });
    ec2Mock.on(CreateRouteCommand).resolves({ Return: true });
    ec2Mock.on(AssociateRouteTableCommand).resolves({ AssociationId: 'rtbassoc-1' });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-pub', routeTableIds: ['rtb-pub'] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateRouteTableCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateRouteCommand, { RouteTableId: 'rtb-pub', GatewayId: 'igw-1' });
    expect(ec2Mock).toHaveReceivedCommandWith(AssociateRouteTableCommand, { RouteTableId: 'rtb-pub', SubnetId: 'subnet-pub' });
  });

  it('treats RouteAlreadyExists and Resource.AlreadyAssociated as success', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-pub' } });
    ec2Mock.on(CreateRouteCommand).rejects(awsError('RouteAlreadyExists'));
    ec2Mock.on(AssociateRouteTableCommand).rejects(awsError('Resource.AlreadyAssociated'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ routeTableId: 'rtb-pub', routeTableIds: ['rtb-pub'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateRouteCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(AssociateRouteTableCommand, 1);
  });

  it('throws RetryableError when the new route table is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).resolves({ RouteTable: { RouteTableId: 'rtb-pub' } });
    ec2Mock.on(CreateRouteCommand).rejects(awsError('InvalidRouteTableID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^create-public-route-table: route table rtb-pub/),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(AssociateRouteTableCommand);
  });

  it('throws FatalError when the route table quota is used up', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    ec2Mock.on(CreateRouteTableCommand).rejects(awsError('RouteTableLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('RouteTableLimitExceeded') });
  });
});
