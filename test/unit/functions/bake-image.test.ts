import { CreateImageCommand, CreateTagsCommand, DescribeImagesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { bakeImageStep } from '../../../functions/bake-image/bake-image';
import { ownImageName, sharedImageName } from '../../../functions/shared/image-recipe';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';
import { clusterVpc, vpcFilters } from './deleting-vpc';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const HASH = 'ab'.repeat(32);
const input = { clusterId: 'c-1234', clusterName: 'demo', instanceId: 'i-tpl', vpcId: 'vpc-1', imageHash: HASH };
const name = `mesos-cluster-slave-${HASH.slice(0, 24)}`;

const clusterTags = [
  { Key: 'mesos-cluster:id', Value: 'c-1234' },
  { Key: 'mesos-cluster:name', Value: 'demo' },
  { Key: 'mesos-cluster:role', Value: 'slave-image' },
];

describe('bake-image', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(CreateTagsCommand).resolves({});
  });

  it('creates the image under the recipe name, with a reboot, tagged with the hash and baker, and records it on the VPC', async () => {
    // Prepare
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-new' });
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-new' });
    expect(sharedImageName(HASH)).toBe(name);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateImageCommand, {
      InstanceId: 'i-tpl',
      Name: name,
      NoReboot: false,
      TagSpecifications: [
        {
          ResourceType: 'image',
          Tags: expect.arrayContaining([
            ...clusterTags,
            { Key: 'mesos-cluster:image-hash', Value: HASH },
            { Key: 'mesos-cluster:baked-by', Value: 'c-1234' },
          ]),
        },
        { ResourceType: 'snapshot', Tags: expect.arrayContaining([...clusterTags, { Key: 'mesos-cluster:image-hash', Value: HASH }]) },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-new' }],
    });
  });

  it('returns the image of an earlier run (or of a concurrent bake of the same recipe) without creating another', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-old', Name: name, State: 'pending' }] });
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-old' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-old' }],
    });
  });

  it('bakes under a name of the cluster own when a fresh image is forced', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: [name] }] }).resolves({
      Images: [{ ImageId: 'ami-shared', Name: name, State: 'available' }],
    });
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-fresh' });
    // Act
    const result = await invokeStep(bakeImageStep, { ...input, freshImage: true }, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-fresh' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateImageCommand, { Name: ownImageName(HASH, 'c-1234') });
    expect(ownImageName(HASH, 'c-1234')).toBe(`${name}-c-1234`);
  });

  it('bakes under a name of the cluster own when the shared name is held by a failed image', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: [name] }] }).resolves({
      Images: [{ ImageId: 'ami-broken', Name: name, State: 'failed' }],
    });
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-own' });
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-own' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateImageCommand, { Name: `${name}-c-1234` });
  });

  it('returns the existing image when the name is a duplicate (InvalidAMIName.Duplicate)', async () => {
    // Prepare
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [] })
      .resolves({ Images: [{ ImageId: 'ami-dup', Name: name }] });
    ec2Mock.on(CreateImageCommand).rejects(awsError('InvalidAMIName.Duplicate', `AMI name ${name} is already in use by AMI ami-dup`));
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-dup' });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateImageCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 2);
  });

  it('throws RetryableError when the VPC is not visible yet to record the image', async () => {
    // Prepare
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-new' });
    ec2Mock.on(CreateTagsCommand).rejects(awsError('InvalidVpcID.NotFound'));
    // Act
    const run = invokeStep(bakeImageStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('VPC vpc-1 is not visible yet') });
  });

  it('throws RetryableError when the template slave is not in a state to be imaged (IncorrectInstanceState)', async () => {
    // Prepare
    ec2Mock.on(CreateImageCommand).rejects(awsError('IncorrectInstanceState', 'The instance is not in a valid state'));
    // Act
    const run = invokeStep(bakeImageStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^bake-image: IncorrectInstanceState: .*i-tpl/),
    });
  });

  it('throws FatalError and creates no image when the cluster is being deleted (DELETE_IN_PROGRESS)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1234'));
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act
    const run = invokeStep(bakeImageStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: 'bake-image: cluster c-1234 is being deleted (DELETE_IN_PROGRESS); bake-image refused',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: vpcFilters('c-1234') });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateImageCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });
});
