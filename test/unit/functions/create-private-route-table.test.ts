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
    expect(result).toEqual({ routeTableId: 'rtb-priv' });
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
    expect(result).toEqual({ routeTableId: 'rtb-priv' });
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
    expect(result).toEqual({ routeTableId: 'rtb-priv' });
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
    expect(result).toEqual({ routeTableId: 'rtb-priv' });
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

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('RequestLimitExceeded') });
  });
});
