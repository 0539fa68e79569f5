/**
 * Bake Image: creates the cluster's slave image from the configured template slave.
 * CreateImage takes no ClientToken, but an image name is unique per account and Region:
 * a re-run finds the image by name first, and a Duplicate answer returns that image.
 */
import { CreateImageCommand, DescribeImagesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { BakeImageInput, BakeImageOutput } from '../shared/contracts';
import { RetryableError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';
import { tagSpec } from '../shared/tags';

/** The name of a cluster's slave image. */
export function imageName(clusterId: string): string {
  return `mesos-cluster-${clusterId}-slave`;
}

/** Creates (once) the cluster's slave image from the template slave; returns the image id. */
export const bakeImageStep = defineStep(
  'bake-image',
  async (input: BakeImageInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<BakeImageOutput> => {
    const name = imageName(input.clusterId);
    const existing = await findImageByName(ec2, name);
    if (existing) return { imageId: existing };
    try {
      const created = await ec2.send(
        new CreateImageCommand({
          InstanceId: input.instanceId,
          Name: name,
          Description: `Mesos agent image of cluster ${input.clusterName}`,
          // Reboot for a consistent file system; the configure script has stopped the agent and cleaned its state.
          NoReboot: false,
          TagSpecifications: [tagSpec('image', input, 'slave-image'), tagSpec('snapshot', input, 'slave-image')],
        })
      );
      if (!created.ImageId) throw new RetryableError(`CreateImage of ${name} returned no image id`);
      return { imageId: created.ImageId };
    } catch (err) {
      if (hasCode(err, 'InvalidAMIName.Duplicate')) {
        const duplicate = await findImageByName(ec2, name);
        if (duplicate) return { imageId: duplicate };
        throw new RetryableError(`image ${name} exists but is not visible yet`, { cause: err });
      }
      if (hasCode(err, 'IncorrectInstanceState')) {
        throw new RetryableError(`IncorrectInstanceState: template slave ${input.instanceId} cannot be imaged yet`, { cause: err });
      }
      throw err;
    }
  }
);

/** The id of this account's image with that name, if any. */
async function findImageByName(ec2: EC2Client, name: string): Promise<string | undefined> {
  const result = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], Filters: [{ Name: 'name', Values: [name] }] }));
  return result.Images?.find((image) => image.ImageId && image.Name === name)?.ImageId;
}
