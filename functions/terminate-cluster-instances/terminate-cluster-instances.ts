import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { TeardownInput, TeardownStartOutput } from '../shared/contracts';
import { chunks, findInstances, isString } from '../shared/discovery';
import { RetryableError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';

/** TerminateInstances takes at most 1000 instance ids per call. */
const BATCH = 1000;

/**
 * Terminate Cluster Instances: terminates every instance of the cluster that is not
 * already shutting down (masters, template slave, slaves) with one TerminateInstances
 * call. Check Instances Terminated then waits for `terminated`.
 */
export const terminateClusterInstancesStep = defineStep(
  'terminate-cluster-instances',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownStartOutput> => {
    const startedAt = new Date().toISOString();
    const instances = await findInstances(ec2, clusterId, ['pending', 'running', 'stopping', 'stopped']);
    const ids = instances.map((i) => i.InstanceId).filter(isString);
    for (const batch of chunks(ids, BATCH)) {
      try {
        await ec2.send(new TerminateInstancesCommand({ InstanceIds: batch }));
      } catch (err) {
        // Describe just listed these ids, so NotFound is eventual consistency, not proof of
        // termination; the whole call failed, so the next run tries them all again.
        if (hasCode(err, 'InvalidInstanceID.NotFound')) {
          throw new RetryableError(`an instance is not visible to TerminateInstances yet: ${(err as Error).message}`, { cause: err });
        }
        throw err;
      }
    }
    return { ids, startedAt };
  }
);
