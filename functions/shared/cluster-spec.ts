/**
 * The cluster spec: the one schema of a create request, shared by the CLI, the API
 * function and the workflow's first state. zod/mini keeps the Lambda bundles small.
 */
import * as z from 'zod/mini';
import {
  ALLOWED_INSTANCE_TYPES,
  type AutoscalingSpec,
  cidrPrefix,
  cidrRange,
  DEFAULT_SOFTWARE,
  DEFAULT_SPEC,
  DEFAULT_TIMEOUTS,
  longestTimeoutChain,
  MAX_SLAVES,
  MAX_TIMEOUT_CHAIN_MINUTES,
  MAX_TIMEOUT_MINUTES,
  MAX_ZONES,
  MULTI_ZONE_MAX_VPC_PREFIX,
  NAT_GATEWAY_MODES,
  resolveAutoscaling,
} from './cluster-spec-rules';
import { ValidationError } from './errors';
import { defaultPackageSource, PACKAGE_SOURCES } from './package-manifest';

export * from './cluster-spec-rules';

const NAME_RE = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const CIDR_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const AZ_RE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const VERSION_RE = /^[A-Za-z0-9.+~:-]{1,64}$/;
const URL_RE = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;
const url = () =>
  z
    .string()
    .check(z.maxLength(MAX_STRING_LENGTH, `must be at most ${MAX_STRING_LENGTH} characters`), z.regex(URL_RE, 'must be an https URL'));

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

/** `timeouts`: the budget of each wait of the create machine, in minutes (DEFAULT_TIMEOUTS). */
const minutesField = (fallback: number) => z._default(wholeNumber(1, MAX_TIMEOUT_MINUTES), fallback);
const timeouts = z.strictObject({
  nodesOnlineMinutes: minutesField(DEFAULT_TIMEOUTS.nodesOnlineMinutes),
  natGatewayMinutes: minutesField(DEFAULT_TIMEOUTS.natGatewayMinutes),
  masterSetupMinutes: minutesField(DEFAULT_TIMEOUTS.masterSetupMinutes),
  slaveSetupMinutes: minutesField(DEFAULT_TIMEOUTS.slaveSetupMinutes),
  imageMinutes: minutesField(DEFAULT_TIMEOUTS.imageMinutes),
  agentsMinutes: minutesField(DEFAULT_TIMEOUTS.agentsMinutes),
});

const cidr = z.string().check(z.regex(CIDR_RE, 'must be an IPv4 CIDR block such as 10.0.0.0/16'));

/** Longest value a free-form string field of the spec may hold (a URL, a package version). */
export const MAX_STRING_LENGTH = 256;

const version = () =>
  z
    .string()
    .check(z.maxLength(64, 'must be at most 64 characters'), z.regex(VERSION_RE, 'must be a package version (A-Z a-z 0-9 . + ~ : -)'));
const zone = () =>
  z
    .string()
    .check(z.maxLength(32, 'must be at most 32 characters'), z.regex(AZ_RE, 'must be an availability zone name such as eu-west-1a'));

const software = z.strictObject({
  ubuntuRelease: z._default(z.enum(['22.04', '24.04']), DEFAULT_SOFTWARE.ubuntuRelease),
  mesosVersion: z._default(version(), DEFAULT_SOFTWARE.mesosVersion),
  marathonVersion: z._default(version(), DEFAULT_SOFTWARE.marathonVersion),
  packageRepository: z._default(url(), DEFAULT_SOFTWARE.packageRepository),
  packageKeyUrl: z._default(url(), DEFAULT_SOFTWARE.packageKeyUrl),
  packageSource: z._default(z.enum(PACKAGE_SOURCES, 'must be mirror or vendor'), defaultPackageSource()),
});

export const clusterSpecSchema = z.strictObject({
  name: z
    .string()
    .check(
      z.maxLength(32, 'must be at most 32 characters'),
      z.regex(NAME_RE, 'must be a lowercase DNS label of 3 to 32 characters (a-z, 0-9, -), starting with a letter')
    ),
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
  availabilityZone: z.optional(zone()),
  availabilityZones: z._default(z.array(zone()).check(z.maxLength(MAX_ZONES, `must name at most ${MAX_ZONES} zones`)), []),
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
  software: z._default(software, { ...DEFAULT_SOFTWARE, packageSource: defaultPackageSource() }),
  keepOnFailure: z._default(z.boolean(), false),
  autoscaling: z.optional(autoscaling),
  timeouts: z._default(timeouts, { ...DEFAULT_TIMEOUTS }),
});

/** A validated cluster spec with every default filled in. */
export type ClusterSpec = Omit<z.infer<typeof clusterSpecSchema>, 'autoscaling'> & { autoscaling: AutoscalingSpec };

/** What a caller may send: everything but `name` and `adminCidr` is optional. */
export type ClusterSpecInput = z.input<typeof clusterSpecSchema>;

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
  const vpcBits = cidrPrefix(spec.vpcCidr);
  if (vpcBits < 16 || vpcBits > 28) raise('vpcCidr', 'must have a prefix length between /16 and /28');
  checkAddressRules(spec);
  const chain = longestTimeoutChain(spec.timeouts);
  if (chain.minutes > MAX_TIMEOUT_CHAIN_MINUTES) {
    raise(
      'timeouts',
      `${chain.chain} add up to ${chain.minutes} min; they must stay within ${MAX_TIMEOUT_CHAIN_MINUTES} min, so that a create gives up (and rolls back) before its 2-hour execution timeout`
    );
  }
  const zoned = checkZones(spec, input);
  // A multi-zone cluster carves its subnets from vpcCidr: the subnet fields are unused.
  if (!isMultiZone(zoned)) {
    for (const field of ['publicSubnetCidr', 'privateSubnetCidr'] as const) {
      const bits = cidrPrefix(spec[field]);
      if (bits < 16 || bits > 28) raise(field, 'must have a prefix length between /16 and /28');
      if (!inside(spec[field], spec.vpcCidr)) raise(field, `must lie inside vpcCidr ${spec.vpcCidr}`);
    }
    if (overlaps(spec.publicSubnetCidr, spec.privateSubnetCidr)) {
      raise('privateSubnetCidr', `must not overlap publicSubnetCidr ${spec.publicSubnetCidr}`);
    }
  }
  return zoned;
}

/**
 * What EC2 would refuse of the CIDRs, or what would open the cluster too widely: a block
 * with host bits set (EC2 refuses `198.51.100.7/24` in a security group rule with
 * InvalidParameterValue, after the VPC exists), a VPC range outside the private and
 * public unicast space (multicast 224.0.0.0/4, reserved 240.0.0.0/4, 0.0.0.0/8, loopback
 * 127.0.0.0/8, link-local 169.254.0.0/16), and an admin range wider than a /8 (as
 * `0.0.0.0/1`: half the internet), treated like `0.0.0.0/0`.
 */
function checkAddressRules(spec: ClusterSpec): void {
  for (const field of ['vpcCidr', 'publicSubnetCidr', 'privateSubnetCidr', 'adminCidr'] as const) {
    const network = networkOf(spec[field]);
    if (network !== spec[field]) raise(field, `has host bits set: ${spec[field]} is not a network address; did you mean ${network}?`);
  }
  const reserved = RESERVED_RANGES.find((range) => overlaps(spec.vpcCidr, range.cidr));
  if (reserved) raise('vpcCidr', `overlaps ${reserved.cidr} (${reserved.what}); use a private range such as 10.0.0.0/16 or 172.16.0.0/16`);
  const adminBits = cidrPrefix(spec.adminCidr);
  if (adminBits < MIN_ADMIN_PREFIX && !spec.allowPublicAdmin) {
    raise(
      'adminCidr',
      `${adminBits === 0 ? 'opens' : `is a /${adminBits}: it opens`} the Mesos and Marathon UIs to ${adminBits === 0 ? 'the whole internet' : 'a large part of the internet'}; ` +
        `use a /${MIN_ADMIN_PREFIX} or narrower, or set allowPublicAdmin: true to allow it`
    );
  }
}

/** Admin ranges wider than this prefix are treated like 0.0.0.0/0 (need allowPublicAdmin). */
export const MIN_ADMIN_PREFIX = 8;

/** Address ranges a VPC cannot use (RFC 6890 special-purpose blocks that are not unicast-routable in a VPC). */
const RESERVED_RANGES = [
  { cidr: '0.0.0.0/8', what: '"this network"' },
  { cidr: '127.0.0.0/8', what: 'loopback' },
  { cidr: '169.254.0.0/16', what: 'link-local' },
  { cidr: '224.0.0.0/4', what: 'multicast' },
  { cidr: '240.0.0.0/4', what: 'reserved' },
] as const;

/** The network address of a CIDR block with its prefix (`198.51.100.7/24` → `198.51.100.0/24`). */
function networkOf(block: string): string {
  const [base] = cidrRange(block);
  const bits = cidrPrefix(block);
  return `${[24, 16, 8, 0].map((shift) => Math.floor(base / 2 ** shift) % 256).join('.')}/${bits}`;
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
    if (cidrPrefix(spec.vpcCidr) > MULTI_ZONE_MAX_VPC_PREFIX) {
      raise(
        'vpcCidr',
        `must be a /${MULTI_ZONE_MAX_VPC_PREFIX} or larger: ${layout} carves a public and a private subnet per zone from it`
      );
    }
  }
  return { ...spec, availabilityZones: zones };
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
