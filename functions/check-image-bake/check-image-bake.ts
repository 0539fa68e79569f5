/**
 * Check Image Bake: the wait of a cluster whose recipe another cluster is baking
 * (functions/shared/bake-claims.ts). Each check looks for the recipe's image, then at the
 * claims:
 *   - the image is available: it is recorded on the cluster's VPC (state available);
 *   - no live claim is left (the owner's bake failed and its rollback released the claim,
 *     or its lease ran out): within BAKE_TAKEOVER_WINDOW_SECONDS of waiting this cluster
 *     claims the bake and bakes itself (state claimed); later it fails (FatalError), as a
 *     bake of its own then could outlast the create's budget;
 *   - otherwise it waits: the back-off of every poll loop, but never past the holder's lease;
 *     once the holder's image is pending, its snapshots' progress says when to look (as
 *     Check Slave Image does for the holder).
 * The budget is the cluster's own bake budget, counted from when Find Cached Image looked
 * (`since`): waiting for another cluster's image takes at most as long as the bake it
 * replaces could.
 */
import { snapshotRemaining } from '../check-image/check-image';
import { BAKE_TAKEOVER_WINDOW_SECONDS, imageOrClaim } from '../shared/bake-claims';
import type { CheckImageBakeInput, CheckImageBakeOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { assertClusterNotDeleting } from '../shared/network';
import { budgetSecondsOf, epochOf, minutes, withPoll } from '../shared/poll';
import { recordSlaveImage } from '../shared/slave-images';
import { defineStep, type StepClients } from '../shared/step';

export const checkImageBakeStep = defineStep(
  'check-image-bake',
  async (input: CheckImageBakeInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<CheckImageBakeOutput> => {
    const budgetSeconds = budgetSecondsOf(input);
    if (budgetSeconds === undefined || !(budgetSeconds > 0)) {
      throw new FatalError('check-image-bake needs the bake budget (budgetSeconds or budgetMinutes)');
    }
    const now = Date.now();
    const since = epochOf(input.since) ?? now;
    const waitedSeconds = Math.max(0, (now - since) / 1000);
    const found = await imageOrClaim(
      { ec2, ssm },
      { imageHash: input.imageHash, cluster: input, budgetSeconds, now },
      {
        beforeClaim: () => assertClusterNotDeleting(ec2, input.clusterId, 'check-image-bake'),
        mayClaim: waitedSeconds <= BAKE_TAKEOVER_WINDOW_SECONDS,
        withPending: true,
      }
    );
    const poll = { budgetSeconds, ...(input.since ? { since: input.since } : {}) };
    if (found.state === 'available') {
      await recordSlaveImage(ec2, input.vpcId, found.imageId);
      return withPoll(poll, { state: 'available', imageId: found.imageId, bakingCluster: null }, { done: true, now });
    }
    if (found.state === 'claimed') return withPoll(poll, { state: 'claimed', imageId: null, bakingCluster: null }, { done: true, now });
    if (found.state === 'given-up') {
      const what = found.claim
        ? `the claim of cluster ${found.claim.clusterName} on the slave image bake ran out without an image`
        : 'the slave image bake this cluster waited for was given up (its claim was released without an image)';
      throw new FatalError(
        `${what} after ${minutes(waitedSeconds)} min of waiting; a bake of its own this late (past ${minutes(BAKE_TAKEOVER_WINDOW_SECONDS)} min) could outlast the create's time budget: create the cluster again`
      );
    }
    const remainingSeconds = found.pending ? await snapshotRemaining(ec2, found.pending, now) : undefined;
    const answer = withPoll(
      poll,
      { state: 'waiting' as const, imageId: null, bakingCluster: found.claim?.clusterName ?? null },
      { done: false, startedAt: since, now, ...(remainingSeconds === undefined ? {} : { remainingSeconds }) }
    );
    // Look again when the holder's lease ends, if that comes before the back-off's next look.
    const untilExpiry = found.claim ? Math.ceil((found.claim.expiresAt - now) / 1000) : undefined;
    if ('waitSeconds' in answer && !answer.timedOut && untilExpiry !== undefined && untilExpiry > 0) {
      return { ...answer, waitSeconds: Math.max(1, Math.min(answer.waitSeconds, untilExpiry)) };
    }
    return answer;
  }
);
