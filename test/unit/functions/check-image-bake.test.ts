import { CreateTagsCommand, DescribeImagesCommand, DescribeSnapshotsCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteParameterCommand, GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkImageBakeStep } from '../../../functions/check-image-bake/check-image-bake';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const HASH = 'ab'.repeat(32);
const FOLDER = `/mesos-cluster/image-bakes/${HASH}`;
const NOW = Date.UTC(2030, 0, 3, 9, 0, 0);
const SINCE = new Date(NOW - 10 * 60_000).toISOString();
// 45 min of bake budget: the wait's budget.
const input = { clusterId: 'c-2', clusterName: 'second', vpcId: 'vpc-2', imageHash: HASH, budgetSeconds: 2700, since: SINCE };
const run = (extra: Record<string, unknown> = {}) =>
  invokeStep(checkImageBakeStep, { ...input, ...extra }, { ec2: new EC2Client({}), ssm: new SSMClient({}) });
const claimOf = (clusterId: string, generation: number, expiresAt: number) => ({
  Name: `${FOLDER}/${String(generation).padStart(6, '0')}`,
  Value: JSON.stringify({ clusterId, clusterName: `name-${clusterId}`, claimedAt: SINCE, expiresAt: new Date(expiresAt).toISOString() }),
});

describe('check-image-bake', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    ec2Mock.reset();
    ssmMock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [{ VpcId: 'vpc-2', Tags: [] }] });
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
    ssmMock.on(DeleteParameterCommand).resolves({});
  });

  afterEach(() => jest.useRealTimers());

  it('keeps waiting while the live claim holds the bake, counting from since against the bake budget', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 1, NOW + 30 * 60_000)] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(
      expect.objectContaining({
        state: 'waiting',
        imageId: null,
        bakingCluster: 'name-c-1',
        timedOut: false,
        // A tenth of the 600 s waited.
        waitSeconds: 60,
        waited: 'after 10 min of a 45 min budget',
      })
    );
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it("looks again when the holder's lease ends, if that is sooner than the back-off", async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 1, NOW + 15_000)] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'waiting', waitSeconds: 15 }));
  });

  it("aims the next look at the end of the holder's pending image, as its snapshots' progress tells", async () => {
    // Prepare: the snapshot is 40 % done after 80 s: 120 s to go.
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 1, NOW + 30 * 60_000)] });
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        { ImageId: 'ami-red', State: 'pending', BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { SnapshotId: 'snap-red' } }] },
      ],
    });
    ec2Mock
      .on(DescribeSnapshotsCommand)
      .resolves({ Snapshots: [{ SnapshotId: 'snap-red', Progress: '40%', StartTime: new Date(NOW - 80_000) }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'waiting', waitSeconds: 120, bakingCluster: 'name-c-1' }));
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['self'],
      Filters: [
        { Name: 'tag:mesos-cluster:image-hash', Values: [HASH] },
        { Name: 'state', Values: ['available', 'pending'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSnapshotsCommand, { SnapshotIds: ['snap-red'] });
  });

  it('records the image on the VPC once the other bake made it available', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-red', State: 'available', CreationDate: SINCE }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'available', imageId: 'ami-red', timedOut: false, waitSeconds: 0 }));
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-2'],
      Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-red' }],
    });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('takes a claim whose lease ran out over within 10 min of waiting: the next generation, then removes the spent one', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 1, NOW - 1000)] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'claimed', imageId: null, timedOut: false }));
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: `${FOLDER}/000002`, Overwrite: false });
    expect(ssmMock).toHaveReceivedCommandWith(DeleteParameterCommand, { Name: `${FOLDER}/000001` });
  });

  it('claims the bake when the holder released it without an image (its bake failed)', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'claimed' }));
    expect(ssmMock).toHaveReceivedCommandWith(PutParameterCommand, { Name: `${FOLDER}/000001` });
  });

  it('times out at its budget while a live claim still holds the bake', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 4, NOW + 30 * 60_000)] });
    // Act
    const result = await run({ since: new Date(NOW - 45 * 60_000).toISOString() });
    // Assess
    expect(result).toEqual(expect.objectContaining({ state: 'waiting', timedOut: true, waited: 'after 45 min of a 45 min budget' }));
  });

  it('fails, claiming nothing, when the bake is given up after more than 10 min of waiting', async () => {
    // Prepare
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    const late = { since: new Date(NOW - 20 * 60_000).toISOString() };
    // Act / Assess
    await expect(run(late)).rejects.toMatchObject({
      name: 'FatalError',
      message:
        "check-image-bake: the slave image bake this cluster waited for was given up (its claim was released without an image) after 20 min of waiting; a bake of its own this late (past 10 min) could outlast the create's time budget: create the cluster again",
    });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 3, NOW - 1000)] });
    await expect(run(late)).rejects.toMatchObject({
      message: expect.stringContaining('the claim of cluster name-c-1 on the slave image bake ran out'),
    });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('refuses a call without a budget', async () => {
    // Act / Assess
    await expect(run({ budgetSeconds: undefined })).rejects.toMatchObject({ name: 'FatalError' });
  });
});
