/**
 * The cluster spec: the one schema of a create request, shared by the CLI, the API
 * function and the workflow's first state. zod/mini keeps the Lambda bundles small.
 */
import * as z from 'zod/mini';
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

/** Software installed on the nodes; pinned so that a cluster is reproducible. */
export const DEFAULT_SOFTWARE = {
  ubuntuRelease: '24.04',
  mesosVersion: '1.11.0-0.7.1.ubuntu2404',
  marathonVersion: '1.11.30',
  packageRepository: 'https://rpm.aventer.biz/Ubuntu/noble',
  packageKeyUrl: 'https://www.aventer.biz/assets/support_aventer.asc',
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

const NAME_RE = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const CIDR_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const AZ_RE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const VERSION_RE = /^[A-Za-z0-9.+~:-]{1,64}$/;
const URL_RE = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;

/** Defaults and limits of the cluster's autoscaling settings. */
export const AUTOSCALING_DEFAULTS = {
  /** Default maxSlaves: the larger of this and the created slave count. */
  maxSlaves: 10,
  scaleOutAbovePercent: 75,
  scaleInBelowPercent: 25,
  step: 2,
  cooldownSeconds: 300,
} as const;

const wholeNumber = (min: number, max: number) =>
  z.number().check(z.int('must be a whole number'), z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`));
const percent = (min: number, max: number) => z.number().check(z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`));

/**
 * `autoscaling`: the bounds and thresholds of the scaling alarms and the scale plan. Every
 * field is optional; parseClusterSpec fills them in (see `AutoscalingSpec`).
 */
const autoscaling = z.strictObject({
  minSlaves: z.optional(wholeNumber(0, 200)),
  maxSlaves: z.optional(wholeNumber(0, 200)),
  scaleOutAbovePercent: z.optional(percent(1, 100)),
  scaleInBelowPercent: z.optional(percent(0, 99)),
  step: z.optional(wholeNumber(1, 50)),
  cooldownSeconds: z.optional(wholeNumber(60, 86400)),
});

const cidr = z.string().check(z.regex(CIDR_RE, 'must be an IPv4 CIDR block such as 10.0.0.0/16'));

const software = z.object({
  ubuntuRelease: z._default(z.enum(['22.04', '24.04']), DEFAULT_SOFTWARE.ubuntuRelease),
  mesosVersion: z._default(z.string().check(z.regex(VERSION_RE, 'must be a package version')), DEFAULT_SOFTWARE.mesosVersion),
  marathonVersion: z._default(z.string().check(z.regex(VERSION_RE, 'must be a package version')), DEFAULT_SOFTWARE.marathonVersion),
  packageRepository: z._default(z.string().check(z.regex(URL_RE, 'must be an https URL')), DEFAULT_SOFTWARE.packageRepository),
  packageKeyUrl: z._default(z.string().check(z.regex(URL_RE, 'must be an https URL')), DEFAULT_SOFTWARE.packageKeyUrl),
});

export const clusterSpecSchema = z.strictObject({
  name: z.string().check(z.regex(NAME_RE, 'must be a lowercase DNS label of 3 to 32 characters (a-z, 0-9, -), starting with a letter')),
  masters: z._default(
    z.number().check(z.refine((n) => n === 1 || n === 3 || n === 5, 'must be 1, 3 or 5 (an odd number, for a ZooKeeper majority)')),
    DEFAULT_SPEC.masters
  ),
  slaves: z._default(
    z.number().check(z.int('must be a whole number'), z.gte(0, 'must be at least 0'), z.lte(MAX_SLAVES, `must be at most ${MAX_SLAVES}`)),
    DEFAULT_SPEC.slaves
  ),
  vpcCidr: z._default(cidr, DEFAULT_SPEC.vpcCidr),
  publicSubnetCidr: z._default(cidr, DEFAULT_SPEC.publicSubnetCidr),
  privateSubnetCidr: z._default(cidr, DEFAULT_SPEC.privateSubnetCidr),
  availabilityZone: z.optional(z.string().check(z.regex(AZ_RE, 'must be an availability zone name such as eu-west-1a'))),
  availabilityZones: z._default(
    z
      .array(z.string().check(z.regex(AZ_RE, 'must be an availability zone name such as eu-west-1a')))
      .check(z.maxLength(MAX_ZONES, `must name at most ${MAX_ZONES} zones`)),
    []
  ),
  natGateways: z._default(z.enum(NAT_GATEWAY_MODES, 'must be single or perAz'), 'single'),
  freshImage: z._default(z.boolean(), false),
  masterInstanceType: z._default(
    z.enum(ALLOWED_INSTANCE_TYPES, `must be one of ${ALLOWED_INSTANCE_TYPES.join(', ')}`),
    DEFAULT_SPEC.masterInstanceType
  ),
  slaveInstanceType: z._default(
    z.enum(ALLOWED_INSTANCE_TYPES, `must be one of ${ALLOWED_INSTANCE_TYPES.join(', ')}`),
    DEFAULT_SPEC.slaveInstanceType
  ),
  adminCidr: cidr,
  allowPublicAdmin: z._default(z.boolean(), false),
  software: z._default(software, { ...DEFAULT_SOFTWARE }),
  keepOnFailure: z._default(z.boolean(), false),
  autoscaling: z.optional(autoscaling),
});

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

/** A validated cluster spec with every default filled in. */
export type ClusterSpec = Omit<z.infer<typeof clusterSpecSchema>, 'autoscaling'> & { autoscaling: AutoscalingSpec };

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
/** What a caller may send: everything but `name` and `adminCidr` is optional. */
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;

/** Parses an IPv4 CIDR into [first address, size] as numbers. */
export function cidrRange(block: string): [number, number] {
  const [ip = '', bits = '0'] = block.split('/');
  const octets = ip.split('.').map(Number);
  const base = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - Number(bits));
  return [base - (base % size), size];
}

function inside(inner: string, outer: string): boolean {
  const [ib, is] = cidrRange(inner);
  const [ob, os] = cidrRange(outer);
  return ib >= ob && ib + is <= ob + os;
}

function overlaps(a: string, b: string): boolean {
  const [ab, as] = cidrRange(a);
  const [bb, bs] = cidrRange(b);
  return ab < bb + bs && bb < ab + as;
}

function prefix(block: string): number {
  return Number(block.split('/')[1]);
}

/** A readable path such as `software.mesosVersion` for a zod issue. */
function fieldOf(path: readonly PropertyKey[]): string {
  return path.length === 0 ? 'spec' : path.map(String).join('.');
}

/**
 * Validates a create request and fills in defaults. Throws ValidationError naming the
 * first offending field and the rule it breaks; nothing is created for a bad spec.
 */
export function parseClusterSpec(input: unknown): ClusterSpec {
  const result = clusterSpecSchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = fieldOf(issue?.path ?? []);
    let message = issue?.message ?? 'is invalid';
    if (issue?.code === 'invalid_type') {
      if (valueAt(input, issue.path) === undefined) message = 'is required';
      else message = issue.expected === 'int' ? 'must be a whole number' : `must be a ${issue.expected}`;
    } else if (issue?.code === 'unrecognized_keys') {
      const within = issue.path.length > 0 ? `${fieldOf(issue.path)}.` : '';
      return raise(issue.keys.map((key) => `${within}${String(key)}`).join(', '), 'is not a field of the cluster spec');
    }
    return raise(field, message);
  }
  const { autoscaling: givenAutoscaling, ...parsed } = result.data;
  const spec: ClusterSpec = { ...parsed, autoscaling: resolveAutoscaling(parsed.slaves, givenAutoscaling) };
  const vpcBits = prefix(spec.vpcCidr);
  if (vpcBits < 16 || vpcBits > 28) raise('vpcCidr', 'must have a prefix length between /16 and /28');
  const zoned = checkZones(spec, input);
  // A multi-zone cluster carves its subnets from vpcCidr: the subnet fields are unused.
  if (!isMultiZone(zoned)) {
    for (const field of ['publicSubnetCidr', 'privateSubnetCidr'] as const) {
      const bits = prefix(spec[field]);
      if (bits < 16 || bits > 28) raise(field, 'must have a prefix length between /16 and /28');
      if (!inside(spec[field], spec.vpcCidr)) raise(field, `must lie inside vpcCidr ${spec.vpcCidr}`);
    }
    if (overlaps(spec.publicSubnetCidr, spec.privateSubnetCidr)) {
      raise('privateSubnetCidr', `must not overlap publicSubnetCidr ${spec.publicSubnetCidr}`);
    }
  }
  if (prefix(spec.adminCidr) === 0 && !spec.allowPublicAdmin) {
    raise('adminCidr', 'opens the Mesos and Marathon UIs to the whole internet; set allowPublicAdmin: true to allow it');
  }
  return zoned;
}

/**
 * Whether a validated spec lays its cluster out over several zones (subnets carved from
 * vpcCidr): more than one zone named, or none named and more than one master. With one
 * zone (named, or one master) the cluster keeps publicSubnetCidr and privateSubnetCidr.
 */
export function isMultiZone(spec: Pick<ClusterSpec, 'availabilityZones' | 'masters'>): boolean {
  return spec.availabilityZones.length > 0 ? spec.availabilityZones.length > 1 : spec.masters > 1;
}

/**
 * The zone rules: `availabilityZone` (one zone) is folded into `availabilityZones`; zones
 * are distinct; a cluster that may spread over more than one zone (more than one zone
 * named, or more than one master and no zone named) carves its subnets from vpcCidr
 * (see `zoneSubnetCidrs`), so it takes no subnet CIDRs and needs a /22 or larger.
 */
function checkZones(spec: ClusterSpec, input: unknown): ClusterSpec {
  const zones = [...spec.availabilityZones];
  const duplicate = zones.find((zone, i) => zones.indexOf(zone) !== i);
  if (duplicate) raise('availabilityZones', `must not name a zone twice (${duplicate})`);
  if (spec.availabilityZone) {
    if (zones.length > 0 && (zones.length !== 1 || zones[0] !== spec.availabilityZone)) {
      raise('availabilityZone', 'conflicts with availabilityZones; give one of them');
    }
    zones.splice(0, zones.length, spec.availabilityZone);
  }
  const mostZones = zones.length > 0 ? zones.length : spec.masters;
  if (mostZones > 1) {
    const layout =
      zones.length > 0
        ? `a cluster over ${zones.length} availability zones`
        : `a cluster of ${spec.masters} masters over up to ${mostZones} availability zones`;
    // A default value is no request (and a validated spec, parsed again, has the defaults).
    for (const field of ['publicSubnetCidr', 'privateSubnetCidr'] as const) {
      const given = valueAt(input, [field]);
      if (given !== undefined && given !== DEFAULT_SPEC[field]) {
        raise(
          field,
          `applies to a single-zone cluster only: ${layout} carves its subnets from vpcCidr (set availabilityZone to keep one zone)`
        );
      }
    }
    if (prefix(spec.vpcCidr) > MULTI_ZONE_MAX_VPC_PREFIX) {
      raise(
        'vpcCidr',
        `must be a /${MULTI_ZONE_MAX_VPC_PREFIX} or larger: ${layout} carves a public and a private subnet per zone from it`
      );
    }
  }
  return { ...spec, availabilityZones: zones };
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
  const bits = prefix(vpcCidr);
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

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = input;
  for (const key of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

function raise(field: string, message: string): never {
  throw new ValidationError(field, message);
}

/** ZooKeeper/Mesos quorum for n masters: a majority. */
export function quorumOf(masters: number): number {
  return Math.floor(masters / 2) + 1;
}
