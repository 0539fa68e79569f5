import {
  CreateTagsCommand,
  DeleteSnapshotCommand,
  DeregisterImageCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeSnapshotsCommand,
  DescribeVpcsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParametersByPathCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteImagesStep } from '../../../functions/delete-images/delete-images';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteImagesStep, input, { ec2: new EC2Client({}), ssm: new SSMClient({}) });
const TAG_FILTER = { Name: 'tag:mesos-cluster:id', Values: ['c-1'] };
const slaveImage = {
  ImageId: 'ami-1',
  BlockDeviceMappings: [
    { DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-root' } },
    { DeviceName: '/dev/sdb', Ebs: { SnapshotId: 'snap-data' } },
    { DeviceName: '/dev/sdc', VirtualName: 'ephemeral0' },
  ],
};

describe('delete-images', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ssmMock.reset();
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    // No other cluster uses the image, and the cluster's VPC records none.
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  });

  it('reads the snapshot ids before deregistering the image, then deletes the snapshots', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [slaveImage] });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    // Once deregistered, the untagged snapshots can only be known from the image.
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['ami-1', 'snap-root', 'snap-data'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, { Owners: ['self'], Filters: [TAG_FILTER] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { OwnerIds: ['self'], Filters: [TAG_FILTER] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeregisterImageCommand, { ImageId: 'ami-1' });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
    const order = ec2Mock.calls().map((c) => c.args[0].constructor.name);
    expect(order).toEqual([
      'DescribeImagesCommand',
      'DescribeVpcsCommand',
      // Who else uses the image: VPCs that record it, instances launched from it.
      'DescribeVpcsCommand',
      'DescribeInstancesCommand',
      'DeregisterImageCommand',
      'DescribeSnapshotsCommand',
      'DeleteSnapshotCommand',
      'DeleteSnapshotCommand',
    ]);
  });

  it('keeps an image another live cluster uses and hands it, with its snapshots, over to that cluster', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ...slaveImage, Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] }] });
    ec2Mock.on(DescribeVpcsCommand, { Filters: [{ Name: 'tag:mesos-cluster:slave-image', Values: ['ami-1'] }] }).resolves({
      Vpcs: [
        { VpcId: 'vpc-1', Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] },
        {
          VpcId: 'vpc-2',
          Tags: [
            { Key: 'mesos-cluster:id', Value: 'c-2' },
            { Key: 'mesos-cluster:name', Value: 'second' },
            { Key: 'mesos-cluster:status', Value: 'CREATE_COMPLETE' },
          ],
        },
      ],
    });
    ec2Mock.on(CreateTagsCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [], kept: ['ami-1'], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['ami-1', 'snap-root', 'snap-data'],
      Tags: [
        { Key: 'mesos-cluster:id', Value: 'c-2' },
        { Key: 'mesos-cluster:name', Value: 'second' },
        { Key: 'Name', Value: 'second-slave-image' },
      ],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DeregisterImageCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
  });

  it('keeps an image that runs instances of another cluster, found from the instances', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ...slaveImage, Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] }] });
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            {
              InstanceId: 'i-9',
              Tags: [
                { Key: 'mesos-cluster:id', Value: 'c-3' },
                { Key: 'mesos-cluster:name', Value: 'third' },
              ],
            },
          ],
        },
      ],
    });
    ec2Mock.on(CreateTagsCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [], kept: ['ami-1'], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'image-id', Values: ['ami-1'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped'] },
        { Name: 'tag-key', Values: ['mesos-cluster:id'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Tags: expect.arrayContaining([{ Key: 'mesos-cluster:id', Value: 'c-3' }]),
    });
  });

  it('deletes a shared image whose other users are being deleted too', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ...slaveImage, Tags: [{ Key: 'mesos-cluster:id', Value: 'c-1' }] }] });
    ec2Mock.on(DescribeVpcsCommand, { Filters: [{ Name: 'tag:mesos-cluster:slave-image', Values: ['ami-1'] }] }).resolves({
      Vpcs: [
        {
          VpcId: 'vpc-2',
          Tags: [
            { Key: 'mesos-cluster:id', Value: 'c-2' },
            { Key: 'mesos-cluster:status', Value: 'DELETE_IN_PROGRESS' },
          ],
        },
      ],
    });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['ami-1', 'snap-root', 'snap-data'], kept: [], claimsReleased: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('deletes the image its VPC records, baked by a cluster that is gone, when it is the last user', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand, { Owners: ['self'], Filters: [TAG_FILTER] }).resolves({ Images: [] });
    ec2Mock.on(DescribeImagesCommand, { Owners: ['self'], ImageIds: ['ami-7'] }).resolves({
      Images: [{ ImageId: 'ami-7', State: 'available', BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-7' } }] }],
    });
    ec2Mock.on(DescribeVpcsCommand, { Filters: [TAG_FILTER] }).resolves({
      Vpcs: [{ VpcId: 'vpc-1', Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-7' }] }],
    });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['ami-7', 'snap-7'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeregisterImageCommand, { ImageId: 'ami-7' });
  });

  it('keeps the recorded image of another cluster that still uses it, without retagging it', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand, { Owners: ['self'], Filters: [TAG_FILTER] }).resolves({ Images: [] });
    ec2Mock
      .on(DescribeImagesCommand, { Owners: ['self'], ImageIds: ['ami-7'] })
      .resolves({ Images: [{ ImageId: 'ami-7', State: 'available', Tags: [{ Key: 'mesos-cluster:id', Value: 'c-0' }] }] });
    ec2Mock.on(DescribeVpcsCommand, { Filters: [TAG_FILTER] }).resolves({
      Vpcs: [{ VpcId: 'vpc-1', Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-7' }] }],
    });
    ec2Mock.on(DescribeVpcsCommand, { Filters: [{ Name: 'tag:mesos-cluster:slave-image', Values: ['ami-7'] }] }).resolves({
      Vpcs: [{ VpcId: 'vpc-0', Tags: [{ Key: 'mesos-cluster:id', Value: 'c-0' }] }],
    });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [], kept: ['ami-7'], claimsReleased: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeregisterImageCommand);
  });

  it('deletes the tagged snapshots left by a run that crashed after deregistering', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-root' }] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['snap-root'], kept: [], claimsReleased: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeregisterImageCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-root' });
  });

  it('deletes a snapshot once when it is both in the image and tagged', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [slaveImage] });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [{ SnapshotId: 'snap-root' }, { SnapshotId: 'snap-data' }] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['ami-1', 'snap-root', 'snap-data'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
  });

  it('deletes nothing when the cluster has no image or snapshot left', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [], kept: [], claimsReleased: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeregisterImageCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSnapshotCommand);
  });

  it.each(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'])('treats %s from DeregisterImage as already deregistered', async (code) => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [slaveImage] });
    ec2Mock.on(DeregisterImageCommand).rejects(awsError(code));
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(DeleteSnapshotCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['snap-root', 'snap-data'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
  });

  it("deletes the cluster's claims on image bakes after its images, and leaves other clusters' claims", async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    const claim = (name: string, clusterId: string) => ({
      Name: `/mesos-cluster/image-bakes/${'ab'.repeat(32)}/${name}`,
      Value: JSON.stringify({
        clusterId,
        clusterName: clusterId,
        claimedAt: '2030-01-01T00:00:00.000Z',
        expiresAt: '2030-01-01T01:00:00.000Z',
      }),
    });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claim('000001', 'c-1'), claim('000002', 'c-9')] });
    ssmMock.on(DeleteParameterCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result.claimsReleased).toEqual([claim('000001', 'c-1').Name]);
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: '/mesos-cluster/image-bakes', Recursive: true });
    expect(ssmMock).toHaveReceivedCommandTimes(DeleteParameterCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: claim('000001', 'c-1').Name });
  });

  it('treats InvalidSnapshot.NotFound as already deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [slaveImage] });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-root' }).rejects(awsError('InvalidSnapshot.NotFound'));
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-data' }).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['ami-1', 'snap-data'], kept: [], claimsReleased: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSnapshotCommand, 2);
  });

  it('throws RetryableError when a snapshot is still in use, after trying the others', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [slaveImage] });
    ec2Mock.on(DeregisterImageCommand).resolves({});
    ec2Mock.on(DescribeSnapshotsCommand).resolves({ Snapshots: [] });
    ec2Mock
      .on(DeleteSnapshotCommand, { SnapshotId: 'snap-root' })
      .rejects(awsError('InvalidSnapshot.InUse', 'The snapshot snap-root is currently in use by ami-1'));
    ec2Mock.on(DeleteSnapshotCommand, { SnapshotId: 'snap-data' }).resolves({});
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message:
        'delete-images: 1 of 2 snapshots not deleted yet: snap-root (InvalidSnapshot.InUse: The snapshot snap-root is currently in use by ami-1)',
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSnapshotCommand, { SnapshotId: 'snap-data' });
  });
});
