/**
 * The pre-flight checks of Validate Cluster Spec: what AWS would refuse later, checked
 * before anything is created, so that a create does not fail half-way: zones of the
 * Region, instance types offered there, and the account's quotas (Elastic IPs, VPCs,
 * On-Demand Standard vCPUs).
 */
import {
  type AccountAttributeName,
  DescribeAccountAttributesCommand,
  DescribeAddressesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeInstancesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeVpcsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { ClusterSpec } from '../shared/cluster-spec';
import { MAX_ZONES, vcpusOfType } from '../shared/cluster-spec-rules';
import { FatalError, ValidationError } from '../shared/errors';
import { type ClusterHolds, parseHoldsTag, TAG_HOLDS } from '../shared/holds';
import { QUOTA, type Quota } from '../shared/quotas';
import { TAG_ID, TAG_STATUS, tagValue } from '../shared/tags';

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
export async function checkAddressQuota(
  ec2: EC2Client,
  clusterId: string,
  needed: number,
  inFlight: readonly InFlightCreate[] = []
): Promise<AddressQuota | undefined> {
  // The SDK's enum lists only default-vpc and supported-platforms; the API accepts all names.
  const { AccountAttributes = [] } = await ec2.send(
    new DescribeAccountAttributesCommand({ AttributeNames: [ELASTIC_IP_QUOTA as AccountAttributeName] })
  );
  const value = AccountAttributes.find((a) => a.AttributeName === ELASTIC_IP_QUOTA)?.AttributeValues?.[0]?.AttributeValue;
  const limit = Number(value);
  if (value === undefined || !Number.isFinite(limit)) return undefined;
  const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'domain', Values: ['vpc'] }] }));
  const allocated = Addresses.filter((a) => tagValue(a.Tags, TAG_ID) !== clusterId).length;
  const ownedBy = (id: string) => Addresses.filter((a) => tagValue(a.Tags, TAG_ID) === id).length;
  const reserved = notYetHeld(inFlight, ownedBy, 'addresses');
  const inUse = allocated + reserved.amount;
  if (inUse + needed > limit) {
    const detail =
      reserved.amount > 0 ? ` (${allocated} allocated, ${reserved.amount} to be allocated by ${reserved.creates} create(s) in flight)` : '';
    throw new FatalError(
      `validate-spec: the cluster needs ${needed} Elastic IPs but the account has ${inUse} of its limit ${limit} in use${detail} (quota ${ELASTIC_IP_QUOTA}, Service Quotas ${QUOTA.elasticIps.QuotaCode}, ${QUOTA.elasticIps.name}); release addresses or raise the quota (AddressLimitExceeded)`
    );
  }
  return { limit, inUse, needed };
}

/**
 * The named zones exist in the Region and are available (DescribeAvailabilityZones):
 * `eu-west-1z`, or a zone of another Region, is refused before anything is created
 * (ValidationError naming availabilityZones and the Region's zones).
 */
export async function checkNamedZones(ec2: EC2Client, spec: Pick<ClusterSpec, 'availabilityZones'>): Promise<void> {
  if (spec.availabilityZones.length === 0) return;
  const { AvailabilityZones = [] } = await ec2.send(new DescribeAvailabilityZonesCommand({}));
  const region = AvailabilityZones.find((z) => z.RegionName)?.RegionName ?? 'this Region';
  const names = AvailabilityZones.flatMap((z) => (z.ZoneName ? [z.ZoneName] : [])).sort();
  for (const zone of spec.availabilityZones) {
    const found = AvailabilityZones.find((z) => z.ZoneName === zone);
    if (!found) throw new ValidationError('availabilityZones', `${zone} is not a zone of ${region} (its zones: ${names.join(', ')})`);
    if (found.State && found.State !== 'available')
      throw new ValidationError('availabilityZones', `${zone} is ${found.State}, not available`);
  }
}

/**
 * The instance types are offered in every zone the cluster uses
 * (DescribeInstanceTypeOfferings by availability zone): a type a zone does not offer would
 * fail RunInstances with Unsupported after the network exists.
 */
export async function checkInstanceTypeOfferings(
  ec2: EC2Client,
  spec: Pick<ClusterSpec, 'masterInstanceType' | 'slaveInstanceType'>,
  zones: readonly string[]
): Promise<void> {
  if (zones.length === 0) return;
  const types = [...new Set([spec.masterInstanceType, spec.slaveInstanceType])];
  const { InstanceTypeOfferings = [] } = await ec2.send(
    new DescribeInstanceTypeOfferingsCommand({
      LocationType: 'availability-zone',
      Filters: [
        { Name: 'instance-type', Values: types },
        { Name: 'location', Values: [...zones] },
      ],
    })
  );
  for (const field of ['masterInstanceType', 'slaveInstanceType'] as const) {
    for (const zone of zones) {
      if (!InstanceTypeOfferings.some((o) => o.InstanceType === spec[field] && o.Location === zone)) {
        throw new ValidationError(field, `${spec[field]} is not offered in ${zone}; choose another instance type or zone`);
      }
    }
  }
}

export { QUOTA };

/** The instance families the Standard vCPU quota covers. */
const STANDARD_FAMILY = /^[acdhimrtz]/;

/**
 * A quota's applied value from Service Quotas, or undefined when it cannot be read (no
 * client, AccessDeniedException for a role without servicequotas:GetServiceQuota,
 * NoSuchResourceException). The check is then skipped, not guessed: the quota's AWS
 * default may be lower than what the account was granted, so it cannot refuse a create;
 * RunInstances' VcpuLimitExceeded (or CreateVpc's VpcLimitExceeded) then fails the create
 * into its rollback as before.
 */
export async function appliedQuota(quotas: ServiceQuotasClient | undefined, quota: Quota): Promise<number | undefined> {
  if (!quotas) return undefined;
  try {
    const { Quota } = await quotas.send(new GetServiceQuotaCommand({ ServiceCode: quota.ServiceCode, QuotaCode: quota.QuotaCode }));
    return typeof Quota?.Value === 'number' ? Quota.Value : undefined;
  } catch (err) {
    const name = (err as Error | undefined)?.name ?? '';
    if (['AccessDeniedException', 'NoSuchResourceException', 'IllegalArgumentException', 'ServiceException'].includes(name))
      return undefined;
    throw err;
  }
}

/**
 * vCPUs the cluster runs at its peak: the masters and the slaves (the template slave is
 * terminated before the slaves launch; a cluster without slaves launches no template slave).
 */
export function vcpusNeeded(spec: Pick<ClusterSpec, 'masters' | 'slaves' | 'masterInstanceType' | 'slaveInstanceType'>): number {
  return spec.masters * vcpusOfType(spec.masterInstanceType) + spec.slaves * vcpusOfType(spec.slaveInstanceType);
}

/** A create in flight: a cluster whose VPC exists but has no status yet (Mark Cluster Ready or Record Create Failure sets it). */
export interface InFlightCreate {
  readonly clusterId: string;
  readonly holds: ClusterHolds;
}

/**
 * The other clusters being created in the account (their VPCs carry TAG_HOLDS and no
 * status tag): what they will hold, of which the checks count the part not allocated yet.
 */
export async function createsInFlight(ec2: EC2Client, clusterId: string): Promise<InFlightCreate[]> {
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'tag-key', Values: [TAG_HOLDS] }] }));
  const found: InFlightCreate[] = [];
  for (const vpc of Vpcs) {
    const id = tagValue(vpc.Tags, TAG_ID);
    const holds = parseHoldsTag(tagValue(vpc.Tags, TAG_HOLDS));
    if (!id || id === clusterId || !holds || tagValue(vpc.Tags, TAG_STATUS)) continue;
    found.push({ clusterId: id, holds });
  }
  return found;
}

/** What the creates in flight will hold beyond what they hold now (their own tagged resources), and how many creates that is. */
function notYetHeld(
  inFlight: readonly InFlightCreate[],
  held: (clusterId: string) => number,
  field: keyof ClusterHolds
): { amount: number; creates: number } {
  const missing = inFlight.map((c) => Math.max(0, c.holds[field] - held(c.clusterId))).filter((n) => n > 0);
  return { amount: missing.reduce((a, b) => a + b, 0), creates: missing.length };
}

/**
 * Checks the running On-Demand Standard vCPUs against the quota (Service Quotas
 * L-1216C47A): the pending and running instances of the Region (DescribeInstances; the
 * cluster's own, of an earlier run, excluded) plus what the cluster needs. Throws
 * FatalError naming the quota and the numbers; undefined when the quota cannot be read.
 */
export async function checkVcpuQuota(
  ec2: EC2Client,
  quotas: ServiceQuotasClient | undefined,
  clusterId: string,
  spec: Pick<ClusterSpec, 'masters' | 'slaves' | 'masterInstanceType' | 'slaveInstanceType'>,
  inFlight: readonly InFlightCreate[] = []
): Promise<{ limit: number; inUse: number; needed: number } | undefined> {
  const limit = await appliedQuota(quotas, QUOTA.standardVcpus);
  if (limit === undefined) return undefined;
  let running = 0;
  const byCluster = new Map<string, number>();
  let NextToken: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeInstancesCommand({ Filters: [{ Name: 'instance-state-name', Values: ['pending', 'running'] }], NextToken })
    );
    for (const instance of (page.Reservations ?? []).flatMap((r) => r.Instances ?? [])) {
      const type = instance.InstanceType ?? '';
      const owner = tagValue(instance.Tags, TAG_ID);
      if (owner === clusterId || !STANDARD_FAMILY.test(type)) continue;
      const cores = instance.CpuOptions?.CoreCount;
      const threads = instance.CpuOptions?.ThreadsPerCore;
      const vcpus = cores && threads ? cores * threads : vcpusOfType(type);
      running += vcpus;
      if (owner) byCluster.set(owner, (byCluster.get(owner) ?? 0) + vcpus);
    }
    NextToken = page.NextToken;
  } while (NextToken);
  const reserved = notYetHeld(inFlight, (id) => byCluster.get(id) ?? 0, 'vcpus');
  const inUse = running + reserved.amount;
  const needed = vcpusNeeded(spec);
  if (inUse + needed > limit) {
    const detail =
      reserved.amount > 0 ? ` (${running} running, ${reserved.amount} to be launched by ${reserved.creates} create(s) in flight)` : '';
    throw new FatalError(
      `validate-spec: the cluster needs ${needed} vCPUs but ${inUse} of the account's ${limit} are in use${detail} (quota ${QUOTA.standardVcpus.QuotaCode}, ${QUOTA.standardVcpus.name}); stop instances or request a quota increase (VcpuLimitExceeded)`
    );
  }
  return { limit, inUse, needed };
}

/**
 * Checks the VPC quota (Service Quotas L-F678F1CE, VPCs per Region) against the VPCs of
 * the Region (the cluster's own, of an earlier run, excluded) plus the cluster's one.
 * Throws FatalError naming the quota; undefined when the quota cannot be read.
 */
export async function checkVpcQuota(
  ec2: EC2Client,
  quotas: ServiceQuotasClient | undefined,
  clusterId: string
): Promise<{ limit: number; inUse: number } | undefined> {
  const limit = await appliedQuota(quotas, QUOTA.vpcs);
  if (limit === undefined) return undefined;
  const { Vpcs = [] } = await ec2.send(new DescribeVpcsCommand({}));
  const inUse = Vpcs.filter((vpc) => tagValue(vpc.Tags, TAG_ID) !== clusterId).length;
  if (inUse + 1 > limit) {
    throw new FatalError(
      `validate-spec: the cluster needs a VPC but the account has ${inUse} of its ${limit} (quota ${QUOTA.vpcs.QuotaCode}, ${QUOTA.vpcs.name}); delete a VPC or request a quota increase (VpcLimitExceeded)`
    );
  }
  return { limit, inUse };
}
