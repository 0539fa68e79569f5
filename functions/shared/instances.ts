/**
 * Shared code of the node steps on EC2: finding instances by ClientToken or id. The SSM
 * side (sending a command once per cluster and step) is in `commands.ts`.
 */
import { DescribeInstancesCommand, type EC2Client, type Filter, type Instance } from '@aws-sdk/client-ec2';
import { FatalError } from './errors';

/** Instance states that still count as "launched" for re-run safety (not terminated). */
export const LIVE_INSTANCE_STATES = ['pending', 'running', 'stopping', 'stopped'];

/** Instance states from which an instance never comes back online by itself. */
export const DEAD_INSTANCE_STATES = ['shutting-down', 'terminated', 'stopping', 'stopped'];

/** Splits a list into chunks of at most `size` items. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Pages through DescribeInstances with the given filters or ids; never unfiltered. */
export async function describeInstances(
  ec2: EC2Client,
  query: { filters?: Filter[]; instanceIds?: readonly string[] }
): Promise<Instance[]> {
  if (!query.filters?.length && !query.instanceIds?.length) {
    throw new FatalError('refusing an unfiltered DescribeInstances');
  }
  const instances: Instance[] = [];
  let nextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({
        Filters: query.filters,
        InstanceIds: query.instanceIds ? [...query.instanceIds] : undefined,
        NextToken: nextToken,
      })
    );
    for (const reservation of page.Reservations ?? []) instances.push(...(reservation.Instances ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return instances;
}

/**
 * The live instances that a RunInstances call with this ClientToken launched, in launch
 * order, so that a re-run returns the same ids (and IPs) in the same order.
 */
export async function findInstancesByClientToken(ec2: EC2Client, token: string): Promise<Instance[]> {
  const instances = await describeInstances(ec2, {
    filters: [
      { Name: 'client-token', Values: [token] },
      { Name: 'instance-state-name', Values: LIVE_INSTANCE_STATES },
    ],
  });
  return instances.sort((a, b) => (a.AmiLaunchIndex ?? 0) - (b.AmiLaunchIndex ?? 0));
}

/**
 * When a stop or termination was asked for, from the instance's StateTransitionReason
 * ("User initiated (2016-05-10 14:23:26 GMT)"); undefined when it names no time.
 */
export function terminationRequestedAt(instance: Instance): number | undefined {
  const match = /\(([^()]*\d{4}-\d{2}-\d{2}[^()]*)\)/.exec(instance.StateTransitionReason ?? '');
  if (!match?.[1]) return undefined;
  const text = match[1].trim();
  const ms = Date.parse(text.endsWith(' GMT') ? `${text.slice(0, -4).replace(' ', 'T')}Z` : text);
  return Number.isFinite(ms) ? ms : undefined;
}
