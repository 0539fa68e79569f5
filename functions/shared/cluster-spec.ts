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

const NAME_RE = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;
const CIDR_RE = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/(3[0-2]|[12]?\d)$/;
const AZ_RE = /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/;
const VERSION_RE = /^[A-Za-z0-9.+~:-]{1,64}$/;
const URL_RE = /^https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[A-Za-z0-9._~%/-]*)?$/;

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
});

/** A validated cluster spec with every default filled in. */
export type ClusterSpec = z.infer<typeof clusterSpecSchema>;
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
      return raise(issue.keys.map(String).join(', '), 'is not a field of the cluster spec');
    }
    return raise(field, message);
  }
  const spec = result.data;
  const vpcBits = prefix(spec.vpcCidr);
  if (vpcBits < 16 || vpcBits > 28) raise('vpcCidr', 'must have a prefix length between /16 and /28');
  for (const field of ['publicSubnetCidr', 'privateSubnetCidr'] as const) {
    const bits = prefix(spec[field]);
    if (bits < 16 || bits > 28) raise(field, 'must have a prefix length between /16 and /28');
    if (!inside(spec[field], spec.vpcCidr)) raise(field, `must lie inside vpcCidr ${spec.vpcCidr}`);
  }
  if (overlaps(spec.publicSubnetCidr, spec.privateSubnetCidr)) {
    raise('privateSubnetCidr', `must not overlap publicSubnetCidr ${spec.publicSubnetCidr}`);
  }
  if (prefix(spec.adminCidr) === 0 && !spec.allowPublicAdmin) {
    raise('adminCidr', 'opens the Mesos and Marathon UIs to the whole internet; set allowPublicAdmin: true to allow it');
  }
  return spec;
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
