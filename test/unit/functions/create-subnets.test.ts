import {
  CreateSubnetCommand,
  DescribeAvailabilityZonesCommand,
  DescribeSubnetsCommand,
  EC2Client,
  ModifySubnetAttributeCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createSubnetsStep } from '../../../functions/create-subnets/create-subnets';
import type { CreateSubnetsInput } from '../../../functions/shared/contracts';
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
const run = (extra: Partial<CreateSubnetsInput> = {}) => invokeStep(createSubnetsStep, { ...input, ...extra }, { ec2: new EC2Client({}) });

/** The output of a single-zone cluster. */
function oneZone(publicSubnetId: string, privateSubnetId: string, availabilityZone: string) {
  return {
    zones: [{ availabilityZone, publicSubnetId, privateSubnetId }],
    publicSubnetIds: [publicSubnetId],
    privateSubnetIds: [privateSubnetId],
    availabilityZones: [availabilityZone],
    publicSubnetId,
    privateSubnetId,
    availabilityZone,
  };
}

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
    expect(result).toEqual(oneZone('subnet-pub', 'subnet-priv', 'eu-west-1a'));
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, { Filters: [{ Name: 'state', Values: ['available'] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, {
      VpcId: 'vpc-1',
      CidrBlock: '172.28.128.0/24',
      AvailabilityZone: 'eu-west-1a',
      TagSpecifications: [
        {
          ResourceType: 'subnet',
          Tags: expect.arrayContaining([...tagsOf('public-subnet'), { Key: 'mesos-cluster:zone', Value: 'eu-west-1a' }]),
        },
      ],
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
    expect(result).toEqual(oneZone('subnet-pub', 'subnet-priv', 'eu-west-1b'));
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
    expect(result).toEqual(oneZone('subnet-pub', 'subnet-priv', 'eu-west-1b'));
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

  it('carves a public and a private subnet per zone from vpcCidr for three masters over the first three zones', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['eu-west-1d', 'eu-west-1c', 'eu-west-1b', 'eu-west-1a'].map((ZoneName) => ({ ZoneName, State: 'available' })),
    });
    ec2Mock.on(CreateSubnetCommand).callsFake((call: { CidrBlock: string; AvailabilityZone: string }) => ({
      Subnet: { SubnetId: `subnet-${call.CidrBlock}`, AvailabilityZone: call.AvailabilityZone },
    }));
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run({ vpcCidr: '172.28.128.0/22', availabilityZones: [], zoneCount: 3 });
    // Assess
    expect(result.zones).toEqual([
      { availabilityZone: 'eu-west-1a', publicSubnetId: 'subnet-172.28.131.128/28', privateSubnetId: 'subnet-172.28.128.0/25' },
      { availabilityZone: 'eu-west-1b', publicSubnetId: 'subnet-172.28.131.144/28', privateSubnetId: 'subnet-172.28.128.128/25' },
      { availabilityZone: 'eu-west-1c', publicSubnetId: 'subnet-172.28.131.160/28', privateSubnetId: 'subnet-172.28.129.0/25' },
    ]);
    expect(result.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(result.publicSubnetIds).toHaveLength(3);
    expect(result.publicSubnetId).toBe('subnet-172.28.131.128/28');
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSubnetCommand, 6);
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifySubnetAttributeCommand, 3);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, {
      CidrBlock: '172.28.128.128/25',
      AvailabilityZone: 'eu-west-1b',
      TagSpecifications: [
        {
          ResourceType: 'subnet',
          Tags: expect.arrayContaining([...tagsOf('private-subnet'), { Key: 'mesos-cluster:zone', Value: 'eu-west-1b' }]),
        },
      ],
    });
  });

  it('caps the zones at those the Region has: five masters over three zones', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((ZoneName) => ({ ZoneName, State: 'available' })),
    });
    ec2Mock.on(CreateSubnetCommand).callsFake((call: { CidrBlock: string }) => ({ Subnet: { SubnetId: `subnet-${call.CidrBlock}` } }));
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run({ vpcCidr: '10.0.0.0/16', zoneCount: 5 });
    // Assess
    expect(result.availabilityZones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(result.privateSubnetIds).toEqual(['subnet-10.0.0.0/19', 'subnet-10.0.32.0/19', 'subnet-10.0.64.0/19']);
    expect(result.publicSubnetIds).toEqual(['subnet-10.0.224.0/22', 'subnet-10.0.228.0/22', 'subnet-10.0.232.0/22']);
  });

  it('uses the named zones in their order and checks each of them', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'eu-west-1a', State: 'available' },
        { ZoneName: 'eu-west-1c', State: 'available' },
      ],
    });
    ec2Mock.on(CreateSubnetCommand).callsFake((call: { CidrBlock: string }) => ({ Subnet: { SubnetId: `subnet-${call.CidrBlock}` } }));
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run({ vpcCidr: '172.28.128.0/22', availabilityZones: ['eu-west-1c', 'eu-west-1a'], zoneCount: 1 });
    // Assess
    expect(result.availabilityZones).toEqual(['eu-west-1c', 'eu-west-1a']);
    expect(result.zones[0]?.privateSubnetId).toBe('subnet-172.28.128.0/25');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, { ZoneNames: ['eu-west-1c', 'eu-west-1a'] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSubnetCommand, { CidrBlock: '172.28.128.0/25', AvailabilityZone: 'eu-west-1c' });
  });

  it('throws FatalError when one of the named zones is not available', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'eu-west-1a', State: 'available' },
        { ZoneName: 'eu-west-1b', State: 'impaired' },
      ],
    });
    // Act / Assess
    await expect(run({ vpcCidr: '172.28.128.0/22', availabilityZones: ['eu-west-1a', 'eu-west-1b'] })).rejects.toMatchObject({
      name: 'FatalError',
      message: 'create-subnets: availability zone eu-west-1b is impaired',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSubnetCommand);
  });

  it('creates only the missing zones on a re-run, keeping the zones of the first run', async () => {
    // Prepare
    const zoneTags = (role: string, zone: string) => [...tagsOf(role), { Key: 'mesos-cluster:zone', Value: zone }];
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        {
          SubnetId: 'subnet-a-pub',
          AvailabilityZone: 'eu-west-1a',
          MapPublicIpOnLaunch: true,
          Tags: zoneTags('public-subnet', 'eu-west-1a'),
        },
        { SubnetId: 'subnet-a-priv', AvailabilityZone: 'eu-west-1a', Tags: zoneTags('private-subnet', 'eu-west-1a') },
        {
          SubnetId: 'subnet-b-pub',
          AvailabilityZone: 'eu-west-1b',
          MapPublicIpOnLaunch: true,
          Tags: zoneTags('public-subnet', 'eu-west-1b'),
        },
      ],
    });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'].map((ZoneName) => ({ ZoneName, State: 'available' })),
    });
    ec2Mock.on(CreateSubnetCommand).callsFake((call: { CidrBlock: string }) => ({ Subnet: { SubnetId: `subnet-${call.CidrBlock}` } }));
    ec2Mock.on(ModifySubnetAttributeCommand).resolves({});
    // Act
    const result = await run({ vpcCidr: '172.28.128.0/22', zoneCount: 3 });
    // Assess
    expect(result.zones.map((z) => [z.publicSubnetId, z.privateSubnetId])).toEqual([
      ['subnet-a-pub', 'subnet-a-priv'],
      ['subnet-b-pub', 'subnet-172.28.128.128/25'],
      ['subnet-172.28.131.160/28', 'subnet-172.28.129.0/25'],
    ]);
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSubnetCommand, 3);
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifySubnetAttributeCommand, 1);
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
