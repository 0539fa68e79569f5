import { CreateNatGatewayCommand, DescribeNatGatewaysCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createNatGatewayStep } from '../../../functions/create-nat-gateway/create-nat-gateway';
import { clientToken } from '../../../functions/shared/idempotency';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';
import { clusterVpc, vpcFilters } from './deleting-vpc';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', subnetId: 'subnet-pub', allocationId: 'eipalloc-1' };
const run = () => invokeStep(createNatGatewayStep, input, { ec2: new EC2Client({}) });
const ZONES = ['a', 'b', 'c'].map((z) => ({
  availabilityZone: `eu-west-1${z}`,
  publicSubnetId: `subnet-pub-${z}`,
  privateSubnetId: `subnet-priv-${z}`,
}));

describe('create-nat-gateway', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates the NAT gateway in the public subnet with the address, a ClientToken and the cluster tags', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(CreateNatGatewayCommand).resolves({ NatGateway: { NatGatewayId: 'nat-1', State: 'pending' } });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ natGatewayId: 'nat-1', natGatewayIds: ['nat-1'], nats: [{ availabilityZone: '', natGatewayId: 'nat-1' }] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
      Filter: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['nat-gateway'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateNatGatewayCommand, {
      ClientToken: clientToken('c-1', 'create-nat-gateway'),
      SubnetId: 'subnet-pub',
      AllocationId: 'eipalloc-1',
      TagSpecifications: [
        {
          ResourceType: 'natgateway',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'nat-gateway' },
          ]),
        },
      ],
    });
  });

  it.each(['pending', 'available'] as const)(
    'returns the %s NAT gateway found by tag on a re-run without creating another',
    async (state) => {
      // Prepare
      ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: state }] });
      // Act
      const result = await run();
      // Assess
      expect(result).toEqual({ natGatewayId: 'nat-1', natGatewayIds: ['nat-1'], nats: [{ availabilityZone: '', natGatewayId: 'nat-1' }] });
      expect(ec2Mock).not.toHaveReceivedCommand(CreateNatGatewayCommand);
    }
  );

  it('creates a new NAT gateway with a fresh ClientToken when the earlier one failed', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [{ NatGatewayId: 'nat-old', State: 'failed', FailureCode: 'InternalError' }],
    });
    ec2Mock.on(CreateNatGatewayCommand).resolves({ NatGateway: { NatGatewayId: 'nat-2', State: 'pending' } });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ natGatewayId: 'nat-2', natGatewayIds: ['nat-2'], nats: [{ availabilityZone: '', natGatewayId: 'nat-2' }] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateNatGatewayCommand, { ClientToken: clientToken('c-1', 'create-nat-gateway#1') });
    expect(ec2Mock).not.toHaveReceivedCommandWith(CreateNatGatewayCommand, { ClientToken: clientToken('c-1', 'create-nat-gateway') });
  });

  it('creates one NAT gateway per allocation in its zone public subnet, each with its own ClientToken and zone tag', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-a', State: 'available', SubnetId: 'subnet-pub-a', Tags: [{ Key: 'mesos-cluster:zone', Value: 'eu-west-1a' }] },
      ],
    });
    ec2Mock
      .on(CreateNatGatewayCommand, { SubnetId: 'subnet-pub-b' })
      .resolves({ NatGateway: { NatGatewayId: 'nat-b', State: 'pending' } })
      .on(CreateNatGatewayCommand, { SubnetId: 'subnet-pub-c' })
      .resolves({ NatGateway: { NatGatewayId: 'nat-c', State: 'pending' } });
    const allocations = ZONES.map((z) => ({
      availabilityZone: z.availabilityZone,
      allocationId: `eipalloc-${z.availabilityZone.slice(-1)}`,
    }));
    // Act
    const result = await invokeStep(
      createNatGatewayStep,
      { clusterId: 'c-1', clusterName: 'demo', zones: ZONES, allocations },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result).toEqual({
      natGatewayId: 'nat-a',
      natGatewayIds: ['nat-a', 'nat-b', 'nat-c'],
      nats: [
        { availabilityZone: 'eu-west-1a', natGatewayId: 'nat-a' },
        { availabilityZone: 'eu-west-1b', natGatewayId: 'nat-b' },
        { availabilityZone: 'eu-west-1c', natGatewayId: 'nat-c' },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateNatGatewayCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateNatGatewayCommand, {
      ClientToken: clientToken('c-1', 'create-nat-gateway/eu-west-1b'),
      SubnetId: 'subnet-pub-b',
      AllocationId: 'eipalloc-b',
      TagSpecifications: [
        { ResourceType: 'natgateway', Tags: expect.arrayContaining([{ Key: 'mesos-cluster:zone', Value: 'eu-west-1b' }]) },
      ],
    });
  });

  it('throws FatalError when an allocation names a zone without a public subnet', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    // Act / Assess
    await expect(
      invokeStep(
        createNatGatewayStep,
        {
          clusterId: 'c-1',
          clusterName: 'demo',
          zones: ZONES,
          allocations: [{ availabilityZone: 'eu-west-1z', allocationId: 'eipalloc-z' }],
        },
        { ec2: new EC2Client({}) }
      )
    ).rejects.toMatchObject({ name: 'FatalError', message: 'create-nat-gateway: no public subnet for the NAT gateway of zone eu-west-1z' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateNatGatewayCommand);
  });

  it('throws FatalError when the NAT gateway quota is used up', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(CreateNatGatewayCommand).rejects(awsError('NatGatewayLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('NatGatewayLimitExceeded') });
  });

  it('throws RetryableError when the new address is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(CreateNatGatewayCommand).rejects(awsError('InvalidAllocationID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('throws FatalError and creates no NAT gateway when the cluster is being deleted (DELETE_IN_PROGRESS)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1'));
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'FatalError',
      message: 'create-nat-gateway: cluster c-1 is being deleted (DELETE_IN_PROGRESS); create-nat-gateway refused',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: vpcFilters('c-1') });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateNatGatewayCommand);
  });
});
