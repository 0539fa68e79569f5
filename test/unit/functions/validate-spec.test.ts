import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
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

describe('validate-spec', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
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
});
