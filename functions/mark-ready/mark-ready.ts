import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import type { MarkReadyInput, MarkReadyOutput } from '../shared/contracts';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_STATUS } from '../shared/tags';

/** Mark Cluster Ready: records CREATE_COMPLETE on the cluster's VPC, where status reads it. */
export const markReadyStep = defineStep(
  'mark-ready',
  async (input: MarkReadyInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<MarkReadyOutput> => {
    const status = 'CREATE_COMPLETE';
    await ec2.send(new CreateTagsCommand({ Resources: [input.vpcId], Tags: [{ Key: TAG_STATUS, Value: status }] }));
    return { status };
  }
);
