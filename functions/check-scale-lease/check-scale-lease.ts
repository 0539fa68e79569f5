/**
 * Check Scale Lease: confirms, before a scale launches or terminates anything, that this
 * execution still holds the cluster's scale lease that Plan Scale took. EC2 tags are not a
 * conditional write: two plans that read CREATE_COMPLETE at the same moment both write
 * the lease, and the last write wins. Run after a short wait, this check lets only the
 * winner go on. It also stops a scale when a teardown has begun (DELETE_IN_PROGRESS).
 */
import type { CheckScaleLeaseOutput, ScaleLeaseInput } from '../shared/contracts';
import { ConflictError } from '../shared/errors';
import { clusterStatus, findClusterVpc, scaleLease } from '../shared/scaling';
import { defineStep, type StepClients } from '../shared/step';

/** ConflictError unless the cluster is UPDATE_IN_PROGRESS under this execution's lease. */
export const checkScaleLeaseStep = defineStep(
  'check-scale-lease',
  async (input: ScaleLeaseInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CheckScaleLeaseOutput> => {
    const vpc = await findClusterVpc(ec2, input.clusterId);
    if (!vpc) throw new ConflictError(`cluster ${input.clusterId} no longer exists; the scale stops`);
    const lease = scaleLease(vpc.tags);
    if (lease?.owner === input.executionId) return { held: true };
    const holder = lease ? ` (the scale lease is held by ${lease.owner})` : '';
    throw new ConflictError(`cluster ${input.clusterId} is ${clusterStatus(vpc.tags)}${holder}; the scale stops`);
  }
);
