import { createHash } from 'node:crypto';

/**
 * A ClientToken for an EC2 create call (at most 64 ASCII characters), stable across
 * re-runs of the same step of the same cluster, so that a retried or redriven step
 * returns the resource of the first run instead of creating a second one.
 */
export function clientToken(clusterId: string, step: string): string {
  return createHash('sha256').update(`${clusterId}/${step}`).digest('hex');
}
