/**
 * Slave images shared between clusters: finding an image by its recipe hash, recording
 * on a cluster's VPC which image its slaves launch from, and telling which other live
 * clusters use an image (so that a teardown keeps it for them).
 *
 * An image is tagged with the cluster that owns it (`mesos-cluster:id`: the cluster that
 * baked it, or the one it was handed to) and with `mesos-cluster:baked-by`; every cluster
 * that launches slaves from it carries `mesos-cluster:slave-image = <image id>` on its VPC.
 */
import { CreateTagsCommand, DescribeImagesCommand, DescribeVpcsCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { hasCode, isNotFound } from './aws-errors';
import { describeInstances } from './instances';
import { onNewResource } from './network';
import { TAG_ID, TAG_IMAGE_HASH, TAG_NAME, TAG_ROLE, TAG_SLAVE_IMAGE, TAG_STATUS, tagValue } from './tags';

/** A cluster that uses an image. */
export interface ImageUser {
  readonly clusterId: string;
  readonly clusterName: string;
}

/**
 * The status of a cluster whose teardown has begun: it no longer counts as a user of its
 * image, so two clusters deleted at the same time do not keep the image for each other.
 */
export const DELETING_STATUS = 'DELETE_IN_PROGRESS';

/** Instance states in which an instance still runs from its image (not shutting down or gone). */
const USING_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** The newest available image of this account tagged with the recipe hash. */
export async function newestImageWithHash(ec2: EC2Client, hash: string): Promise<string | undefined> {
  return (await newestImagesWithHash(ec2, hash, ['available'])).available?.ImageId;
}

/**
 * The newest image of this account tagged with the recipe hash in each of the given states
 * (`available`, `pending`), from one DescribeImages call.
 */
export async function newestImagesWithHash(
  ec2: EC2Client,
  hash: string,
  states: readonly ('available' | 'pending')[]
): Promise<{ available?: Image; pending?: Image }> {
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({
      Owners: ['self'],
      Filters: [
        { Name: `tag:${TAG_IMAGE_HASH}`, Values: [hash] },
        { Name: 'state', Values: [...states] },
      ],
    })
  );
  const newest = (state: string) =>
    Images.filter((i) => i.ImageId && i.State === state)
      .sort(
        (a, b) => Date.parse(b.CreationDate ?? '') - Date.parse(a.CreationDate ?? '') || (a.ImageId ?? '').localeCompare(b.ImageId ?? '')
      )
      .at(0);
  const available = states.includes('available') ? newest('available') : undefined;
  const pending = states.includes('pending') ? newest('pending') : undefined;
  return { ...(available ? { available } : {}), ...(pending ? { pending } : {}) };
}

/** Tags the cluster's VPC with the image its slaves launch from. */
export async function recordSlaveImage(ec2: EC2Client, vpcId: string, imageId: string): Promise<void> {
  await onNewResource(`VPC ${vpcId}`, () =>
    ec2.send(new CreateTagsCommand({ Resources: [vpcId], Tags: [{ Key: TAG_SLAVE_IMAGE, Value: imageId }] }))
  );
}

/** The images of this account with these ids; ids that no longer exist are left out. */
export async function imagesById(ec2: EC2Client, imageIds: readonly string[]): Promise<Image[]> {
  const found: Image[] = [];
  // One id per call: DescribeImages answers NotFound for the whole call if one id is gone.
  for (const imageId of imageIds) {
    try {
      const { Images = [] } = await ec2.send(new DescribeImagesCommand({ Owners: ['self'], ImageIds: [imageId] }));
      found.push(...Images.filter((i) => i.ImageId === imageId && i.State !== 'deregistered'));
    } catch (err) {
      if (!isNotFound(err) && !hasCode(err, 'InvalidAMIID.Unavailable')) throw err;
    }
  }
  return found;
}

/**
 * The live clusters other than `clusterId` that use the image: those whose VPC records it
 * (`mesos-cluster:slave-image`), and those with instances running from it; a cluster whose
 * VPC says DELETE_IN_PROGRESS does not count. Sorted by cluster id.
 */
export async function otherImageUsers(ec2: EC2Client, imageId: string, clusterId: string): Promise<ImageUser[]> {
  const users = new Map<string, string>();
  const deleting = new Set<string>();
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: `tag:${TAG_SLAVE_IMAGE}`, Values: [imageId] }] }));
  for (const vpc of Vpcs) {
    const id = tagValue(vpc.Tags, TAG_ID);
    if (!id || id === clusterId) continue;
    if (tagValue(vpc.Tags, TAG_STATUS) === DELETING_STATUS) deleting.add(id);
    else users.set(id, tagValue(vpc.Tags, TAG_NAME) ?? id);
  }
  const instances = await describeInstances(ec2, {
    filters: [
      { Name: 'image-id', Values: [imageId] },
      { Name: 'instance-state-name', Values: USING_STATES },
      { Name: 'tag-key', Values: [TAG_ID] },
    ],
  });
  const fromInstances = new Map<string, string>();
  for (const instance of instances) {
    const id = tagValue(instance.Tags, TAG_ID);
    if (!id || id === clusterId || users.has(id) || deleting.has(id)) continue;
    fromInstances.set(id, tagValue(instance.Tags, TAG_NAME) ?? id);
  }
  if (fromInstances.size > 0) {
    // Clusters known only from their instances: their VPC tells whether they are being deleted.
    const { Vpcs: theirs = [] } = await ec2.send(
      new DescribeVpcsCommand({
        Filters: [
          { Name: `tag:${TAG_ID}`, Values: [...fromInstances.keys()] },
          { Name: `tag:${TAG_ROLE}`, Values: ['vpc'] },
        ],
      })
    );
    for (const vpc of theirs) {
      const id = tagValue(vpc.Tags, TAG_ID);
      if (id && tagValue(vpc.Tags, TAG_STATUS) === DELETING_STATUS) fromInstances.delete(id);
    }
    for (const [id, name] of fromInstances) users.set(id, name);
  }
  return [...users.entries()]
    .map(([id, name]) => ({ clusterId: id, clusterName: name }))
    .sort((a, b) => a.clusterId.localeCompare(b.clusterId));
}
