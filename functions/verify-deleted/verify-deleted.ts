import { listClusterResources } from '../shared/cluster-resources';
import type { TeardownInput, VerifyDeletedOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** At most this many leftovers are named in the failure. */
const MAX_LISTED = 20;

/**
 * Verify Nothing Left: lists every live resource that still carries the cluster's tag
 * (and every alarm with its name prefix, and its claims on image bakes). Anything left fails the teardown with a
 * FatalError naming it: `3 resources left: vpc-1 (vpc, available), …`.
 */
export const verifyDeletedStep = defineStep(
  'verify-deleted',
  async ({ clusterId }: TeardownInput, clients: Pick<StepClients, 'ec2' | 'cloudwatch' | 'ssm'>): Promise<VerifyDeletedOutput> => {
    const left = await listClusterResources(clusterId, clients);
    if (left.length > 0) {
      const listed = left.slice(0, MAX_LISTED).map((r) => `${r.id} (${r.type}, ${r.state})`);
      const more = left.length > MAX_LISTED ? `, and ${left.length - MAX_LISTED} more` : '';
      throw new FatalError(`${left.length} resource${left.length === 1 ? '' : 's'} left: ${listed.join(', ')}${more}`);
    }
    return { remaining: [] };
  }
);
