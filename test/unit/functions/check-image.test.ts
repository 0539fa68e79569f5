import { DescribeImagesCommand, DescribeSnapshotsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkImageStep } from '../../../functions/check-image/check-image';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo', imageId: 'ami-new' };

describe('check-image', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
  });

  it('reports available when the image is available', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-new', State: 'available' }] });
    // Act
    const result = await invokeStep(checkImageStep, input, clients);
    // Assess
    expect(result).toEqual({ state: 'available' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { ImageIds: ['ami-new'] });
    // Without the recipe hash there is no claim to release.
    expect(ssmMock).not.toHaveReceivedCommand(GetParametersByPathCommand);
  });

  it("releases the cluster's claim on the recipe's bake once the image is available", async () => {
    // Prepare
    const hash = 'ab'.repeat(32);
    const mine = {
      Name: `/mesos-cluster/image-bakes/${hash}/000001`,
      Value: JSON.stringify({
        clusterId: 'c-1234',
        clusterName: 'demo',
        claimedAt: '2030-01-01T00:00:00.000Z',
        expiresAt: '2030-01-01T01:00:00.000Z',
      }),
    };
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-new', State: 'available' }] });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [mine] });
    ssmMock.on(DeleteParameterCommand).resolves({});
    // Act
    const result = await invokeStep(checkImageStep, { ...input, imageHash: hash }, clients);
    // Assess
    expect(result).toEqual({ state: 'available' });
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: `/mesos-cluster/image-bakes/${hash}` });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: mine.Name });
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

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it("looks again when the snapshots' progress says the image is done", async () => {
      // Prepare: created 60 s ago, its snapshot 25 % done → 180 s to go.
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:01:00Z') });
      ec2Mock.on(DescribeImagesCommand).resolves({
        Images: [
          {
            ImageId: 'ami-new',
            State: 'pending',
            CreationDate: '2030-01-01T09:00:00.000Z',
            BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-1' } }],
          },
        ],
      });
      ec2Mock
        .on(DescribeSnapshotsCommand)
        .resolves({ Snapshots: [{ SnapshotId: 'snap-1', Progress: '25%', StartTime: new Date('2030-01-01T09:00:00Z') }] });
      // Act
      const result = await invokeStep(checkImageStep, { ...input, budgetSeconds: 2400 }, clients);
      // Assess
      expect(result).toMatchObject({ state: 'pending', elapsedSeconds: 60, waitSeconds: 120, timedOut: false });
      expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { SnapshotIds: ['snap-1'] });
    });

    it('backs off on the time waited while the snapshot shows no progress yet', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:01:40Z') });
      ec2Mock.on(DescribeImagesCommand).resolves({
        Images: [
          {
            ImageId: 'ami-new',
            State: 'pending',
            CreationDate: '2030-01-01T09:00:00.000Z',
            BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-1' } }],
          },
        ],
      });
      ec2Mock
        .on(DescribeSnapshotsCommand)
        .resolves({ Snapshots: [{ SnapshotId: 'snap-1', Progress: '0%', StartTime: new Date('2030-01-01T09:00:00Z') }] });
      // Act
      const result = await invokeStep(checkImageStep, { ...input, budgetSeconds: 2400 }, clients);
      // Assess
      expect(result).toMatchObject({ state: 'pending', elapsedSeconds: 100, waitSeconds: 10 });
    });

    it('times out, naming how long it waited, once the budget is used up', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:40:00Z') });
      ec2Mock
        .on(DescribeImagesCommand)
        .resolves({ Images: [{ ImageId: 'ami-new', State: 'pending', CreationDate: '2030-01-01T09:00:00.000Z' }] });
      // Act
      const result = await invokeStep(checkImageStep, { ...input, budgetSeconds: 2400 }, clients);
      // Assess
      expect(result).toMatchObject({ state: 'pending', timedOut: true, waited: 'after 40 min of a 40 min budget' });
    });
  });
});
