import { CreateImageCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { bakeImageStep } from '../../../functions/bake-image/bake-image';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo', instanceId: 'i-tpl' };
const name = 'mesos-cluster-c-1234-slave';

const imageTags = expect.arrayContaining([
  { Key: 'mesos-cluster:id', Value: 'c-1234' },
  { Key: 'mesos-cluster:name', Value: 'demo' },
  { Key: 'mesos-cluster:role', Value: 'slave-image' },
]);

describe('bake-image', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  });

  it('creates the slave image from the template slave, with a reboot, tagging image and snapshot', async () => {
    // Prepare
    ec2Mock.on(CreateImageCommand).resolves({ ImageId: 'ami-new' });
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-new' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateImageCommand, {
      InstanceId: 'i-tpl',
      Name: name,
      NoReboot: false,
      TagSpecifications: [
        { ResourceType: 'image', Tags: imageTags },
        { ResourceType: 'snapshot', Tags: imageTags },
      ],
    });
  });

  it('returns the image of an earlier run without creating another', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-old', Name: name, State: 'pending' }] });
    // Act
    const result = await invokeStep(bakeImageStep, input, clients);
    // Assess
    expect(result).toEqual({ imageId: 'ami-old' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateImageCommand);
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
});
