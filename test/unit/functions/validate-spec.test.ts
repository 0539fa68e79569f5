import {
  DescribeAccountAttributesCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ubuntuImageParameter } from '../../../functions/shared/documents';
import { invokeStep } from '../../../functions/shared/step';
import { validateSpecStep } from '../../../functions/validate-spec/validate-spec';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = () => ({ ec2: new EC2Client({}), ssm: new SSMClient({}) });
const spec = { name: 'demo', adminCidr: '203.0.113.0/24' };

const quota = (limit: number) => ({
  AccountAttributes: [{ AttributeName: 'vpc-max-elastic-ips', AttributeValues: [{ AttributeValue: String(limit) }] }],
});
const addresses = (count: number, clusterId = 'c-other') =>
  Array.from({ length: count }, (_, i) => ({
    AllocationId: `eipalloc-${clusterId}-${i}`,
    Domain: 'vpc' as const,
    Tags: [{ Key: 'mesos-cluster:id', Value: clusterId }],
  }));
const zones = (...names: string[]) => ({ AvailabilityZones: names.map((ZoneName) => ({ ZoneName, State: 'available' as const })) });

describe('validate-spec', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    // An account with room: 2 of its 5 Elastic IPs in use.
    ec2Mock.on(DescribeAccountAttributesCommand).resolves(quota(5));
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(2) });
  });

  it('returns the normalized spec and the Ubuntu base image when the name is free', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
    // Act
    const result = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
    // Assess
    expect(result.baseImageId).toBe('ami-0ubuntu');
    expect(result.spec).toMatchObject({ name: 'demo', adminCidr: '203.0.113.0/24', masters: 1, slaves: 2, vpcCidr: '172.28.128.0/22' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:name', Values: ['demo'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, { Name: ubuntuImageParameter('24.04') });
  });

  it('reads the parameter of the requested Ubuntu release', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0jammy' } });
    // Act
    const result = await invokeStep(
      validateSpecStep,
      { clusterId: 'c-1', spec: { ...spec, software: { ubuntuRelease: '22.04' } } },
      clients()
    );
    // Assess
    expect(result.baseImageId).toBe('ami-0jammy');
    expect(ssmMock).toHaveReceivedCommandWith(GetParameterCommand, {
      Name: '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp3/ami-id',
    });
  });

  it('accepts the name when the VPC holding it belongs to this cluster (a re-run)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        {
          VpcId: 'vpc-1',
          Tags: [
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
          ],
        },
      ],
    });
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
    // Act
    const result = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
    // Assess
    expect(result.baseImageId).toBe('ami-0ubuntu');
    expect(ssmMock).toHaveReceivedCommandTimes(GetParameterCommand, 1);
  });

  it('throws ConflictError when another cluster holds the name', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({
      Vpcs: [
        {
          VpcId: 'vpc-9',
          Tags: [
            { Key: 'mesos-cluster:id', Value: 'c-other' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
          ],
        },
      ],
    });
    // Act
    const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ConflictError',
      message: "validate-spec: cluster name 'demo' is taken by cluster c-other (vpc-9)",
    });
    expect(ssmMock).not.toHaveReceivedCommand(GetParameterCommand);
  });

  it('throws ValidationError naming the field when the spec is invalid', async () => {
    // Act
    const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: { ...spec, masters: 2 } }, clients());
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'masters',
      message: expect.stringMatching(/^validate-spec: masters: must be 1, 3 or 5/),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeVpcsCommand);
  });

  it('throws ValidationError for a missing adminCidr', async () => {
    // Act
    const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: { name: 'demo' } }, clients());
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ValidationError', field: 'adminCidr' });
  });

  it('throws FatalError when the base image parameter does not exist', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ssmMock.on(GetParameterCommand).rejects(awsError('ParameterNotFound', 'Parameter not found'));
    // Act
    const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('Ubuntu 24.04 base image parameter') });
  });

  it('throws RetryableError when EC2 throttles the name check', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).rejects(awsError('RequestLimitExceeded'));
    // Act
    const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('RequestLimitExceeded') });
  });

  describe('Elastic IP pre-flight', () => {
    beforeEach(() => {
      ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
      ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
    });

    it('throws FatalError naming the numbers when the account has no room for the NAT address', async () => {
      // Prepare
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(5) });
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message:
          'validate-spec: the cluster needs 1 Elastic IPs but the account has 5 of its limit 5 in use; release addresses or raise the quota (AddressLimitExceeded)',
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeAccountAttributesCommand, { AttributeNames: ['vpc-max-elastic-ips' as never] });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeAddressesCommand, { Filters: [{ Name: 'domain', Values: ['vpc'] }] });
    });

    it('returns the spec when in use plus needed fits the limit exactly', async () => {
      // Prepare
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(4) });
      // Act
      const result = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      expect(result.spec.natGateways).toBe('single');
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAddressesCommand, 1);
      expect(ec2Mock).not.toHaveReceivedCommand(DescribeAvailabilityZonesCommand);
    });

    it('counts one address per Region zone for perAz with 3 masters and no zone named', async () => {
      // Prepare
      ec2Mock.on(DescribeAvailabilityZonesCommand).resolves(zones('eu-west-1c', 'eu-west-1a', 'eu-west-1b'));
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(3) });
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: { ...spec, masters: 3, natGateways: 'perAz' } }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message: expect.stringContaining('the cluster needs 3 Elastic IPs but the account has 3 of its limit 5 in use'),
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, { Filters: [{ Name: 'state', Values: ['available'] }] });
    });

    it('counts only the zones the Region has for perAz with 5 masters', async () => {
      // Prepare
      ec2Mock.on(DescribeAvailabilityZonesCommand).resolves(zones('eu-west-1a', 'eu-west-1b', 'eu-west-1c'));
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(2) });
      // Act
      const result = await invokeStep(
        validateSpecStep,
        { clusterId: 'c-1', spec: { ...spec, masters: 5, natGateways: 'perAz' } },
        clients()
      );
      // Assess
      expect(result.spec.masters).toBe(5);
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 1);
    });

    it('counts the named zones for perAz without asking the Region', async () => {
      // Prepare
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(4) });
      const perAz = { ...spec, masters: 3, natGateways: 'perAz', availabilityZones: ['eu-west-1a', 'eu-west-1b'] };
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: perAz }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('needs 2 Elastic IPs') });
      expect(ec2Mock).not.toHaveReceivedCommand(DescribeAvailabilityZonesCommand);
    });

    it('does not count the addresses of this cluster from an earlier run as in use', async () => {
      // Prepare
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [...addresses(4), ...addresses(1, 'c-1')] });
      // Act
      const result = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      expect(result.baseImageId).toBe('ami-0ubuntu');
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAccountAttributesCommand, 1);
    });
  });
});
