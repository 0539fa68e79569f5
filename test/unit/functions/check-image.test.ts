import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkImageStep } from '../../../functions/check-image/check-image';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo', imageId: 'ami-new' };

describe('check-image', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('reports available when the image is available', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-new', State: 'available' }] });
    // Act
    const result = await invokeStep(checkImageStep, input, clients);
    // Assess
    expect(result).toEqual({ state: 'available' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { ImageIds: ['ami-new'] });
  });

  it('reports pending while the image is pending', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-new', State: 'pending' }] });
    // Act
    const result = await invokeStep(checkImageStep, input, clients);
    // Assess
    expect(result).toEqual({ state: 'pending' });
  });

  it('reports pending when the new image id is not visible yet (InvalidAMIID.NotFound)', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).rejects(awsError('InvalidAMIID.NotFound', "The image id '[ami-new]' does not exist"));
    // Act
    const result = await invokeStep(checkImageStep, input, clients);
    // Assess
    expect(result).toEqual({ state: 'pending' });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeImagesCommand, 1);
  });

  it.each(['failed', 'invalid', 'deregistered'])('throws FatalError with the state reason when the image is %s', async (state) => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        { ImageId: 'ami-new', State: state as 'failed', StateReason: { Code: 'Client.SnapshotFailed', Message: 'snapshot failed' } },
      ],
    });
    // Act
    const run = invokeStep(checkImageStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: `check-image: image ami-new is ${state}: Client.SnapshotFailed snapshot failed`,
    });
  });
});
