/**
 * Terminate Instances: terminates the given instances (the template slave after the
 * bake). An instance that EC2 no longer knows is already gone, which is success.
 */
import { type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { TerminateInstancesInput, TerminateInstancesOutput } from '../shared/contracts';
import { defineStep, type StepClients } from '../shared/step';

/** Terminates the given instances; unknown ids count as already gone. */
export const terminateInstancesStep = defineStep(
  'terminate-instances',
  async (input: TerminateInstancesInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TerminateInstancesOutput> => {
    if (input.instanceIds.length === 0) return { terminating: 0 };
    try {
      return { terminating: await terminate(ec2, input.instanceIds) };
    } catch (err) {
      if (!hasCode(err, 'InvalidInstanceID.NotFound')) throw err;
      // One unknown id fails the whole call and leaves the others running: retry them one by one.
      if (input.instanceIds.length === 1) return { terminating: 0 };
      let terminating = 0;
      for (const id of input.instanceIds) {
        try {
          terminating += await terminate(ec2, [id]);
        } catch (one) {
          if (!hasCode(one, 'InvalidInstanceID.NotFound')) throw one;
        }
      }
      return { terminating };
    }
  }
);

async function terminate(ec2: EC2Client, instanceIds: readonly string[]): Promise<number> {
  const result = await ec2.send(new TerminateInstancesCommand({ InstanceIds: [...instanceIds] }));
  return result.TerminatingInstances?.length ?? 0;
}
