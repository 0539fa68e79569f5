import {
  DescribeAccountAttributesCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  type DescribeInstanceTypeOfferingsCommandInput,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ubuntuImageParameter } from '../../../functions/shared/documents';
import { invokeStep } from '../../../functions/shared/step';
import { validateSpecStep } from '../../../functions/validate-spec/validate-spec';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const quotasMock = mockClient(ServiceQuotasClient);
const clients = () => ({ ec2: new EC2Client({}), ssm: new SSMClient({}), quotas: new ServiceQuotasClient({}) });

/** Every requested type offered in every requested zone, except `missing` (`zone/type`). */
const offerings =
  (...missing: string[]) =>
  (input: DescribeInstanceTypeOfferingsCommandInput) => {
    const values = (name: string) => input.Filters?.find((f) => f.Name === name)?.Values ?? [];
    return {
      InstanceTypeOfferings: values('location').flatMap((Location) =>
        values('instance-type')
          .filter((type) => !missing.includes(`${Location}/${type}`))
          .map((InstanceType) => ({ InstanceType: InstanceType as 't3.medium', Location, LocationType: 'availability-zone' as const }))
      ),
    };
  };
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
const zones = (...names: string[]) => ({
  AvailabilityZones: names.map((ZoneName) => ({ ZoneName, State: 'available' as const, RegionName: 'eu-west-1' })),
});

describe('validate-spec', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    quotasMock.reset();
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves(zones('eu-west-1a', 'eu-west-1b', 'eu-west-1c'));
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).callsFake(offerings());
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Service Quotas denied: the VPC and vCPU checks are skipped.
    quotasMock.on(GetServiceQuotaCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
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
          'validate-spec: the cluster needs 1 Elastic IPs but the account has 5 of its limit 5 in use (quota vpc-max-elastic-ips, Service Quotas L-0263D0A3, EC2-VPC Elastic IPs); release addresses or raise the quota (AddressLimitExceeded)',
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
      // Asked once, for the zones whose instance type offerings are checked, not for the NAT count.
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 1);
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
      // Once for the offerings' zones, once for the NAT gateways' count.
      expect(ec2Mock).toHaveReceivedCommandTimes(DescribeAvailabilityZonesCommand, 2);
    });

    it('counts the named zones for perAz without asking the Region', async () => {
      // Prepare
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(4) });
      const perAz = { ...spec, masters: 3, natGateways: 'perAz', availabilityZones: ['eu-west-1a', 'eu-west-1b'] };
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: perAz }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('needs 2 Elastic IPs') });
      expect(ec2Mock).not.toHaveReceivedCommandWith(DescribeAvailabilityZonesCommand, {
        Filters: [{ Name: 'state', Values: ['available'] }],
      });
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

  describe('creates in flight', () => {
    /** A cluster's VPC as Create VPC tags it: what it will hold, and a status once ready or failed. */
    const vpc = (clusterId: string, holds: string, status?: string) => ({
      VpcId: `vpc-${clusterId}`,
      Tags: [
        { Key: 'mesos-cluster:id', Value: clusterId },
        { Key: 'mesos-cluster:holds', Value: holds },
        ...(status ? [{ Key: 'mesos-cluster:status', Value: status }] : []),
      ],
    });
    const inFlight = (...vpcs: ReturnType<typeof vpc>[]) => {
      ec2Mock.on(DescribeVpcsCommand).callsFake((input: { Filters?: { Name?: string }[] }) => ({
        Vpcs: input.Filters?.some((f) => f.Name === 'tag-key') ? vpcs : [],
      }));
    };
    beforeEach(() => {
      ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
    });

    it('counts the Elastic IP a create in flight has not allocated yet, and names the quota', async () => {
      // Prepare: 4 of 5 addresses allocated; c-2 has its VPC but not yet its address.
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: addresses(4) });
      inFlight(vpc('c-2', 'addresses=1,vcpus=6'));
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message: expect.stringContaining(
          'needs 1 Elastic IPs but the account has 5 of its limit 5 in use (4 allocated, 1 to be allocated by 1 create(s) in flight) (quota vpc-max-elastic-ips'
        ),
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: [{ Name: 'tag-key', Values: ['mesos-cluster:holds'] }] });
    });

    it('does not count what a create in flight already holds, nor clusters that have a status, nor this cluster', async () => {
      // Prepare: c-2 has allocated its address (one of the 4); c-3 is complete; c-1 is this cluster's earlier run.
      ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [...addresses(3), ...addresses(1, 'c-2')] });
      inFlight(vpc('c-2', 'addresses=1,vcpus=6'), vpc('c-3', 'addresses=1,vcpus=6', 'CREATE_COMPLETE'), vpc('c-1', 'addresses=1,vcpus=6'));
      // Act
      const result = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      expect(result.holds).toEqual({ addresses: 1, vcpus: 6 });
    });

    it('counts the vCPUs a create in flight has not launched yet', async () => {
      // Prepare: a 64 vCPU quota, 56 running; c-2 runs one t3.medium (2) of the 6 it will hold: 4 more to come.
      quotasMock.on(GetServiceQuotaCommand, { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' }).resolves({ Quota: { Value: 64 } });
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              ...Array.from({ length: 27 }, (_, i) => ({ InstanceId: `i-${i}`, InstanceType: 't3.medium' as const })),
              { InstanceId: 'i-c2', InstanceType: 't3.medium' as const, Tags: [{ Key: 'mesos-cluster:id', Value: 'c-2' }] },
            ],
          },
        ],
      });
      inFlight(vpc('c-2', 'addresses=1,vcpus=6'));
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess: 56 running + 4 to come + 6 needed > 64.
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message: expect.stringContaining(
          "needs 6 vCPUs but 60 of the account's 64 are in use (56 running, 4 to be launched by 1 create(s) in flight) (quota L-1216C47A"
        ),
      });
    });
  });

  describe('zone and instance type pre-flight', () => {
    beforeEach(() => {
      ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
      ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
    });

    it.each(['eu-west-1z', 'us-east-1a'])('throws ValidationError for %s, a zone the Region does not have', async (zone) => {
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: { ...spec, availabilityZone: zone } }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining(
          `availabilityZones: ${zone} is not a zone of eu-west-1 (its zones: eu-west-1a, eu-west-1b, eu-west-1c)`
        ),
      });
    });

    it('throws ValidationError naming the field when a zone does not offer the instance type', async () => {
      // Prepare
      ec2Mock.on(DescribeInstanceTypeOfferingsCommand).callsFake(offerings('eu-west-1b/m7i.large'));
      const input = { ...spec, masters: 3, slaveInstanceType: 'm7i.large' };
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec: input }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'ValidationError',
        message: expect.stringContaining('slaveInstanceType: m7i.large is not offered in eu-west-1b'),
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstanceTypeOfferingsCommand, {
        LocationType: 'availability-zone',
        Filters: [
          { Name: 'instance-type', Values: ['t3.medium', 'm7i.large'] },
          { Name: 'location', Values: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c'] },
        ],
      });
    });
  });

  describe('VPC and vCPU quota pre-flight', () => {
    beforeEach(() => {
      ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0ubuntu' } });
      ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    });

    const applied = (vpcs: number, vcpus: number) => {
      quotasMock.on(GetServiceQuotaCommand, { ServiceCode: 'vpc', QuotaCode: 'L-F678F1CE' }).resolves({ Quota: { Value: vpcs } });
      quotasMock.on(GetServiceQuotaCommand, { ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' }).resolves({ Quota: { Value: vcpus } });
    };
    const running = (type: string, count: number, clusterId = 'c-other') => ({
      Instances: Array.from({ length: count }, (_, i) => ({
        InstanceId: `i-${clusterId}-${i}`,
        InstanceType: type as 't3.medium',
        Tags: [{ Key: 'mesos-cluster:id', Value: clusterId }],
      })),
    });

    it('throws FatalError naming the vCPU quota when the running Standard instances leave too few vCPUs', async () => {
      // Prepare: 1 master + 2 slaves of t3.medium need 6 vCPUs; 28 of 32 are in use (the p4d does not count).
      applied(5, 32);
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [running('m6i.2xlarge', 3), running('t3.medium', 2), running('p4d.24xlarge', 1), running('t3.medium', 3, 'c-1')],
      });
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message: expect.stringContaining("needs 6 vCPUs but 28 of the account's 32 are in use (quota L-1216C47A"),
      });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
        Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }],
      });
    });

    it('throws FatalError naming the VPC quota when the Region holds as many VPCs as the quota', async () => {
      // Prepare
      applied(2, 64);
      // The name is free (no VPC with its tag); the Region holds two VPCs.
      ec2Mock.on(DescribeVpcsCommand).callsFake((input: { Filters?: unknown[] }) => ({
        Vpcs: input.Filters ? [] : [{ VpcId: 'vpc-1' }, { VpcId: 'vpc-2' }],
      }));
      // Act
      const run = invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      await expect(run).rejects.toMatchObject({
        name: 'FatalError',
        message: expect.stringContaining('needs a VPC but the account has 2 of its 2 (quota L-F678F1CE, VPCs per Region)'),
      });
    });

    it('passes when both quotas have room, and skips them when Service Quotas denies the call', async () => {
      // Prepare
      applied(5, 64);
      // Act
      const passed = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      quotasMock.reset();
      quotasMock.on(GetServiceQuotaCommand).rejects(awsError('AccessDeniedException', 'not authorized'));
      ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [running('m6i.4xlarge', 100)] });
      const skipped = await invokeStep(validateSpecStep, { clusterId: 'c-1', spec }, clients());
      // Assess
      expect([passed.baseImageId, skipped.baseImageId]).toEqual(['ami-0ubuntu', 'ami-0ubuntu']);
    });
  });
});
