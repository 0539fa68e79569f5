import { DeleteAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { hasCode } from '../shared/aws-errors';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { chunks, isString, unlessGone } from '../shared/delete-helpers';
import { findAlarms } from '../shared/discovery-alarms';
import { defineStep, type StepClients } from '../shared/step';

/** DeleteAlarms takes at most 100 names per call. */
const BATCH = 100;

/**
 * Delete Alarms: deletes every CloudWatch alarm named `mesos-cluster-<clusterId>-…`, first
 * in the teardown so that no scaling alarm launches slaves into a VPC being deleted.
 */
export const deleteAlarmsStep = defineStep(
  'delete-alarms',
  async ({ clusterId }: TeardownInput, { cloudwatch }: Pick<StepClients, 'cloudwatch'>): Promise<TeardownDeleteOutput> => {
    const names = (await findAlarms(cloudwatch, clusterId)).map((a) => a.AlarmName).filter(isString);
    const deleted: string[] = [];
    for (const batch of chunks(names, BATCH)) {
      try {
        await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: batch }));
        deleted.push(...batch);
      } catch (err) {
        // One alarm deleted meanwhile fails the whole batch: delete the batch one by one.
        if (!hasCode(err, 'ResourceNotFound')) throw err;
        for (const name of batch) {
          if (await unlessGone(cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: [name] })), 'ResourceNotFound')) deleted.push(name);
        }
      }
    }
    return { deleted };
  }
);
