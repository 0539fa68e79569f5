import { AllocateAddressCommand, DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { allocateElasticIpStep } from '../../../functions/allocate-elastic-ip/allocate-elastic-ip';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo' };
const run = () => invokeStep(allocateElasticIpStep, input, { ec2: new EC2Client({}) });
const ZONES = ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'];

describe('allocate-elastic-ip', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('allocates a VPC address tagged as the NAT address', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    ec2Mock.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7' });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({
      allocationId: 'eipalloc-1',
      publicIp: '198.51.100.7',
      allocations: [{ availabilityZone: '', allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAddressesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['nat-eip'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AllocateAddressCommand, {
      Domain: 'vpc',
      TagSpecifications: [
        {
          ResourceType: 'elastic-ip',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'nat-eip' },
          ]),
        },
      ],
    });
  });

  it('returns the address found by tag on a re-run without allocating another', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-1', PublicIp: '198.51.100.7' }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({
      allocationId: 'eipalloc-1',
      publicIp: '198.51.100.7',
      allocations: [{ availabilityZone: '', allocationId: 'eipalloc-1', publicIp: '198.51.100.7' }],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(AllocateAddressCommand);
  });

  it('allocates one address for the first zone with natGateways single, tagged with that zone', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    ec2Mock.on(AllocateAddressCommand).resolves({ AllocationId: 'eipalloc-a', PublicIp: '198.51.100.7' });
    // Act
    const result = await invokeStep(
      allocateElasticIpStep,
      { ...input, availabilityZones: ZONES, natGateways: 'single' },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result.allocations).toEqual([{ availabilityZone: 'eu-west-1a', allocationId: 'eipalloc-a', publicIp: '198.51.100.7' }]);
    expect(ec2Mock).toHaveReceivedCommandTimes(AllocateAddressCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(AllocateAddressCommand, {
      TagSpecifications: [
        { ResourceType: 'elastic-ip', Tags: expect.arrayContaining([{ Key: 'mesos-cluster:zone', Value: 'eu-west-1a' }]) },
      ],
    });
  });

  it('allocates one address per zone with natGateways perAz, keeping those an earlier run allocated', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({
      Addresses: [{ AllocationId: 'eipalloc-b', PublicIp: '198.51.100.8', Tags: [{ Key: 'mesos-cluster:zone', Value: 'eu-west-1b' }] }],
    });
    ec2Mock
      .on(AllocateAddressCommand)
      .resolvesOnce({ AllocationId: 'eipalloc-a', PublicIp: '198.51.100.7' })
      .resolvesOnce({ AllocationId: 'eipalloc-c', PublicIp: '198.51.100.9' });
    // Act
    const result = await invokeStep(
      allocateElasticIpStep,
      { ...input, availabilityZones: ZONES, natGateways: 'perAz' },
      { ec2: new EC2Client({}) }
    );
    // Assess
    expect(result).toEqual({
      allocationId: 'eipalloc-a',
      publicIp: '198.51.100.7',
      allocations: [
        { availabilityZone: 'eu-west-1a', allocationId: 'eipalloc-a', publicIp: '198.51.100.7' },
        { availabilityZone: 'eu-west-1b', allocationId: 'eipalloc-b', publicIp: '198.51.100.8' },
        { availabilityZone: 'eu-west-1c', allocationId: 'eipalloc-c', publicIp: '198.51.100.9' },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(AllocateAddressCommand, 2);
  });

  it('throws FatalError when the Elastic IP quota is used up', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    ec2Mock.on(AllocateAddressCommand).rejects(awsError('AddressLimitExceeded', 'The maximum number of addresses has been reached.'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(
        /^allocate-elastic-ip: AddressLimitExceeded: the account's quota L-0263D0A3 \(EC2-VPC Elastic IPs\) is used up/
      ),
    });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    ec2Mock.on(AllocateAddressCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
