/**
 * Find Cached Image: a slave image is a function of its recipe (the Ubuntu base image, the
 * software versions and package source, the configure-slave script), so a cluster whose
 * recipe was baked before reuses that image instead of launching a template slave and
 * baking again. The step computes the recipe's hash and looks for an available image of
 * this account tagged with it (the newest, if several). On a hit it records the image on
 * the cluster's VPC, which makes the cluster a user of the image: the teardown of another
 * cluster keeps an image that a live cluster uses.
 *
 * Without an image it claims the recipe's bake (functions/shared/bake-claims.ts): of the
 * clusters of one recipe created at once, one bakes and the others wait for its image.
 */

import { imageOrClaim } from '../shared/bake-claims';
import type { FindCachedImageInput, FindCachedImageOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { imageHash } from '../shared/image-recipe';
import { assertClusterNotDeleting } from '../shared/network';
import { budgetSecondsOf } from '../shared/poll';
import { recordSlaveImage } from '../shared/slave-images';
import { defineStep, type StepClients } from '../shared/step';

/** Returns the recipe's hash and where the cluster's image comes from: cached, baked by it, or baked by another cluster. */
export const findCachedImageStep = defineStep(
  'find-cached-image',
  async (
    input: FindCachedImageInput,
    { ec2, ssm, config }: Pick<StepClients, 'ec2' | 'ssm' | 'config'>
  ): Promise<FindCachedImageOutput> => {
    const hash = imageHash({ baseImageId: input.baseImageId, software: input.software, scriptHash: config.configureSlaveScriptHash });
    const now = Date.now();
    const checkedAt = new Date(now).toISOString();
    const answer = (source: FindCachedImageOutput['source'], cachedImageId: string | null = null, bakingCluster: string | null = null) => ({
      imageHash: hash,
      cachedImageId,
      source,
      bakingCluster,
      checkedAt,
    });
    // A fresh bake is the cluster's own (an image of its own name): no claim.
    if (input.freshImage) return answer('bake');
    const budgetSeconds = budgetSecondsOf(input);
    if (budgetSeconds === undefined || !(budgetSeconds > 0)) {
      throw new FatalError('find-cached-image needs the bake budget (budgetSeconds or budgetMinutes) for the claim on the bake');
    }
    const found = await imageOrClaim(
      { ec2, ssm },
      { imageHash: hash, cluster: input, budgetSeconds, now },
      { beforeClaim: () => assertClusterNotDeleting(ec2, input.clusterId, 'find-cached-image') }
    );
    if (found.state === 'available') {
      await recordSlaveImage(ec2, input.vpcId, found.imageId);
      return answer('cached', found.imageId);
    }
    if (found.state === 'claimed' || found.state === 'given-up') return answer('bake');
    return answer('wait', null, found.claim?.clusterName ?? null);
  }
);
