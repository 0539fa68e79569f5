import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createSubnetsStep } from '../../../functions/create-subnets/create-subnets';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = {
  clusterId: 'c-1',
  clusterName: 'demo',
  vpcId: 'vpc-1',
  publicCidr: '172.28.128.0/24',
  privateCidr: '172.28.129.0/24',
};
const run = (extra: { availabilityZone?: string } = {}) =>
  invokeStep(createSubnetsStep, { ...input, ...extra }, { ec2: new EC2Client({}) });

function tagsOf(role: string) {
  return [
    { Key: 'mesos-cluster:id', Value: 'c-1' },
    { Key: 'mesos-cluster:name', Value: 'demo' },
    { Key: 'mesos-cluster:role', Value: role },
  ];
}

describe('create-subnets', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates both subnets tagged in the first available zone and maps public IPs on the public one', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'eu-west-1b', State: 'available' },
        { ZoneName: 'eu-west-1a', State: 'available' },
      ],
    });
    ec2Mock
      .on(CreateSubnetCommand, { CidrBlock: '172.28.128.0/24' })
      .resolves({ Subnet: { SubnetId: 'subnet-pub', AvailabilityZone: 'eu-west-1a' } })
      .on(CreateSubnetCommand, { CidrBlock: '172.28.129.0/24' })
      .resolves({ Subnet: { SubnetId: 'subnet-priv', AvailabilityZone: 'eu-west-1a' } });
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ publicSubnetId: 'subnet-pub', privateSubnetId: 'subnet-priv', availabilityZone: 'eu-west-1a' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, { Filters: [{ Name: 'state', Values: ['available'] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, {
      VpcId: 'vpc-1',
      CidrBlock: '172.28.128.0/24',
      AvailabilityZone: 'eu-west-1a',
      TagSpecifications: [{ ResourceType: 'subnet', Tags: expect.arrayContaining(tagsOf('public-subnet')) }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, {
      VpcId: 'vpc-1',
      CidrBlock: '172.28.129.0/24',
      AvailabilityZone: 'eu-west-1a',
      TagSpecifications: [{ ResourceType: 'subnet', Tags: expect.arrayContaining(tagsOf('private-subnet')) }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifySubnetAttributeCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(ModifySubnetAttributeCommand, {
      SubnetId: 'subnet-pub',
      MapPublicIpOnLaunch: { Value: true },
    });
  });

  it('uses the requested zone when it exists', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1c', State: 'available' }] });
    ec2Mock.on(CreateSubnetCommand).resolves({ Subnet: { SubnetId: 'subnet-x' } });
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run({ availabilityZone: 'eu-west-1c' });
    // Assess
    expect(result.availabilityZone).toBe('eu-west-1c');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, { ZoneNames: ['eu-west-1c'] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, { CidrBlock: '172.28.129.0/24', AvailabilityZone: 'eu-west-1c' });
  });

  it('throws FatalError when the requested zone does not exist', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock
      .on(DescribeAvailabilityZonesCommand)
      .rejects(awsError('InvalidParameterValue', "The zone 'eu-west-1z' does not exist in the region 'eu-west-1'"));
    // Act / Assess
    await expect(run({ availabilityZone: 'eu-west-1z' })).rejects.toMatchObject({
      name: 'FatalError',
      message: 'create-subnets: availability zone eu-west-1z does not exist in this Region',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSubnetCommand);
  });

  it('throws FatalError when the requested zone is not listed', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [] });
    // Act / Assess
    await expect(run({ availabilityZone: 'eu-west-1z' })).rejects.toMatchObject({ name: 'FatalError' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSubnetCommand);
  });

  it('throws FatalError when no zone of the Region is available', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [] });
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('no availability zone') });
  });

  it('returns the subnets found by tag on a re-run without creating or modifying anything', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-priv', AvailabilityZone: 'eu-west-1b', Tags: tagsOf('private-subnet') },
        { SubnetId: 'subnet-pub', AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: true, Tags: tagsOf('public-subnet') },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ publicSubnetId: 'subnet-pub', privateSubnetId: 'subnet-priv', availabilityZone: 'eu-west-1b' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['public-subnet', 'private-subnet'] },
      ],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSubnetCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(ModifySubnetAttributeCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeAvailabilityZonesCommand);
  });

  it('creates only the missing subnet, in the zone of the existing one', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [{ SubnetId: 'subnet-pub', AvailabilityZone: 'eu-west-1b', MapPublicIpOnLaunch: false, Tags: tagsOf('public-subnet') }],
    });
    ec2Mock.on(CreateSubnetCommand).resolves({ Subnet: { SubnetId: 'subnet-priv' } });
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ publicSubnetId: 'subnet-pub', privateSubnetId: 'subnet-priv', availabilityZone: 'eu-west-1b' });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSubnetCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, { CidrBlock: '172.28.129.0/24', AvailabilityZone: 'eu-west-1b' });
    expect(ec2Mock).toHaveReceivedCommandWith(ModifySubnetAttributeCommand, {
      SubnetId: 'subnet-pub',
      MapPublicIpOnLaunch: { Value: true },
    });
  });

  it('throws RetryableError when the new public subnet is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a', State: 'available' }] });
    ec2Mock.on(CreateSubnetCommand).resolves({ Subnet: { SubnetId: 'subnet-pub' } });
    ec2Mock.on(ModifySubnetAttributeCommand).rejects(awsError('InvalidSubnetID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });

  it('throws RetryableError when a subnet of an earlier run is not yet visible by tag', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: [{ ZoneName: 'eu-west-1a', State: 'available' }] });
    ec2Mock.on(CreateSubnetCommand).rejects(awsError('InvalidSubnet.Conflict', "The CIDR '172.28.128.0/24' conflicts with another subnet"));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('conflicts') });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
