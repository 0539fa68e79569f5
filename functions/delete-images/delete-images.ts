import { DeleteSnapshotCommand, DeregisterImageCommand } from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findImages, findSnapshots, isString } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete Images: deregisters the cluster's slave AMIs and deletes their snapshots. The
 * snapshot ids are read from the images' block device mappings before deregistering
 * (afterwards the image is gone), and snapshots tagged with the cluster whose image is
 * already gone are deleted too, so a re-run after a crash between the two finishes the job.
 */
export const deleteImagesStep = defineStep(
  'delete-images',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const images = await findImages(ec2, clusterId);
    const snapshotIds = new Set(images.flatMap((i) => (i.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId)).filter(isString));
    const deregistered = await deleteEach(
      images.map((i) => i.ImageId).filter(isString),
      (ImageId) => ec2.send(new DeregisterImageCommand({ ImageId })),
      { what: 'images', goneCodes: ['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable'], retryCodes: [] }
    );
    for (const snapshot of await findSnapshots(ec2, clusterId)) {
      if (snapshot.SnapshotId) snapshotIds.add(snapshot.SnapshotId);
    }
    // A snapshot stays InUse for a moment after its image is deregistered.
    const deletedSnapshots = await deleteEach([...snapshotIds], (SnapshotId) => ec2.send(new DeleteSnapshotCommand({ SnapshotId })), {
      what: 'snapshots',
      goneCodes: ['InvalidSnapshot.NotFound'],
      retryCodes: ['InvalidSnapshot.InUse'],
    });
    return { deleted: [...deregistered, ...deletedSnapshots] };
  }
);
