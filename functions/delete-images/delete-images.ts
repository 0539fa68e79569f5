import { CreateTagsCommand, DeleteSnapshotCommand, DeregisterImageCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { releaseClaims } from '../shared/bake-claims';
import type { DeleteImagesOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findImages, findSnapshots, findVpcs, isString } from '../shared/discovery';
import { type ImageUser, imagesById, otherImageUsers } from '../shared/slave-images';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_ID, TAG_NAME, TAG_SLAVE_IMAGE, tagValue } from '../shared/tags';

/**
 * Delete Images: the slave images of the cluster: those it owns (tagged with its id) and
 * the one its VPC records as its slaves' image (`mesos-cluster:slave-image`, possibly
 * baked by another cluster). An image that another live cluster still uses is kept: if
 * this cluster owns it, it is handed over to one of those users (its id and name tags, and
 * its snapshots', are rewritten), so that the image always belongs to a live cluster and
 * the last user's teardown deletes it. Every other image is deregistered and its snapshots
 * deleted. The snapshot ids are read from the images' block device mappings before
 * deregistering (afterwards the image is gone), and snapshots tagged with the cluster
 * whose image is already gone are deleted too, so a re-run after a crash between the two
 * finishes the job.
 *
 * Then it deletes the cluster's claims on image bakes (functions/shared/bake-claims.ts):
 * after the images, so that a cluster waiting for this one's bake sees the claim until the
 * image it would find is settled.
 */
export const deleteImagesStep = defineStep(
  'delete-images',
  async ({ clusterId }: TeardownInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<DeleteImagesOutput> => {
    const images = await deleteClusterImages(ec2, clusterId);
    return { ...images, claimsReleased: await releaseClaims(ssm, clusterId) };
  }
);

/** What deleteClusterImages did. */
export type ImageDeletion = Omit<DeleteImagesOutput, 'claimsReleased'>;

/** Deletes (or hands over) the cluster's slave images and their snapshots, as Delete Images describes. */
export async function deleteClusterImages(ec2: EC2Client, clusterId: string): Promise<ImageDeletion> {
  const owned = await findImages(ec2, clusterId);
  const ownedIds = new Set(owned.map((i) => i.ImageId).filter(isString));
  const recorded = (await findVpcs(ec2, clusterId)).map((v) => tagValue(v.Tags, TAG_SLAVE_IMAGE)).filter(isString);
  const used = await imagesById(
    ec2,
    [...new Set(recorded)].filter((id) => !ownedIds.has(id))
  );

  const kept: Image[] = [];
  const doomed: Image[] = [];
  for (const image of [...owned, ...used]) {
    if (!image.ImageId) continue;
    const users = await otherImageUsers(ec2, image.ImageId, clusterId);
    const [heir] = users;
    if (!heir) {
      doomed.push(image);
      continue;
    }
    if (tagValue(image.Tags, TAG_ID) === clusterId) await handOver(ec2, image, heir);
    kept.push(image);
  }

  const keptSnapshots = new Set(kept.flatMap(snapshotsOf));
  const snapshotIds = new Set(doomed.flatMap(snapshotsOf));
  const deregistered = await deleteEach(
    doomed.map((i) => i.ImageId).filter(isString),
    (ImageId) => ec2.send(new DeregisterImageCommand({ ImageId })),
    { what: 'images', goneCodes: ['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'], retryCodes: [] }
  );
  for (const snapshot of await findSnapshots(ec2, clusterId)) {
    if (snapshot.SnapshotId && !keptSnapshots.has(snapshot.SnapshotId)) snapshotIds.add(snapshot.SnapshotId);
  }
  // A snapshot stays InUse for a moment after its image is deregistered.
  const deletedSnapshots = await deleteEach([...snapshotIds], (SnapshotId) => ec2.send(new DeleteSnapshotCommand({ SnapshotId })), {
    what: 'snapshots',
    goneCodes: ['InvalidSnapshot.NotFound'],
    retryCodes: ['InvalidSnapshot.InUse'],
  });
  return { deleted: [...deregistered, ...deletedSnapshots], kept: kept.map((i) => i.ImageId).filter(isString) };
}

function snapshotsOf(image: Image): string[] {
  return (image.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId).filter(isString);
}

/** Makes `heir` the owner of the image and its snapshots: one CreateTags call for all of them. */
async function handOver(ec2: EC2Client, image: Image, heir: ImageUser): Promise<void> {
  await ec2.send(
    new CreateTagsCommand({
      Resources: [image.ImageId as string, ...snapshotsOf(image)],
      Tags: [
        { Key: TAG_ID, Value: heir.clusterId },
        { Key: TAG_NAME, Value: heir.clusterName },
        { Key: 'Name', Value: `${heir.clusterName}-slave-image` },
      ],
    })
  );
}
