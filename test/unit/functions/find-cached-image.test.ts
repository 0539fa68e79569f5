import { CreateTagsCommand, DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { findCachedImageStep } from '../../../functions/find-cached-image/find-cached-image';
import { DEFAULT_SOFTWARE } from '../../../functions/shared/cluster-spec';
import { imageHash } from '../../../functions/shared/image-recipe';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG, UNKNOWN_SCRIPT_HASH } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-2', clusterName: 'second', vpcId: 'vpc-2', baseImageId: 'ami-ubuntu', software: { ...DEFAULT_SOFTWARE } };
const SCRIPT = 'cd'.repeat(32);
const config = { ...TEST_STEP_CONFIG, configureSlaveScriptHash: SCRIPT };
const run = (extra: { freshImage?: boolean } = {}) =>
  invokeStep(findCachedImageStep, { ...input, ...extra }, { ec2: new EC2Client({}), config });
const HASH = imageHash({ baseImageId: 'ami-ubuntu', software: DEFAULT_SOFTWARE, scriptHash: SCRIPT });

describe('find-cached-image', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(CreateTagsCommand).resolves({});
  });

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
    expect(result).toEqual({ imageHash: HASH, cachedImageId: 'ami-new' });
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

  it('returns no image, and tags nothing, when none has the hash', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: null });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('looks for nothing when a fresh image is forced, but still gives the hash for the bake', async () => {
    // Act
    const result = await run({ freshImage: true });
    // Assess
    expect(result).toEqual({ imageHash: HASH, cachedImageId: null });
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
