/**
 * Bake Image: creates the slave image of the cluster's recipe from the configured template
 * slave, and records it on the cluster's VPC. The image is named after the recipe hash
 * (image-recipe `sharedImageName`), not after the cluster, and tagged with the hash, so
 * later clusters with the same recipe reuse it (Find Cached Image). CreateImage takes no
 * ClientToken, but an image name is unique per account and Region: a re-run finds the
 * image by name first, and a Duplicate answer returns that image. So does a concurrent
 * bake of the same recipe by another cluster: both clusters end up with one image.
 *
 * A forced fresh bake, or a shared name held by an image that failed, uses a name of the
 * cluster's own (`ownImageName`), with the same hash tag.
 */
import { CreateImageCommand, DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { BakeImageInput, BakeImageOutput } from '../shared/contracts';
import { RetryableError } from '../shared/errors';
import { ownImageName, sharedImageName } from '../shared/image-recipe';
import { assertClusterNotDeleting } from '../shared/network';
import { recordSlaveImage } from '../shared/slave-images';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_BAKED_BY, TAG_IMAGE_HASH, tagSpec } from '../shared/tags';

/** Image states from which an image never becomes available. */
const DEAD_STATES = ['failed', 'error', 'invalid', 'deregistered'];

/** Creates (once) the slave image of the recipe from the template slave; returns the image id. */
export const bakeImageStep = defineStep(
  'bake-image',
  async (input: BakeImageInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<BakeImageOutput> => {
    await assertClusterNotDeleting(ec2, input.clusterId, 'bake-image');
    let name = input.freshImage ? ownImageName(input.imageHash, input.clusterId) : sharedImageName(input.imageHash);
    let existing = await findImageByName(ec2, name);
    if (existing && DEAD_STATES.includes(existing.State ?? '') && !input.freshImage) {
      name = ownImageName(input.imageHash, input.clusterId);
      existing = await findImageByName(ec2, name);
    }
    const imageId = existing?.ImageId ?? (await createImage(ec2, input, name));
    await recordSlaveImage(ec2, input.vpcId, imageId);
    return { imageId };
  }
);

async function createImage(ec2: EC2Client, input: BakeImageInput, name: string): Promise<string> {
  const hashTag = { Key: TAG_IMAGE_HASH, Value: input.imageHash };
  try {
    const created = await ec2.send(
      new CreateImageCommand({
        InstanceId: input.instanceId,
        Name: name,
        Description: `Mesos agent image, recipe ${input.imageHash.slice(0, 12)}, baked by cluster ${input.clusterName}`,
        // Reboot for a consistent file system; the configure script has stopped the agent and cleaned its state.
        NoReboot: false,
        TagSpecifications: [
          tagSpec('image', input, 'slave-image', [hashTag, { Key: TAG_BAKED_BY, Value: input.clusterId }]),
          tagSpec('snapshot', input, 'slave-image', [hashTag]),
        ],
      })
    );
    if (!created.ImageId) throw new RetryableError(`CreateImage of ${name} returned no image id`);
    return created.ImageId;
  } catch (err) {
    if (hasCode(err, 'InvalidAMIName.Duplicate')) {
      const duplicate = await findImageByName(ec2, name);
      if (duplicate?.ImageId) return duplicate.ImageId;
      throw new RetryableError(`image ${name} exists but is not visible yet`, { cause: err });
    }
    if (hasCode(err, 'IncorrectInstanceState')) {
      throw new RetryableError(`IncorrectInstanceState: template slave ${input.instanceId} cannot be imaged yet`, { cause: err });
    }
    throw err;
  }
}

/** This account's image with that name, if any. */
async function findImageByName(ec2: EC2Client, name: string): Promise<Image | undefined> {
  const result = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }));
  return result.Images?.find((image) => image.ImageId && image.Name === name);
}
