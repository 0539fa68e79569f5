/**
 * The account's quotas in the simulated Region, and the Service Quotas API that reads
 * them: VPCs per Region (`vpc` L-F678F1CE), Elastic IPs (`ec2` L-0263D0A3) and the vCPUs
 * of running On-Demand Standard instances (`ec2` L-1216C47A), plus EC2's instance type
 * offerings per zone. The defaults are those of a new account for VPCs and addresses (5
 * each, docs/research/aws-faults-and-timings.md); the vCPU default here (64) is an
 * assumption of the simulated account (AWS sets it per account). `setQuotas` raises them.
 */
import type {
  DescribeInstanceTypeOfferingsCommandInput,
  DescribeInstanceTypeOfferingsCommandOutput,
  _InstanceType as InstanceType,
} from '@aws-sdk/client-ec2';
import type { Sim } from './core';
import { fail } from './errors';

/** The simulated account's quotas. */
export interface AccountQuotas {
  readonly vpcs: number;
  readonly elasticIps: number;
  readonly vcpus: number;
  /** NAT gateways per availability zone (AWS's default: 5; not read through Service Quotas here). */
  readonly natGatewaysPerZone: number;
}

export const DEFAULT_QUOTAS: AccountQuotas = { vpcs: 5, elasticIps: 5, vcpus: 64, natGatewaysPerZone: 5 };

/** Service Quotas codes of the quotas above. */
export const QUOTA_CODES = { vpcs: 'L-F678F1CE', elasticIps: 'L-0263D0A3', vcpus: 'L-1216C47A' } as const;

/** vCPUs of the instance types the simulated cloud offers (EC2's published defaults). */
export const INSTANCE_TYPE_VCPUS: Readonly<Record<string, number>> = {
  't3.small': 2,
  't3.medium': 2,
  't3.large': 2,
  't3.xlarge': 4,
  't3.2xlarge': 8,
  'm6i.large': 2,
  'm6i.xlarge': 4,
  'm6i.2xlarge': 8,
  'm6i.4xlarge': 16,
  'm7i.large': 2,
  'm7i.xlarge': 4,
  'm7i.2xlarge': 8,
  'c6i.large': 2,
  'c6i.xlarge': 4,
  'c6i.2xlarge': 8,
  'r6i.large': 2,
  'r6i.xlarge': 4,
};

/** The account's quotas (older saved states have none: the defaults). */
export function quotasOf(sim: Sim): AccountQuotas {
  return { ...DEFAULT_QUOTAS, ...(sim.state.quotas ?? {}) };
}

/** vCPUs of an instance type; types outside the table count 2. */
export function vcpusOf(instanceType: string): number {
  return INSTANCE_TYPE_VCPUS[instanceType] ?? 2;
}

/** Refuses a launch that would take the running instances past the vCPU quota (VcpuLimitExceeded). */
export function checkVcpuQuota(sim: Sim, instanceType: string, count: number): void {
  const limit = quotasOf(sim).vcpus;
  const used = sim
    .list('instance')
    .filter((inst) => {
      const state = sim.instanceState(inst);
      return state === 'pending' || state === 'running';
    })
    .reduce((sum, inst) => sum + vcpusOf(inst.instanceType), 0);
  if (used + count * vcpusOf(instanceType) > limit) {
    throw fail(
      'VcpuLimitExceeded',
      `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to.`
    );
  }
}

const QUOTA_NAMES: Record<string, { service: string; key: keyof AccountQuotas; name: string }> = {
  [QUOTA_CODES.vpcs]: { service: 'vpc', key: 'vpcs', name: 'VPCs per Region' },
  [QUOTA_CODES.elasticIps]: { service: 'ec2', key: 'elasticIps', name: 'EC2-VPC Elastic IPs' },
  [QUOTA_CODES.vcpus]: { service: 'ec2', key: 'vcpus', name: 'Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances' },
};

/** Service Quotas GetServiceQuota, for the quotas above. */
function getServiceQuota(sim: Sim, input: Record<string, unknown>): unknown {
  const code = String(input.QuotaCode ?? '');
  const quota = QUOTA_NAMES[code];
  if (!quota || quota.service !== input.ServiceCode) {
    throw fail(
      'NoSuchResourceException',
      `The request failed because the specified quota ${code} of service ${String(input.ServiceCode)} does not exist.`
    );
  }
  return {
    Quota: {
      ServiceCode: quota.service,
      QuotaCode: code,
      QuotaName: quota.name,
      QuotaArn: `arn:aws:servicequotas:${sim.region}:123456789012:${quota.service}/${code}`,
      Value: quotasOf(sim)[quota.key],
      Unit: 'None',
      Adjustable: true,
      GlobalQuota: false,
    },
  };
}

export const serviceQuotasHandlers = { GetServiceQuota: getServiceQuota };

/**
 * EC2 DescribeInstanceTypeOfferings by availability zone (or Region): every type of the
 * table in every zone, except those withheld (`SimulatedCloud.withholdInstanceType`), as
 * when a type is not offered in one zone of a Region.
 */
function describeInstanceTypeOfferings(sim: Sim, input: Record<string, unknown>): unknown {
  const { LocationType = 'region', Filters = [] } = input as DescribeInstanceTypeOfferingsCommandInput;
  const values = (name: string) => Filters.find((f) => f.Name === name)?.Values;
  const types = values('instance-type') ?? Object.keys(INSTANCE_TYPE_VCPUS);
  const locations = LocationType === 'availability-zone' ? (values('location') ?? sim.zones) : [sim.region];
  const withheld = new Set(sim.state.withheldOfferings ?? []);
  const offerings: NonNullable<DescribeInstanceTypeOfferingsCommandOutput['InstanceTypeOfferings']> = [];
  for (const location of locations) {
    if (LocationType === 'availability-zone' && !sim.zones.includes(location)) continue;
    for (const type of types) {
      if (INSTANCE_TYPE_VCPUS[type] === undefined || withheld.has(`${location}/${type}`)) continue;
      offerings.push({ InstanceType: type as InstanceType, LocationType: LocationType as 'availability-zone', Location: location });
    }
  }
  return { InstanceTypeOfferings: offerings };
}

export const offeringHandlers = { DescribeInstanceTypeOfferings: describeInstanceTypeOfferings };
