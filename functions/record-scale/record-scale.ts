/**
 * Record Scale: the last step of a scale, on success and in its Catch. Gives the scale
 * lease back (status CREATE_COMPLETE) and records when the scale ended, which starts the
 * cooldown (a failed scale starts it too, so a failing alarm scale does not retry at once),
 * its outcome, and on success the new desired slave count, in one CreateTags call.
 *
 * Only the lease holder writes: when the lease is not this execution's (a teardown marked
 * the cluster DELETE_IN_PROGRESS, or another scale took an abandoned lease), nothing is
 * written. A re-run after a recorded scale returns what was recorded.
 *
 * Given the error of a failed scale, it also returns the failure code and reason the way
 * Record Failure names them (`<STEP>_FAILED`, `<errorType>: <message>`), for the machine's
 * Fail state; the cluster's status is left alone (a failed scale leaves it CREATE_COMPLETE).
 */
import { CreateTagsCommand } from '@aws-sdk/client-ec2';
import { describeFailure } from '../record-failure/record-failure';
import type { RecordScaleInput, RecordScaleOutput } from '../shared/contracts';
import { clusterStatus, findClusterVpc, STATUS, scaleLease } from '../shared/scaling';
import { defineStep, type StepClients } from '../shared/step';
import {
  TAG_LAST_SCALE_EXECUTION,
  TAG_LAST_SCALE_OUTCOME,
  TAG_LAST_SCALED_AT,
  TAG_SCALE_EXECUTION,
  TAG_SLAVES,
  TAG_STATUS,
} from '../shared/tags';

/** Releases this execution's scale lease and records the scale on the VPC. */
export const recordScaleStep = defineStep(
  'record-scale',
  async (input: RecordScaleInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<RecordScaleOutput> => {
    const failure = input.error ? describeFailure(input.error) : {};
    const vpc = await findClusterVpc(ec2, input.clusterId);
    if (!vpc) return { recorded: false, status: STATUS.deleteComplete, ...failure };
    if (scaleLease(vpc.tags)?.owner !== input.executionId) {
      if (vpc.tags[TAG_LAST_SCALE_EXECUTION] === input.executionId) {
        return { recorded: true, status: clusterStatus(vpc.tags), lastScaledAt: vpc.tags[TAG_LAST_SCALED_AT], ...failure };
      }
      return { recorded: false, status: clusterStatus(vpc.tags), ...failure };
    }
    const lastScaledAt = new Date(Date.now()).toISOString();
    const tags = [
      { Key: TAG_STATUS, Value: STATUS.createComplete },
      { Key: TAG_SCALE_EXECUTION, Value: '' },
      { Key: TAG_LAST_SCALED_AT, Value: lastScaledAt },
      { Key: TAG_LAST_SCALE_EXECUTION, Value: input.executionId },
      { Key: TAG_LAST_SCALE_OUTCOME, Value: input.outcome },
    ];
    if (input.outcome === 'succeeded' && input.target !== undefined) tags.push({ Key: TAG_SLAVES, Value: String(input.target) });
    await ec2.send(new CreateTagsCommand({ Resources: [vpc.vpcId], Tags: tags }));
    return { recorded: true, status: STATUS.createComplete, lastScaledAt, ...failure };
  }
);
