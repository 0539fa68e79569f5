import { CreateVpcCommand, DescribeVpcsCommand, EC2Client, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createVpcStep } from '../../../functions/create-vpc/create-vpc';
import { recipeFromTags } from '../../../functions/shared/image-recipe';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', cidrBlock: '172.28.128.0/22' };
const run = () => invokeStep(createVpcStep, input, { ec2: new EC2Client({}) });

describe('create-vpc', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates the VPC tagged and turns on DNS support and hostnames', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(CreateVpcCommand).resolves({ Vpc: { VpcId: 'vpc-1' } });
    ec2Mock.on(ModifyVpcAttributeCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ vpcId: 'vpc-1' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['vpc'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateVpcCommand, {
      CidrBlock: '172.28.128.0/22',
      TagSpecifications: [
        {
          ResourceType: 'vpc',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'vpc' },
          ]),
        },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(ModifyVpcAttributeCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(ModifyVpcAttributeCommand, { VpcId: 'vpc-1', EnableDnsSupport: { Value: true } });
    expect(ec2Mock).toHaveReceivedCommandWith(ModifyVpcAttributeCommand, { VpcId: 'vpc-1', EnableDnsHostnames: { Value: true } });
  });

  it("records the slave image's recipe on the VPC at its creation, one tag per field", async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(CreateVpcCommand).resolves({ Vpc: { VpcId: 'vpc-1' } });
    ec2Mock.on(ModifyVpcAttributeCommand).resolves({});
    const recipe = {
      baseImageId: 'ami-ubuntu',
      software: {
        ubuntuRelease: '24.04' as const,
        mesosVersion: '1.11.0-0.7.1.ubuntu2404',
        marathonVersion: '1.11.30',
        packageRepository: 'https://rpm.aventer.biz/Ubuntu/noble',
        packageKeyUrl: 'https://www.aventer.biz/assets/support_aventer.asc',
        packageSource: 'vendor' as const,
      },
      freshImage: true,
    };
    // Act
    await invokeStep(createVpcStep, { ...input, slaveImageRecipe: recipe }, { ec2: new EC2Client({}) });
    // Assess
    const tags = ec2Mock.commandCalls(CreateVpcCommand)[0]?.args[0].input.TagSpecifications?.[0]?.Tags ?? [];
    const record = Object.fromEntries(tags.map((t) => [t.Key ?? '', t.Value ?? '']));
    expect(record['mesos-cluster:recipe-base-image']).toBe('ami-ubuntu');
    expect(record['mesos-cluster:recipe-mesos-version']).toBe('1.11.0-0.7.1.ubuntu2404');
    expect(record['mesos-cluster:recipe-fresh-image']).toBe('true');
    expect(recipeFromTags(record)).toEqual(recipe);
    expect(recipeFromTags({ ...record, 'mesos-cluster:recipe-base-image': '' })).toBeUndefined();
  });

  it('returns the VPC found by tag on a re-run without creating another', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-1' }] });
    ec2Mock.on(ModifyVpcAttributeCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ vpcId: 'vpc-1' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateVpcCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(ModifyVpcAttributeCommand, { VpcId: 'vpc-1', EnableDnsHostnames: { Value: true } });
  });

  it('throws RetryableError when the new VPC is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(CreateVpcCommand).resolves({ Vpc: { VpcId: 'vpc-1' } });
    ec2Mock.on(ModifyVpcAttributeCommand).rejects(awsError('InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist"));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^create-vpc: VPC vpc-1 is not visible yet/),
    });
  });

  it('throws RetryableError when EC2 throttles the create', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(CreateVpcCommand).rejects(awsError('RequestLimitExceeded', 'Request limit exceeded.'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: 'create-vpc: RequestLimitExceeded: Request limit exceeded.',
    });
  });

  it('throws FatalError when the VPC quota is used up', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(CreateVpcCommand).rejects(awsError('VpcLimitExceeded', 'The maximum number of VPCs has been reached.'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(/^create-vpc: VpcLimitExceeded: the account's quota L-F678F1CE \(VPCs per Region\) is used up/),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(ModifyVpcAttributeCommand);
  });
});
