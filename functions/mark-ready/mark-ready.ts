import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { MarkReadyInput, MarkReadyOutput } from '../shared/contracts';
import { assertClusterNotDeleting } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_STATUS } from '../shared/tags';

/**
 * Mark Cluster Ready: records CREATE_COMPLETE on the cluster's VPC, where status reads it;
 * refuses (FatalError) when a teardown has already marked the cluster DELETE_IN_PROGRESS.
 */
export const markReadyStep = defineStep(
  'mark-ready',
  async (input: MarkReadyInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<MarkReadyOutput> => {
    await assertClusterNotDeleting(ec2, input.clusterId, 'mark-ready');
    const status = 'CREATE_COMPLETE';
    await ec2.send(new CreateTagsCommand({ Resources: [input.vpcId], Tags: [{ Key: TAG_STATUS, Value: status }] }));
    return { status };
  }
);
