/**
 * Find Cached Image: a slave image is a function of its recipe (the Ubuntu base image, the
 * software versions and package source, the configure-slave script), so a cluster whose
 * recipe was baked before reuses that image instead of launching a template slave and
 * baking again. The step computes the recipe's hash and looks for an available image of
 * this account tagged with it (the newest, if several). On a hit it records the image on
 * the cluster's VPC, which makes the cluster a user of the image: the teardown of another
 * cluster keeps an image that a live cluster uses.
 */
import type { FindCachedImageInput, FindCachedImageOutput } from '../shared/contracts';
import { imageHash } from '../shared/image-recipe';
import { newestImageWithHash, recordSlaveImage } from '../shared/slave-images';
import { defineStep, type StepClients } from '../shared/step';

/** Returns the recipe's hash and, unless a fresh bake is forced, the newest available image with it. */
export const findCachedImageStep = defineStep(
  'find-cached-image',
  async (input: FindCachedImageInput, { ec2, config }: Pick<StepClients, 'ec2' | 'config'>): Promise<FindCachedImageOutput> => {
    const hash = imageHash({ baseImageId: input.baseImageId, software: input.software, scriptHash: config.configureSlaveScriptHash });
    if (input.freshImage) return { imageHash: hash, cachedImageId: null };
    const cachedImageId = await newestImageWithHash(ec2, hash);
    if (!cachedImageId) return { imageHash: hash, cachedImageId: null };
    await recordSlaveImage(ec2, input.vpcId, cachedImageId);
    return { imageHash: hash, cachedImageId };
  }
);
