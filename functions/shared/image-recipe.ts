/**
 * The slave image's recipe and its hash: what went into a baked slave image (the Ubuntu
 * base image, the software versions and package source, the configure-slave script). Two
 * clusters with the same recipe share one image: the create workflow reuses an available
 * image tagged with the same hash instead of baking again, and the teardown deregisters
 * an image only when no other live cluster uses it.
 */
import { createHash } from 'node:crypto';
import type { ClusterSpec } from './cluster-spec';
import {
  TAG_RECIPE_BASE_IMAGE,
  TAG_RECIPE_FRESH_IMAGE,
  TAG_RECIPE_MARATHON_VERSION,
  TAG_RECIPE_MESOS_VERSION,
  TAG_RECIPE_PACKAGE_KEY_URL,
  TAG_RECIPE_PACKAGE_REPOSITORY,
  TAG_RECIPE_PACKAGE_SOURCE,
  TAG_RECIPE_UBUNTU_RELEASE,
} from './tags';

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

/**
 * What a cluster's slave image is baked from, recorded on its VPC at creation (one tag per
 * field, each value at most 256 characters, as the spec's fields are), so that a cluster
 * created without slaves bakes the image it would have baked at a later scale-out: the
 * same base image (the Ubuntu AMI that Canonical's parameter named at the create, not a
 * newer one) and the same software as its masters.
 */
export interface SlaveImageRecipe {
  readonly baseImageId: string;
  readonly software: ClusterSpec['software'];
  readonly freshImage: boolean;
}

/** The VPC tag of each field of the recipe. */
export const RECIPE_TAGS = {
  baseImageId: TAG_RECIPE_BASE_IMAGE,
  ubuntuRelease: TAG_RECIPE_UBUNTU_RELEASE,
  mesosVersion: TAG_RECIPE_MESOS_VERSION,
  marathonVersion: TAG_RECIPE_MARATHON_VERSION,
  packageRepository: TAG_RECIPE_PACKAGE_REPOSITORY,
  packageKeyUrl: TAG_RECIPE_PACKAGE_KEY_URL,
  packageSource: TAG_RECIPE_PACKAGE_SOURCE,
  freshImage: TAG_RECIPE_FRESH_IMAGE,
} as const;

/** The tags that record the recipe on a VPC. */
export function recipeTags(recipe: SlaveImageRecipe): { Key: string; Value: string }[] {
  const { software } = recipe;
  return [
    { Key: RECIPE_TAGS.baseImageId, Value: recipe.baseImageId },
    { Key: RECIPE_TAGS.ubuntuRelease, Value: software.ubuntuRelease },
    { Key: RECIPE_TAGS.mesosVersion, Value: software.mesosVersion },
    { Key: RECIPE_TAGS.marathonVersion, Value: software.marathonVersion },
    { Key: RECIPE_TAGS.packageRepository, Value: software.packageRepository },
    { Key: RECIPE_TAGS.packageKeyUrl, Value: software.packageKeyUrl },
    { Key: RECIPE_TAGS.packageSource, Value: software.packageSource },
    { Key: RECIPE_TAGS.freshImage, Value: String(recipe.freshImage) },
  ];
}

/** The recipe recorded on a VPC (its tags by key), or undefined when a field is missing. */
export function recipeFromTags(tags: Readonly<Record<string, string | undefined>>): SlaveImageRecipe | undefined {
  const read = (key: keyof typeof RECIPE_TAGS) => tags[RECIPE_TAGS[key]];
  const baseImageId = read('baseImageId');
  const ubuntuRelease = read('ubuntuRelease');
  const mesosVersion = read('mesosVersion');
  const marathonVersion = read('marathonVersion');
  const packageRepository = read('packageRepository');
  const packageKeyUrl = read('packageKeyUrl');
  const packageSource = read('packageSource');
  if (!baseImageId || !ubuntuRelease || !mesosVersion || !marathonVersion || !packageRepository || !packageKeyUrl || !packageSource) {
    return undefined;
  }
  return {
    baseImageId,
    software: {
      ubuntuRelease: ubuntuRelease as ClusterSpec['software']['ubuntuRelease'],
      mesosVersion,
      marathonVersion,
      packageRepository,
      packageKeyUrl,
      packageSource: packageSource as ClusterSpec['software']['packageSource'],
    },
    freshImage: read('freshImage') === 'true',
  };
}
