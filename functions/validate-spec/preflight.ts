/**
 * The pre-flight checks of Validate Cluster Spec: what a cluster will need of the
 * account's quotas, checked before anything is created, so that a create does not fail
 * half-way on `AddressLimitExceeded`.
 */
import {
  type AccountAttributeName,
  DescribeAccountAttributesCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { ClusterSpec } from '../shared/cluster-spec';
import { MAX_ZONES } from '../shared/cluster-spec-rules';
import { FatalError } from '../shared/errors';
import { TAG_ID, tagValue } from '../shared/tags';

/**
 * The availability zones the cluster will use, as Create Subnets chooses them: the named
 * zones, else the first `masters` (at most five) available zones of the Region by name.
 */
export async function plannedZones(ec2: EC2Client, spec: Pick<ClusterSpec, 'availabilityZones' | 'masters'>): Promise<string[]> {
  if (spec.availabilityZones.length > 0) return [...spec.availabilityZones];
  const wanted = Math.min(MAX_ZONES, Math.max(1, spec.masters));
  const { AvailabilityZones = [] } = await ec2.send(
    new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] })
  );
  return AvailabilityZones.filter((z) => z.State === undefined || z.State === 'available')
    .flatMap((z) => (z.ZoneName ? [z.ZoneName] : []))
    .sort()
    .slice(0, wanted);
}

/**
 * How many NAT gateways (and so Elastic IPs) the cluster needs: one with `natGateways:
 * single`, one per zone with `perAz`. Asks the Region for its zones only when the count
 * depends on them (perAz, no zone named, more than one master).
 */
export async function natGatewaysNeeded(
  ec2: EC2Client,
  spec: Pick<ClusterSpec, 'availabilityZones' | 'masters' | 'natGateways'>
): Promise<number> {
  if (spec.natGateways !== 'perAz') return 1;
  if (spec.availabilityZones.length > 0) return spec.availabilityZones.length;
  if (spec.masters <= 1) return 1;
  return Math.max(1, (await plannedZones(ec2, spec)).length);
}

/** The account attribute that holds the Elastic IP quota of the Region. */
export const ELASTIC_IP_QUOTA = 'vpc-max-elastic-ips';

/** The account's Elastic IP quota and use, as the pre-flight check read them. */
export interface AddressQuota {
  /** The account's limit (`vpc-max-elastic-ips`). */
  readonly limit: number;
  /** Addresses allocated in the Region, except the cluster's own (of an earlier run). */
  readonly inUse: number;
  /** Addresses the cluster needs. */
  readonly needed: number;
}

/**
 * Checks that the account can allocate `needed` more Elastic IPs: the limit from
 * DescribeAccountAttributes (`vpc-max-elastic-ips`) against the addresses allocated
 * (DescribeAddresses, domain vpc). Addresses tagged with this cluster's id (a re-run) are
 * already the cluster's and do not count as in use. Throws FatalError naming the numbers
 * when they do not fit; returns the numbers otherwise (no limit reported: no check).
 */
export async function checkAddressQuota(ec2: EC2Client, clusterId: string, needed: number): Promise<AddressQuota | undefined> {
  // The SDK's enum lists only default-vpc and supported-platforms; the API accepts all names.
  const { AccountAttributes = [] } = await ec2.send(
    new DescribeAccountAttributesCommand({ AttributeNames: [ELASTIC_IP_QUOTA as AccountAttributeName] })
  );
  const value = AccountAttributes.find((a) => a.AttributeName === ELASTIC_IP_QUOTA)?.AttributeValues?.[0]?.AttributeValue;
  const limit = Number(value);
  if (value === undefined || !Number.isFinite(limit)) return undefined;
  const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'domain', Values: ['vpc'] }] }));
  const inUse = Addresses.filter((a) => tagValue(a.Tags, TAG_ID) !== clusterId).length;
  if (inUse + needed > limit) {
    throw new FatalError(
      `validate-spec: the cluster needs ${needed} Elastic IPs but the account has ${inUse} of its limit ${limit} in use; release addresses or raise the quota (AddressLimitExceeded)`
    );
  }
  return { limit, inUse, needed };
}
