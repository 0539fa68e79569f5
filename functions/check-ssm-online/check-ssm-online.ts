/**
 * Check SSM Online: whether the SSM agent of every instance is registered and Online, so
 * that Run Command can reach it. An instance that SSM does not list yet is usually still
 * booting; one that is stopped or terminated never will be, which is fatal.
 */
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, type InstanceInformation, type SSMClient } from '@aws-sdk/client-ssm';
import { isNotFound } from '../shared/aws-errors';
import { SSM_MAX_INSTANCE_IDS } from '../shared/commands';
import type { CheckSsmOnlineInput, CheckSsmOnlineOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { chunk, DEAD_INSTANCE_STATES, describeInstances } from '../shared/instances';
import { earliest, epochOf, isPolled, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Counts the instances whose SSM agent is Online; FatalError when one of them is stopped or
 * terminated. Within a budget it also answers when to look next, counting from the earliest
 * LaunchTime of the instances (one DescribeInstances call per check).
 */
export const checkSsmOnlineStep = defineStep(
  'check-ssm-online',
  async (input: CheckSsmOnlineInput, { ec2, ssm }: Pick<StepClients, 'ec2' | 'ssm'>): Promise<CheckSsmOnlineOutput> => {
    const total = input.instanceIds.length;
    if (total === 0) return withPoll(input, { online: true, onlineCount: 0, total }, { done: true });

    const online = new Set<string>();
    for (const ids of chunk(input.instanceIds, SSM_MAX_INSTANCE_IDS)) {
      for (const info of await describeInstanceInformation(ssm, ids)) {
        if (info.InstanceId && info.PingStatus === 'Online') online.add(info.InstanceId);
      }
    }
    const onlineCount = input.instanceIds.filter((id) => online.has(id)).length;
    const done = onlineCount === total;
    const polled = isPolled(input);
    if (done && !polled) return { online: true, onlineCount, total };

    const offline = input.instanceIds.filter((id) => !online.has(id));
    const instances = await describeOrUnknown(ec2, polled ? input.instanceIds : offline);
    assertNotDead(instances.filter((i) => i.InstanceId !== undefined && offline.includes(i.InstanceId)));
    const startedAt = earliest(instances.map((i) => epochOf(i.LaunchTime)));
    return withPoll(input, { online: done, onlineCount, total }, { done, startedAt });
  }
);

async function describeInstanceInformation(ssm: SSMClient, instanceIds: string[]): Promise<InstanceInformation[]> {
  const list: InstanceInformation[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ssm.send(
      new DescribeInstanceInformationCommand({ Filters: [{ Key: 'InstanceIds', Values: instanceIds }], NextToken: nextToken })
    );
    list.push(...(page.InstanceInformationList ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return list;
}

/** The instances, or none while EC2 does not know the new ids yet (right after RunInstances). */
async function describeOrUnknown(ec2: EC2Client, instanceIds: readonly string[]): Promise<Instance[]> {
  if (instanceIds.length === 0) return [];
  try {
    return await describeInstances(ec2, { instanceIds });
  } catch (err) {
    // Right after RunInstances, EC2 may not know the new ids yet: not online, not dead.
    if (isNotFound(err)) return [];
    throw err;
  }
}

/** Throws FatalError naming the instances that are stopped, stopping, shutting down or terminated. */
function assertNotDead(instances: readonly Instance[]): void {
  const dead = instances.filter((i) => DEAD_INSTANCE_STATES.includes(i.State?.Name ?? ''));
  if (dead.length > 0) {
    const names = dead.map((i) => `${i.InstanceId} is ${i.State?.Name}${i.StateReason?.Message ? ` (${i.StateReason.Message})` : ''}`);
    throw new FatalError(`instance will never come online: ${names.join('; ')}`);
  }
}
