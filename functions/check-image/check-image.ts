/**
 * Check Image: whether the slave image is available. Right after CreateImage the id may
 * not be visible yet (eventual consistency): that is pending, not an error. Within a budget
 * it also answers when to look next, counting from the image's CreationDate; while the
 * image is pending, the progress of its snapshots (DescribeSnapshots `Progress`) says
 * when it should be done, and the next look goes there.
 *
 * Once the image is available, the cluster's claim on its recipe's bake is released
 * (functions/shared/bake-claims.ts): clusters waiting for the bake then find the image.
 */
import { DescribeImagesCommand, DescribeSnapshotsCommand, type EC2Client, type Image, type Snapshot } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import { releaseClaims } from '../shared/bake-claims';
import type { CheckImageInput, CheckImageOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { epochOf, isPolled, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

const PENDING_STATES = ['pending', 'transient'];

/** Reports whether the slave image is pending or available; FatalError when it failed. */
export const checkImageStep = defineStep(
  'check-image',
  async (input: CheckImageInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<CheckImageOutput> => {
    let image: Image | undefined;
    try {
      const result = await ec2.send(new DescribeImagesCommand({ ImageIds: [input.imageId] }));
      image = result.Images?.find((i) => i.ImageId === input.imageId);
    } catch (err) {
      if (hasCode(err, 'InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable')) return withPoll(input, { state: 'pending' }, { done: false });
      throw err;
    }
    if (!image) return withPoll(input, { state: 'pending' }, { done: false });
    const startedAt = epochOf(image.CreationDate);
    const state = image.State ?? 'pending';
    if (state === 'available') {
      if (input.imageHash) await releaseClaims(ssm, input.clusterId, input.imageHash);
      return withPoll(input, { state: 'available' }, { done: true, startedAt });
    }
    if (PENDING_STATES.includes(state)) {
      const remainingSeconds = isPolled(input) ? await snapshotRemaining(ec2, image) : undefined;
      return withPoll(
        input,
        { state: 'pending' },
        { done: false, startedAt, ...(remainingSeconds === undefined ? {} : { remainingSeconds }) }
      );
    }
    const reason = image.StateReason ? `: ${image.StateReason.Code ?? ''} ${image.StateReason.Message ?? ''}`.trimEnd() : '';
    throw new FatalError(`image ${input.imageId} is ${state}${reason}`);
  }
);

/**
 * Seconds the image's snapshots still need, extrapolated from their progress: a snapshot
 * p % done after t seconds needs about t × (100 − p) / p more. The slowest snapshot counts;
 * undefined when no snapshot is listed yet or none has made progress (0 % says nothing).
 */
export async function snapshotRemaining(ec2: EC2Client, image: Image, now = Date.now()): Promise<number | undefined> {
  const ids = (image.BlockDeviceMappings ?? []).map((m) => m.Ebs?.SnapshotId).filter((id): id is string => typeof id === 'string');
  if (ids.length === 0) return undefined;
  let snapshots: Snapshot[];
  try {
    ({ Snapshots: snapshots = [] } = await ec2.send(new DescribeSnapshotsCommand({ SnapshotIds: ids })));
  } catch (err) {
    // A new snapshot may not be visible yet: no estimate, not an error.
    if (hasCode(err, 'InvalidSnapshot.NotFound')) return undefined;
    throw err;
  }
  let slowest: number | undefined;
  for (const snapshot of snapshots) {
    const progress = Number.parseFloat((snapshot.Progress ?? '').replace('%', ''));
    const started = epochOf(snapshot.StartTime);
    if (!(progress > 0) || started === undefined) return undefined;
    if (progress >= 100) continue;
    const elapsed = Math.max(0, (now - started) / 1000);
    const remaining = (elapsed * (100 - progress)) / progress;
    slowest = Math.max(slowest ?? 0, remaining);
  }
  return slowest;
}
