/**
 * Mark Deleting: the teardown's first step. Records DELETE_IN_PROGRESS on the cluster's
 * VPC, so that Plan Scale refuses every new scale, and the steps that make costly resources
 * (NAT gateway, instances, image, alarms, Mark Cluster Ready: `assertClusterNotDeleting`)
 * refuse, so a running create or scale stops instead of building into a VPC being
 * deleted. A cluster without a
 * VPC (never created, already deleted) has nothing to mark: success.
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { MarkDeletingOutput, TeardownInput } from '../shared/contracts';
import { findClusterVpcIds } from '../shared/network';
import { STATUS } from '../shared/scaling';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_STATUS } from '../shared/tags';

/** Tags the cluster's VPC DELETE_IN_PROGRESS; returns the VPCs it tagged. */
export const markDeletingStep = defineStep(
  'mark-deleting',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<MarkDeletingOutput> => {
    const status = STATUS.deleteInProgress;
    const vpcIds = await findClusterVpcIds(ec2, clusterId);
    if (vpcIds.length === 0) return { status, vpcIds };
    // A NotFound here is eventual consistency (the filter just listed the VPC): invokeStep
    // makes it a RetryableError, and the retry tags it.
    await ec2.send(new CreateTagsCommand({ Resources: vpcIds, Tags: [{ Key: TAG_STATUS, Value: status }] }));
    return { status, vpcIds };
  }
);
