import { CreateTagsCommand, DescribeImagesCommand, DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, PutParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { findCachedImageStep } from '../../../functions/find-cached-image/find-cached-image';
import { DEFAULT_SOFTWARE } from '../../../functions/shared/cluster-spec';
import { imageHash } from '../../../functions/shared/image-recipe';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG, UNKNOWN_SCRIPT_HASH } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const input = {
  clusterId: 'c-2',
  clusterName: 'second',
  vpcId: 'vpc-2',
  baseImageId: 'ami-ubuntu',
  software: { ...DEFAULT_SOFTWARE },
  budgetMinutes: 55,
};
const NOW = Date.UTC(2030, 0, 3, 9, 0, 0);
const SCRIPT = 'cd'.repeat(32);
const config = { ...TEST_STEP_CONFIG, configureSlaveScriptHash: SCRIPT };
const run = (extra: { freshImage?: boolean; budgetMinutes?: number } = {}) =>
  invokeStep(findCachedImageStep, { ...input, ...extra }, { ec2: new EC2Client({}), ssm: new SSMClient({}), config });
const HASH = imageHash({ baseImageId: 'ami-ubuntu', software: DEFAULT_SOFTWARE, scriptHash: SCRIPT });
const CHECKED_AT = new Date(NOW).toISOString();
/** A claim parameter of another cluster on this recipe's bake. */
const claimOf = (clusterId: string, generation: number, expiresAt: number) => ({
  Name: `/mesos-cluster/image-bakes/${HASH}/${String(generation).padStart(6, '0')}`,
  Value: JSON.stringify({
    clusterId,
    clusterName: `name-${clusterId}`,
    claimedAt: '2030-01-03T08:00:00.000Z',
    expiresAt: new Date(expiresAt).toISOString(),
  }),
});

describe('find-cached-image', () => {
  beforeEach(() => {
    jest.useFakeTimers({ now: NOW, doNotFake: ['nextTick', 'setImmediate', 'queueMicrotask'] });
    ec2Mock.reset();
    ssmMock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: 'vpc-2', Tags: [{ Key: 'mesos-cluster:status', Value: 'CREATE_IN_PROGRESS' }] }] });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [] });
    ssmMock.on(PutParameterCommand).resolves({ Version: 1 });
  });

  afterEach(() => jest.useRealTimers());

  it('returns the newest available image with the recipe hash and records it on the VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        { ImageId: 'ami-old', State: 'available', CreationDate: '2030-01-01T09:00:00.000Z' },
        { ImageId: 'ami-new', State: 'available', CreationDate: '2030-01-02T09:00:00.000Z' },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: 'ami-new', source: 'cached', bakingCluster: null, checkedAt: CHECKED_AT });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['self'],
      Filters: [
        { Name: 'tag:mesos-cluster:image-hash', Values: [HASH] },
        { Name: 'state', Values: ['available'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-2'],
      Tags: [{ Key: 'mesos-cluster:slave-image', Value: 'ami-new' }],
    });
  });

  it("claims the recipe's bake when no image has the hash: a create-only parameter, tagged, with a lease of the budget and the margin", async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: null, source: 'bake', bakingCluster: null, checkedAt: CHECKED_AT });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
    expect(ssmMock).toHaveReceivedCommandWith(GetParametersByPathCommand, { Path: `/mesos-cluster/image-bakes/${HASH}` });
    const put = ssmMock.commandCalls(PutParameterCommand)[0]?.args[0].input;
    expect(put).toEqual(expect.objectContaining({ Name: `/mesos-cluster/image-bakes/${HASH}/000001`, Type: 'String', Overwrite: false }));
    expect(JSON.parse(put?.Value ?? '')).toEqual({
      clusterId: 'c-2',
      clusterName: 'second',
      claimedAt: CHECKED_AT,
      // 55 min of budget and the 10 min margin.
      expiresAt: new Date(NOW + 65 * 60_000).toISOString(),
    });
    expect(put?.Tags).toEqual(
      expect.arrayContaining([
        { Key: 'mesos-cluster:id', Value: 'c-2' },
        { Key: 'mesos-cluster:role', Value: 'image-bake-claim' },
      ])
    );
  });

  it("waits for the cluster whose live claim holds the recipe's bake: no claim, no template slave", async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ssmMock.on(GetParametersByPathCommand).resolves({ Parameters: [claimOf('c-1', 1, NOW + 60_000)] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: null, source: 'wait', bakingCluster: 'name-c-1', checkedAt: CHECKED_AT });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('waits when another cluster wrote the claim first (ParameterAlreadyExists)', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ssmMock
      .on(GetParametersByPathCommand)
      .resolvesOnce({ Parameters: [] })
      .resolves({ Parameters: [claimOf('c-3', 1, NOW + 60_000)] });
    ssmMock.on(PutParameterCommand).rejects(awsError('ParameterAlreadyExists'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual(expect.objectContaining({ source: 'wait', bakingCluster: 'name-c-3' }));
  });

  it('refuses a cluster being deleted before it claims, and a claim without a budget', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: 'vpc-2', Tags: [{ Key: 'mesos-cluster:status', Value: 'DELETE_IN_PROGRESS' }] }] });
    // Act
    const deleting = run();
    const noBudget = invokeStep(
      findCachedImageStep,
      { ...input, budgetMinutes: undefined },
      { ec2: new EC2Client({}), ssm: new SSMClient({}), config }
    );
    // Assess
    await expect(deleting).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('being deleted') });
    await expect(noBudget).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('bake budget') });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
  });

  it('looks for nothing when a fresh image is forced, but still gives the hash for the bake', async () => {
    // Act
    const result = await run({ freshImage: true });
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: null, source: 'bake', bakingCluster: null, checkedAt: CHECKED_AT });
    expect(ssmMock).not.toHaveReceivedCommand(PutParameterCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeImagesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('changes the hash with any version, the package source, the base image or the script', () => {
    // Prepare
    const recipe = { baseImageId: 'ami-ubuntu', software: DEFAULT_SOFTWARE, scriptHash: SCRIPT };
    // Act
    const variants = [
      imageHash({ ...recipe, software: { ...DEFAULT_SOFTWARE, mesosVersion: '1.11.0-0.7.0.ubuntu2404' } }),
      imageHash({ ...recipe, software: { ...DEFAULT_SOFTWARE, marathonVersion: '1.11.24' } }),
      imageHash({ ...recipe, software: { ...DEFAULT_SOFTWARE, packageRepository: 'https://mirror.example.com/noble' } }),
      imageHash({ ...recipe, baseImageId: 'ami-other' }),
      imageHash({ ...recipe, scriptHash: UNKNOWN_SCRIPT_HASH }),
    ];
    // Assess
    expect(imageHash({ ...recipe, software: { ...DEFAULT_SOFTWARE } })).toBe(HASH);
    expect(new Set([HASH, ...variants]).size).toBe(6);
    for (const hash of variants) expect(hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('throws RetryableError when the new VPC is not visible yet to record the image', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-new', State: 'available' }] });
    ec2Mock.on(CreateTagsCommand).rejects(awsError('InvalidVpcID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
