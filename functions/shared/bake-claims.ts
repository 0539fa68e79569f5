/**
 * Claims on the bake of a shared slave image: one template slave per recipe, however many
 * clusters of that recipe are created at once.
 *
 * A cluster that finds no image of its recipe claims the bake by writing an SSM parameter
 * `/mesos-cluster/image-bakes/<recipe hash>/<generation>` with PutParameter and no
 * Overwrite: the service creates a name once and refuses every later put of it with
 * ParameterAlreadyExists, so of the clusters that write the same name at once exactly one
 * succeeds. The others wait for the image (Check Image Bake) instead of launching their own
 * template slave.
 *
 * A claim holds a lease (`expiresAt`): the claimer's whole bake budget and a margin for
 * the steps between its waits. The owner deletes its claim when its image is available,
 * and its rollback or teardown deletes it when the bake fails. A claim whose lease has run
 * out (an owner stopped without a rollback) is taken over by writing the next generation,
 * again create-only, so two waiters that find it stale at once still end with one owner.
 * The current claim is the highest generation; the winner deletes the older ones.
 *
 * A claim is a lock for efficiency, not for correctness: two bakes of one recipe still end
 * with one shared image (Bake Image's name is the recipe's, unique per account and Region).
 * So the only cost of the rare race the lease leaves open (an owner that outlives its lease)
 * is one more template slave.
 *
 * Parameter Store limits and behaviour: PutParameter's Overwrite defaults to false and an
 * existing name answers ParameterAlreadyExists (API reference, PutParameter); tags can be
 * given only when a parameter is created, which needs ssm:AddTagsToResource as well
 * (CloudFormation AWS::SSM::Parameter); GetParametersByPath answers at most 10 per page.
 */

import type { EC2Client, Image } from '@aws-sdk/client-ec2';
import {
  DeleteParameterCommand,
  GetParametersByPathCommand,
  type Parameter,
  PutParameterCommand,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { hasCode } from './aws-errors';
import { allPages } from './pages';
import { newestImagesWithHash } from './slave-images';
import { type ClusterRef, clusterTags } from './tags';

/** Where the claims live: one folder per recipe hash. */
export const BAKE_CLAIM_ROOT = '/mesos-cluster/image-bakes';

/**
 * The margin a lease adds to the bake's budget: the bake's steps outside its three waits
 * (launch, configure, bake, terminate), each with its retries' back-off (the launch's alone
 * may wait about 4 minutes: workflow/retry.ts LAUNCH_STEP_RETRIES).
 */
export const BAKE_LEASE_MARGIN_SECONDS = 600;

/**
 * How long a waiting cluster may have waited and still take a given-up bake over (its
 * owner's rollback released the claim). A waiter's chain of waits is its wait and then, on
 * a takeover, a whole bake of its own: past this window that chain could outlast the one
 * the spec's budgets were checked against (cluster-spec-rules MAX_TIMEOUT_CHAIN_MINUTES,
 * which keeps a create inside its execution timeout), so a later give-up fails the create
 * (and rolls it back) instead. A bake that fails does so mostly early: a package source or
 * key that the template slave's setup cannot use, a launch refused.
 */
export const BAKE_TAKEOVER_WINDOW_SECONDS = 600;

/** One claim on a recipe's bake. */
export interface BakeClaim {
  /** The parameter name. */
  readonly name: string;
  readonly generation: number;
  readonly clusterId: string;
  readonly clusterName: string;
  /** Epoch ms. */
  readonly claimedAt: number;
  /** Epoch ms; a claim whose value cannot be read counts as expired. */
  readonly expiresAt: number;
}

/** The folder of a recipe's claims. */
export function claimFolder(imageHash: string): string {
  if (!/^[0-9a-f]{64}$/.test(imageHash)) throw new RangeError(`not a recipe hash: ${imageHash}`);
  return `${BAKE_CLAIM_ROOT}/${imageHash}`;
}

/** The claims on a recipe's bake, highest generation first. */
export async function readClaims(ssm: SSMClient, imageHash: string): Promise<BakeClaim[]> {
  const parameters = await listParameters(ssm, claimFolder(imageHash), false);
  return parameters
    .map(parseClaim)
    .filter((c): c is BakeClaim => c !== undefined)
    .sort((a, b) => b.generation - a.generation);
}

/** The claim that holds the bake now: the highest generation, unless its lease has run out. */
export function liveClaim(claims: readonly BakeClaim[], now: number): BakeClaim | undefined {
  const top = [...claims].sort((a, b) => b.generation - a.generation)[0];
  return top && top.expiresAt > now ? top : undefined;
}

export interface ClaimRequest {
  readonly imageHash: string;
  readonly cluster: ClusterRef;
  /** The claimer's bake budget; the lease adds BAKE_LEASE_MARGIN_SECONDS. */
  readonly budgetSeconds: number;
  readonly now: number;
}

/** What a cluster that looked at a recipe's claims should do. */
export type ClaimDecision =
  | { readonly outcome: 'claimed'; readonly claim: BakeClaim }
  | { readonly outcome: 'held'; readonly claim: BakeClaim | undefined };

/**
 * Claims the bake unless another cluster's live claim holds it. Safe to run twice: a
 * cluster that already holds the live claim keeps it (a retry after an answer lost in
 * transit). `claims` are the ones read just before (readClaims).
 */
export async function claimBake(ssm: SSMClient, request: ClaimRequest, claims: readonly BakeClaim[]): Promise<ClaimDecision> {
  const live = liveClaim(claims, request.now);
  if (live) return live.clusterId === request.cluster.clusterId ? { outcome: 'claimed', claim: live } : { outcome: 'held', claim: live };
  const generation = Math.max(0, ...claims.map((c) => c.generation)) + 1;
  const claim: BakeClaim = {
    name: `${claimFolder(request.imageHash)}/${String(generation).padStart(6, '0')}`,
    generation,
    clusterId: request.cluster.clusterId,
    clusterName: request.cluster.clusterName,
    claimedAt: request.now,
    expiresAt: request.now + (request.budgetSeconds + BAKE_LEASE_MARGIN_SECONDS) * 1000,
  };
  try {
    await ssm.send(
      new PutParameterCommand({
        Name: claim.name,
        Type: 'String',
        Value: JSON.stringify({
          clusterId: claim.clusterId,
          clusterName: claim.clusterName,
          claimedAt: new Date(claim.claimedAt).toISOString(),
          expiresAt: new Date(claim.expiresAt).toISOString(),
        }),
        Description: `Bake of the Mesos agent image of recipe ${request.imageHash.slice(0, 12)}, claimed by cluster ${claim.clusterName}`,
        Overwrite: false,
        Tags: clusterTags(request.cluster, 'image-bake-claim').map((t) => ({ Key: t.Key ?? '', Value: t.Value ?? '' })),
      })
    );
  } catch (err) {
    if (!hasCode(err, 'ParameterAlreadyExists')) throw err;
    // Another cluster wrote this generation first, and holds the bake; or this one did, on an
    // attempt whose answer was lost (the SDK's retry of the same put then finds it).
    const winner = liveClaim(await readClaims(ssm, request.imageHash), request.now);
    if (winner?.clusterId !== request.cluster.clusterId) return { outcome: 'held', claim: winner };
    return { outcome: 'claimed', claim: winner };
  }
  // The older generations are spent (released or run out): remove them.
  await deleteNames(
    ssm,
    claims.map((c) => c.name)
  );
  return { outcome: 'claimed', claim };
}

/**
 * Deletes the cluster's claims: of one recipe, or of every recipe (a rollback or a
 * teardown). Returns the names deleted; names already gone are skipped.
 */
export async function releaseClaims(ssm: SSMClient, clusterId: string, imageHash?: string): Promise<string[]> {
  const mine = await clusterClaims(ssm, clusterId, imageHash);
  await deleteNames(
    ssm,
    mine.map((c) => c.name)
  );
  return mine.map((c) => c.name);
}

/** The cluster's claims: of one recipe, or of every recipe. */
export async function clusterClaims(ssm: SSMClient, clusterId: string, imageHash?: string): Promise<BakeClaim[]> {
  const parameters = await listParameters(ssm, imageHash ? claimFolder(imageHash) : BAKE_CLAIM_ROOT, imageHash === undefined);
  return parameters
    .map(parseClaim)
    .filter((c): c is BakeClaim => c !== undefined && c.clusterId === clusterId)
    .sort((a, b) => a.name.localeCompare(b.name));
}

async function listParameters(ssm: SSMClient, path: string, recursive: boolean): Promise<Parameter[]> {
  return allPages(async (NextToken) => {
    const page = await ssm.send(new GetParametersByPathCommand({ Path: path, Recursive: recursive, MaxResults: 10, NextToken }));
    return { items: page.Parameters ?? [], next: page.NextToken };
  });
}

async function deleteNames(ssm: SSMClient, names: readonly string[]): Promise<void> {
  for (const Name of names) {
    try {
      await ssm.send(new DeleteParameterCommand({ Name }));
    } catch (err) {
      if (!hasCode(err, 'ParameterNotFound')) throw err;
    }
  }
}

/** A claim from its parameter; a value that cannot be read is a claim that has run out (and is taken over). */
function parseClaim(parameter: Parameter): BakeClaim | undefined {
  const name = parameter.Name ?? '';
  const match = /\/(\d+)$/.exec(name);
  if (!match) return undefined;
  const generation = Number(match[1]);
  let value: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(parameter.Value ?? '');
    if (parsed && typeof parsed === 'object') value = parsed as Record<string, unknown>;
  } catch {
    // Unreadable: expired below.
  }
  const text = (key: string) => (typeof value[key] === 'string' ? (value[key] as string) : '');
  const claimedAt = Date.parse(text('claimedAt'));
  const expiresAt = Date.parse(text('expiresAt'));
  return {
    name,
    generation,
    clusterId: text('clusterId'),
    clusterName: text('clusterName') || text('clusterId'),
    claimedAt: Number.isFinite(claimedAt) ? claimedAt : 0,
    expiresAt: Number.isFinite(expiresAt) ? expiresAt : 0,
  };
}

/** What a cluster without an image of its recipe found. */
export type ImageOrClaim =
  | { readonly state: 'available'; readonly imageId: string }
  | { readonly state: 'claimed'; readonly claim: BakeClaim }
  /** `pending`: the holder's image, once it is being created (its snapshots tell when it ends). */
  | { readonly state: 'waiting'; readonly claim: BakeClaim | undefined; readonly pending?: Image }
  /** No image and no live claim, and the cluster may not claim (`mayClaim` false): the last claim, if any. */
  | { readonly state: 'given-up'; readonly claim: BakeClaim | undefined };

export interface ImageOrClaimOptions {
  /** Runs only when the cluster is about to claim (it refuses a cluster being deleted). */
  readonly beforeClaim?: () => Promise<void>;
  /** Whether the cluster may claim a bake that nobody holds. @default true */
  readonly mayClaim?: boolean;
  /** Also look for a pending image of the recipe (a waiter aims its next look with it). @default false */
  readonly withPending?: boolean;
}

/**
 * Looks for the recipe's image, else claims its bake. The claims are read before the
 * images: an owner deletes its claim only once its image is available, so a cluster that
 * finds no claim and no image cannot have missed a finished bake.
 */
export async function imageOrClaim(
  clients: { readonly ec2: EC2Client; readonly ssm: SSMClient },
  request: ClaimRequest,
  { beforeClaim = async () => {}, mayClaim = true, withPending = false }: ImageOrClaimOptions = {}
): Promise<ImageOrClaim> {
  const claims = await readClaims(clients.ssm, request.imageHash);
  const images = await newestImagesWithHash(clients.ec2, request.imageHash, withPending ? ['available', 'pending'] : ['available']);
  if (images.available?.ImageId) return { state: 'available', imageId: images.available.ImageId };
  const live = liveClaim(claims, request.now);
  if (live && live.clusterId !== request.cluster.clusterId) {
    return { state: 'waiting', claim: live, ...(images.pending ? { pending: images.pending } : {}) };
  }
  if (!live && !mayClaim) return { state: 'given-up', claim: [...claims].sort((a, b) => b.generation - a.generation)[0] };
  await beforeClaim();
  const decision = await claimBake(clients.ssm, request, claims);
  return decision.outcome === 'claimed' ? { state: 'claimed', claim: decision.claim } : { state: 'waiting', claim: decision.claim };
}
