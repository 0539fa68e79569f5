/**
 * The slave image's recipe and its hash: what went into a baked slave image (the Ubuntu
 * base image, the software versions and package source, the configure-slave script). Two
 * clusters with the same recipe share one image: the create workflow reuses an available
 * image tagged with the same hash instead of baking again, and the teardown deregisters
 * an image only when no other live cluster uses it.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec } from './cluster-spec';

/**
 * Bumped when the way an image is baked changes outside the script and the versions (the
 * template slave's volume, the bake's hygiene), so that older images are not reused.
 */
export const IMAGE_RECIPE_VERSION = 1;

/** Everything a baked slave image depends on. */
export interface ImageRecipe {
  readonly baseImageId: string;
  readonly software: ClusterSpec['software'];
  /** sha256 of the rendered configure-slave script. */
  readonly scriptHash: string;
}

/**
 * The image hash: sha256 over a canonical JSON of the recipe (fixed key order, so the
 * same recipe always gives the same hash, whatever order the spec listed its fields in).
 */
export function imageHash(recipe: ImageRecipe): string {
  const { software } = recipe;
  const canonical = JSON.stringify([
    IMAGE_RECIPE_VERSION,
    recipe.baseImageId,
    software.ubuntuRelease,
    software.mesosVersion,
    software.marathonVersion,
    software.packageRepository,
    software.packageKeyUrl,
    software.packageSource,
    recipe.scriptHash,
  ]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** How much of the hash an image name carries. */
const NAME_HASH_CHARS = 24;

/**
 * The name of the shared image of a recipe: unique per account and Region, so two
 * clusters that bake the same recipe at once end up with one image (the second
 * CreateImage is a Duplicate and takes the first).
 */
export function sharedImageName(hash: string): string {
  return `mesos-cluster-slave-${hash.slice(0, NAME_HASH_CHARS)}`;
}

/** The name of a cluster's own bake of a recipe (a forced fresh bake, or when the shared name is held by a failed image). */
export function ownImageName(hash: string, clusterId: string): string {
  return `${sharedImageName(hash)}-${clusterId}`;
}
