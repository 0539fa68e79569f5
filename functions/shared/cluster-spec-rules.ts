/**
 * The zod-free part of the cluster spec: its defaults and limits, the autoscaling
 * defaults, the subnet layout of a multi-zone cluster and the quorum. Steps that only need
 * these import this module, so that their bundles do not carry the schema library;
 * `cluster-spec.ts` re-exports everything here.
 */
import { ValidationError } from './errors';

/** Instance types a cluster may use: small general-purpose, compute and memory types. */
export const ALLOWED_INSTANCE_TYPES = [
  't3.small',
  't3.medium',
  't3.large',
  't3.xlarge',
  't3.2xlarge',
  'm6i.large',
  'm6i.xlarge',
  'm6i.2xlarge',
  'm6i.4xlarge',
  'm7i.large',
  'm7i.xlarge',
  'm7i.2xlarge',
  'c6i.large',
  'c6i.xlarge',
  'c6i.2xlarge',
  'r6i.large',
  'r6i.xlarge',
] as const;

/** vCPUs of the allowed instance types (EC2's defaults: two threads per core). */
const INSTANCE_VCPUS: Readonly<Record<string, number>> = {
  small: 2,
  medium: 2,
  large: 2,
  xlarge: 4,
  '2xlarge': 8,
  '4xlarge': 16,
};

/** vCPUs of an instance type by its size (`m6i.2xlarge` → 8); 2 for a size not listed. */
export function vcpusOfType(instanceType: string): number {
  return INSTANCE_VCPUS[instanceType.split('.')[1] ?? ''] ?? 2;
}

/** Software installed on the nodes; pinned so that a cluster is reproducible. */
export const DEFAULT_SOFTWARE = {
  ubuntuRelease: '24.04',
  mesosVersion: '1.11.0-0.7.1.ubuntu2404',
  marathonVersion: '1.11.30',
  packageRepository: 'https://rpm.aventer.biz/Ubuntu/noble',
  packageKeyUrl: 'https://www.aventer.biz/assets/support_aventer.asc',
  /** `mirror` (the stack's package bucket) or `vendor` (packageRepository); a deployed stack defaults to mirror. */
  packageSource: 'vendor',
} as const;

export const DEFAULT_SPEC = {
  masters: 1,
  slaves: 2,
  vpcCidr: '172.28.128.0/22',
  publicSubnetCidr: '172.28.128.0/24',
  privateSubnetCidr: '172.28.129.0/24',
  masterInstanceType: 't3.medium',
  slaveInstanceType: 't3.medium',
} as const;

export const MAX_SLAVES = 200;

/**
 * How long the create machine waits for each asynchronous operation before it gives up, in
 * minutes: the spec's `timeouts`. Each is what a slow but healthy operation needs, with room,
 * from docs/research/aws-faults-and-timings.md (c) "Latency model" (the p95 / worst column
 * and the timeouts other tools use). Users with slow package mirrors or big instances raise
 * them; a loop that gives up says how long it waited of which budget.
 */
export const DEFAULT_TIMEOUTS = {
  /**
   * Instances Online in SSM after launch (masters, template slave, slaves): running in
   * 5–20 s (60 s worst), the agent Online "from one to several minutes", one case ≈ 6 min,
   * > 10 min is a misconfiguration (no profile, route or 443 egress): 15 min.
   */
  nodesOnlineMinutes: 15,
  /** NAT gateway available: typical 1.5–2 min, p95 2.5–3 min, Terraform's create timeout 10 min: 15 min. */
  natGatewayMinutes: 15,
  /**
   * Master setup (ZooKeeper, Mesos master, Marathon from the package repository): 2–5 min,
   * "10–15 min on slow mirrors; plus apt-lock waits on first boot": 30 min.
   */
  masterSetupMinutes: 30,
  /** Template slave setup (Mesos agent and Docker): 1–3 min, the same slow-mirror and apt-lock tail: 20 min. */
  slaveSetupMinutes: 20,
  /**
   * Slave image available: 3–8 min; AWS "several minutes … (sometimes up to 24 hours)";
   * Terraform's AMI create timeout 40 min: 40 min.
   */
  imageMinutes: 40,
  /**
   * Agents registered once the slaves are booted and a master runs: within the model's
   * "join/verify ≈ 1 min"; the agents keep retrying ZooKeeper: 10 min.
   */
  agentsMinutes: 10,
} as const;
export type TimeoutsSpec = { readonly [K in keyof typeof DEFAULT_TIMEOUTS]: number };

/** The longest budget one wait may be given (minutes): the configure documents' execution timeout is longer. */
export const MAX_TIMEOUT_MINUTES = 90;

/**
 * The budgets of one chain of waits must end before the create machine's 2-hour execution
 * timeout, which no Catch sees (the rollback would not run): the longest chain (nodes online,
 * template setup, image, slaves online, agents; or nodes online, master setup, agents) may
 * add up to this many minutes, leaving the rest for the steps and the rollback.
 */
export const MAX_TIMEOUT_CHAIN_MINUTES = 100;

/** The longest chain of waits of a create, in minutes (see MAX_TIMEOUT_CHAIN_MINUTES). */
export function longestTimeoutChain(t: TimeoutsSpec): { minutes: number; chain: string } {
  const bake = 2 * t.nodesOnlineMinutes + t.slaveSetupMinutes + t.imageMinutes + t.agentsMinutes;
  const masters = t.nodesOnlineMinutes + t.masterSetupMinutes + t.agentsMinutes;
  return bake >= masters
    ? { minutes: bake, chain: '2 × nodesOnlineMinutes + slaveSetupMinutes + imageMinutes + agentsMinutes' }
    : { minutes: masters, chain: 'nodesOnlineMinutes + masterSetupMinutes + agentsMinutes' };
}

/** At most this many availability zones: one per master of the largest ensemble. */
export const MAX_ZONES = 5;

/** How the private subnets reach the internet: one NAT gateway for all, or one per zone. */
export const NAT_GATEWAY_MODES = ['single', 'perAz'] as const;
export type NatGatewayMode = (typeof NAT_GATEWAY_MODES)[number];

/**
 * The widest VPC prefix that a multi-zone cluster can carve: its public subnets are
 * /(prefix + 6), and EC2's smallest subnet is a /28.
 */
export const MULTI_ZONE_MAX_VPC_PREFIX = 22;

/** Defaults and limits of the cluster's autoscaling settings. */
export const AUTOSCALING_DEFAULTS = {
  /** Default maxSlaves: the larger of this and the created slave count. */
  maxSlaves: 10,
  scaleOutAbovePercent: 75,
  scaleInBelowPercent: 25,
  step: 2,
  cooldownSeconds: 300,
} as const;

/**
 * The cluster's autoscaling settings, every field filled in: the slave count stays within
 * [minSlaves, maxSlaves]; the scale-out alarm fires when the Mesos allocation is above
 * scaleOutAbovePercent, the scale-in alarm when it is below scaleInBelowPercent; an alarm
 * scale adds or removes `step` slaves, at most once per cooldownSeconds.
 */
export interface AutoscalingSpec {
  /** Default: min(slaves, 1). */
  readonly minSlaves: number;
  /** Default: max(slaves, 10); at most 200. */
  readonly maxSlaves: number;
  /** Default 75. */
  readonly scaleOutAbovePercent: number;
  /** Default 25; below scaleOutAbovePercent. */
  readonly scaleInBelowPercent: number;
  /** Default 2; 1 to 50. */
  readonly step: number;
  /** Default 300; 60 to 86400. */
  readonly cooldownSeconds: number;
}

/**
 * Fills in the autoscaling defaults for a cluster of `slaves` slaves and checks that the
 * bounds hold that count and that the thresholds are ordered. Throws ValidationError
 * naming the field (`autoscaling.minSlaves`, ...).
 */
export function resolveAutoscaling(slaves: number, given: Partial<AutoscalingSpec> = {}): AutoscalingSpec {
  const resolved: AutoscalingSpec = {
    minSlaves: given.minSlaves ?? Math.min(slaves, 1),
    maxSlaves: given.maxSlaves ?? Math.min(MAX_SLAVES, Math.max(slaves, AUTOSCALING_DEFAULTS.maxSlaves)),
    scaleOutAbovePercent: given.scaleOutAbovePercent ?? AUTOSCALING_DEFAULTS.scaleOutAbovePercent,
    scaleInBelowPercent: given.scaleInBelowPercent ?? AUTOSCALING_DEFAULTS.scaleInBelowPercent,
    step: given.step ?? AUTOSCALING_DEFAULTS.step,
    cooldownSeconds: given.cooldownSeconds ?? AUTOSCALING_DEFAULTS.cooldownSeconds,
  };
  if (resolved.minSlaves > slaves) raise('autoscaling.minSlaves', `must be at most slaves (${slaves})`);
  if (resolved.maxSlaves < slaves) raise('autoscaling.maxSlaves', `must be at least slaves (${slaves})`);
  if (resolved.scaleInBelowPercent >= resolved.scaleOutAbovePercent) {
    raise('autoscaling.scaleInBelowPercent', `must be below scaleOutAbovePercent (${resolved.scaleOutAbovePercent})`);
  }
  return resolved;
}

/** Parses an IPv4 CIDR into [first address, size] as numbers. */
export function cidrRange(block: string): [number, number] {
  const [ip = '', bits = '0'] = block.split('/');
  const octets = ip.split('.').map(Number);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - Number(bits));
  return [base - (base % size), size];
}

/** The prefix length of a CIDR block (`10.0.0.0/16` → 16). */
export function cidrPrefix(block: string): number {
  return Number(block.split('/')[1]);
}

/** The public and private subnet CIDRs of one zone. */
export interface ZoneCidrs {
  readonly publicCidr: string;
  readonly privateCidr: string;
}

function formatCidr(base: number, bits: number): string {
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${bits}`;
}

/**
 * The subnets of zone `index` (0-based, in zone order) of a multi-zone cluster, carved
 * from its vpcCidr (/p): the VPC is cut into eight blocks of /(p+3); the private subnet of
 * zone i is block i (blocks 0–4), the public subnet of zone i is the i-th /(p+6) of block 7;
 * blocks 5 and 6 stay free. With the default 172.28.128.0/22: private 172.28.128.0/25,
 * 172.28.128.128/25, 172.28.129.0/25 … (123 usable addresses each) and public
 * 172.28.131.128/28, 172.28.131.144/28, … (11 usable: masters, the zone's NAT gateway and
 * the template slave). A single-zone cluster keeps publicSubnetCidr and privateSubnetCidr
 * (the blog layout, 172.28.128.0/24 and 172.28.129.0/24) instead.
 */
export function zoneSubnetCidrs(vpcCidr: string, index: number): ZoneCidrs {
  if (!Number.isInteger(index) || index < 0 || index >= MAX_ZONES) {
    throw new ValidationError('availabilityZones', `zone ${index + 1}: at most ${MAX_ZONES} zones`);
  }
  const bits = cidrPrefix(vpcCidr);
  if (bits > MULTI_ZONE_MAX_VPC_PREFIX) {
    throw new ValidationError('vpcCidr', `must be a /${MULTI_ZONE_MAX_VPC_PREFIX} or larger for a cluster over several zones`);
  }
  const [base] = cidrRange(vpcCidr);
  const block = 2 ** (32 - (bits + 3));
  const publicSize = 2 ** (32 - (bits + 6));
  return {
    privateCidr: formatCidr(base + index * block, bits + 3),
    publicCidr: formatCidr(base + 7 * block + index * publicSize, bits + 6),
  };
}

/** ZooKeeper/Mesos quorum for n masters: a majority. */
export function quorumOf(masters: number): number {
  return Math.floor(masters / 2) + 1;
}

function raise(field: string, message: string): never {
  throw new ValidationError(field, message);
}
