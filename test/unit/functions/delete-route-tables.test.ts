import { DeleteRouteTableCommand, DescribeRouteTablesCommand, DisassociateRouteTableCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteRouteTablesStep } from '../../../functions/delete-route-tables/delete-route-tables';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteRouteTablesStep, input, { ec2: new EC2Client({}) });
const publicTable = {
  RouteTableId: 'rtb-public',
  Associations: [
    {
      RouteTableAssociationId: 'rtbassoc-public',
      SubnetId: 'subnet-public',
      Main: false,
      AssociationState: { State: 'associated' as const },
    },
  ],
};
const privateTable = {
  RouteTableId: 'rtb-private',
  Associations: [{ RouteTableAssociationId: 'rtbassoc-private', SubnetId: 'subnet-private', Main: false }],
};
const mainTable = { RouteTableId: 'rtb-main', Associations: [{ RouteTableAssociationId: 'rtbassoc-main', Main: true }] };

describe('delete-route-tables', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('disassociates each subnet before deleting its table and leaves the main table to the VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [publicTable, privateTable, mainTable] });
    ec2Mock.on(DisassociateRouteTableCommand).resolves({});
    ec2Mock.on(DeleteRouteTableCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['rtb-public', 'rtb-private'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeRouteTablesCommand, { Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }] });
    const calls = ec2Mock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
    expect(calls.slice(1)).toEqual([
      ['DisassociateRouteTableCommand', { AssociationId: 'rtbassoc-public' }],
      ['DeleteRouteTableCommand', { RouteTableId: 'rtb-public' }],
      ['DisassociateRouteTableCommand', { AssociationId: 'rtbassoc-private' }],
      ['DeleteRouteTableCommand', { RouteTableId: 'rtb-private' }],
    ]);
    expect(ec2Mock).not.toHaveReceivedCommandWith(DeleteRouteTableCommand, { RouteTableId: 'rtb-main' });
  });

  it('deletes nothing when the cluster has no route table left', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DisassociateRouteTableCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteRouteTableCommand);
  });

  it('treats InvalidAssociationID.NotFound as already disassociated and deletes the table', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [publicTable] });
    ec2Mock.on(DisassociateRouteTableCommand).rejects(awsError('InvalidAssociationID.NotFound'));
    ec2Mock.on(DeleteRouteTableCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['rtb-public'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteRouteTableCommand, { RouteTableId: 'rtb-public' });
  });

  it('treats InvalidRouteTableID.NotFound as already deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [{ RouteTableId: 'rtb-public', Associations: [] }] });
    ec2Mock.on(DeleteRouteTableCommand).rejects(awsError('InvalidRouteTableID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteRouteTableCommand, 1);
  });

  it('throws RetryableError on DependencyViolation, after trying the other tables', async () => {
    // Prepare
    ec2Mock.on(DescribeRouteTablesCommand).resolves({ RouteTables: [publicTable, privateTable] });
    ec2Mock.on(DisassociateRouteTableCommand).resolves({});
    ec2Mock.on(DeleteRouteTableCommand, { RouteTableId: 'rtb-public' }).rejects(awsError('DependencyViolation', 'has dependencies'));
    ec2Mock.on(DeleteRouteTableCommand, { RouteTableId: 'rtb-private' }).resolves({});
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: 'delete-route-tables: 1 of 2 route tables not deleted yet: rtb-public (DependencyViolation: has dependencies)',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteRouteTableCommand, { RouteTableId: 'rtb-private' });
  });
});
