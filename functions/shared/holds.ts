/** What a cluster holds of the account's quotas, recorded on its VPC for the pre-flight of other creates. */

export { TAG_HOLDS } from './tags';

/** What a cluster holds at its peak: Elastic IPs and running On-Demand Standard vCPUs. */
export interface ClusterHolds {
  readonly addresses: number;
  readonly vcpus: number;
}

export function holdsTag(holds: ClusterHolds): string {
  return `addresses=${holds.addresses},vcpus=${holds.vcpus}`;
}

export function parseHoldsTag(value: string | undefined): ClusterHolds | undefined {
  const match = /^addresses=(\d+),vcpus=(\d+)$/.exec(value ?? '');
  return match ? { addresses: Number(match[1]), vcpus: Number(match[2]) } : undefined;
}
