/**
 * The simulation context shared by the operation handlers: the state, the latency
 * model, lookups that honour eventual consistency, lifecycle states computed from
 * stored timestamps, tags, and the network facts the dependency rules need.
 */
import type { Tag, TagSpecification } from '@aws-sdk/client-ec2';
import { fail } from './errors';
import type { EventBus } from './events';
import type { TaskTokenEndpoint } from './sfn';
import type {
  CloudState,
  ImageRecord,
  InstanceRecord,
  NatGatewayRecord,
  RouteTableRecord,
  SecurityGroupRecord,
  SnapshotRecord,
  SubnetRecord,
  Tags,
  VpcRecord,
} from './state';
import type { DocumentBehaviour, LatencyModel } from './types';
import { newId, random } from './util/ids';

/** The account the simulated resources belong to. */
export const ACCOUNT_ID = '123456789012';
/** Canonical's account (owner of the public Ubuntu images). */
export const CANONICAL_ACCOUNT_ID = '099720109477';

export type InstanceStateName = 'pending' | 'running' | 'shutting-down' | 'terminated';
export type NatStateName = 'pending' | 'available' | 'failed' | 'deleting' | 'deleted';

const STATE_CODES: Record<InstanceStateName, number> = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48 };

/** The public Ubuntu images that Canonical's SSM parameters point to. */
export const PUBLIC_IMAGES: Record<string, { imageId: string; name: string; release: string }> = {
  '22.04': {
    imageId: 'ami-0b2c2a754d5b4da22',
    name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-jammy-22.04-amd64-server-20250925',
    release: '22.04',
  },
  '24.04': {
    imageId: 'ami-0e6d53d1e9c1e3a0f',
    name: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20250925',
    release: '24.04',
  },
};

export function publicImage(imageId: string): { imageId: string; name: string; release: string } | undefined {
  return Object.values(PUBLIC_IMAGES).find((image) => image.imageId === imageId);
}

type Kind = 'vpc' | 'subnet' | 'igw' | 'routeTable' | 'address' | 'nat' | 'sg' | 'instance' | 'image' | 'snapshot';

const KINDS: Record<Kind, { map: keyof CloudState; code: string; message: (id: string) => string }> = {
  vpc: { map: 'vpcs', code: 'InvalidVpcID.NotFound', message: (id) => `The vpc ID '${id}' does not exist` },
  subnet: { map: 'subnets', code: 'InvalidSubnetID.NotFound', message: (id) => `The subnet ID '${id}' does not exist` },
  igw: {
    map: 'internetGateways',
    code: 'InvalidInternetGatewayID.NotFound',
    message: (id) => `The internetGateway ID '${id}' does not exist`,
  },
  routeTable: { map: 'routeTables', code: 'InvalidRouteTableID.NotFound', message: (id) => `The routeTable ID '${id}' does not exist` },
  address: { map: 'addresses', code: 'InvalidAllocationID.NotFound', message: (id) => `The allocation ID '${id}' does not exist` },
  nat: { map: 'natGateways', code: 'NatGatewayNotFound', message: (id) => `The Nat Gateway ${id} was not found` },
  sg: { map: 'securityGroups', code: 'InvalidGroup.NotFound', message: (id) => `The security group '${id}' does not exist` },
  instance: { map: 'instances', code: 'InvalidInstanceID.NotFound', message: (id) => `The instance ID '${id}' does not exist` },
  image: { map: 'images', code: 'InvalidAMIID.NotFound', message: (id) => `The image id '[${id}]' does not exist` },
  snapshot: { map: 'snapshots', code: 'InvalidSnapshot.NotFound', message: (id) => `The snapshot '${id}' does not exist.` },
};

interface KindRecord {
  vpc: VpcRecord;
  subnet: SubnetRecord;
  igw: import('./state').InternetGatewayRecord;
  routeTable: RouteTableRecord;
  address: import('./state').AddressRecord;
  nat: NatGatewayRecord;
  sg: SecurityGroupRecord;
  instance: InstanceRecord;
  image: ImageRecord;
  snapshot: SnapshotRecord;
}

/** The simulation context handed to every operation handler. */
export class Sim {
  constructor(
    readonly state: CloudState,
    readonly model: LatencyModel,
    readonly documents: Readonly<Record<string, DocumentBehaviour>>,
    readonly instanceProfiles: readonly string[]
  ) {}

  /** The task tokens that SendTaskSuccess and its kin settle (not part of the saved state). */
  taskTokens?: TaskTokenEndpoint;

  /** The default event bus, when the cloud has one (not part of the saved state). */
  events?: EventBus;

  /** Virtual now: always Date.now(), which the caller may fake. */
  now(): number {
    return Date.now();
  }

  get region(): string {
    return this.state.region;
  }

  get zones(): string[] {
    return ['a', 'b', 'c'].map((suffix) => `${this.region}${suffix}`);
  }

  id(prefix: string): string {
    return newId(this.state, prefix);
  }

  /** A latency of the model with the optional seeded jitter applied. */
  latency(ms: number): number {
    const jitter = this.model.jitter;
    if (jitter <= 0) return ms;
    return Math.max(0, Math.round(ms * (1 + jitter * (2 * random(this.state) - 1))));
  }

  // ------------------------------------------------------------------ lookups

  /** The record of `id`, or the kind's NotFound error. `byId` applies the eventual-consistency window. */
  get<K extends Kind>(kind: K, id: string | undefined, byId = false): KindRecord[K] {
    const spec = KINDS[kind];
    const map = this.state[spec.map] as Record<string, KindRecord[K]>;
    const record = id === undefined ? undefined : map[id];
    if (!id || !record || !this.visible(kind, record) || (byId && this.inConsistencyWindow(record))) {
      throw fail(spec.code, spec.message(id ?? ''));
    }
    return record;
  }

  /** Like `get` for several ids: one NotFound error naming the missing ones. */
  getAll<K extends Kind>(kind: K, ids: readonly string[], byId = true): KindRecord[K][] {
    const missing: string[] = [];
    const found: KindRecord[K][] = [];
    for (const id of ids) {
      try {
        found.push(this.get(kind, id, byId));
      } catch {
        missing.push(id);
      }
    }
    if (missing.length > 0) throw fail(KINDS[kind].code, KINDS[kind].message(missing.join(', ')));
    return found;
  }

  /** Every visible record of a kind, in creation order. */
  list<K extends Kind>(kind: K): KindRecord[K][] {
    const map = this.state[KINDS[kind].map] as Record<string, KindRecord[K]>;
    return Object.values(map).filter((record) => this.visible(kind, record));
  }

  inConsistencyWindow(record: { createdAt: number }): boolean {
    return this.now() < record.createdAt + this.model.consistencyWindowMs;
  }

  private visible(kind: Kind, record: unknown): boolean {
    const now = this.now();
    const ttl = this.model.deletedVisibleMs;
    if (kind === 'instance') {
      const inst = record as InstanceRecord;
      return inst.terminatedAt === undefined || now < inst.terminatedAt + ttl;
    }
    if (kind === 'nat') {
      const nat = record as NatGatewayRecord;
      if (nat.deletedAt !== undefined && now >= nat.deletedAt + ttl) return false;
      if (nat.deleteRequestedAt === undefined && nat.failedAt !== undefined && now >= nat.failedAt + ttl) return false;
    }
    return true;
  }

  // ------------------------------------------------------------------ lifecycles

  instanceState(inst: InstanceRecord, at = this.now()): InstanceStateName {
    if (inst.terminatedAt !== undefined && at >= inst.terminatedAt) return 'terminated';
    if (inst.terminateRequestedAt !== undefined && at >= inst.terminateRequestedAt) return 'shutting-down';
    return at >= inst.runningAt ? 'running' : 'pending';
  }

  instanceStateCode(name: InstanceStateName): number {
    return STATE_CODES[name];
  }

  /** Alive = not terminating: the instance still holds its network interface and addresses until `terminated`. */
  holdsNetwork(inst: InstanceRecord): boolean {
    return this.instanceState(inst) !== 'terminated';
  }

  natState(nat: NatGatewayRecord, at = this.now()): NatStateName {
    if (nat.deletedAt !== undefined && at >= nat.deletedAt) return 'deleted';
    if (nat.deleteRequestedAt !== undefined && at >= nat.deleteRequestedAt) return 'deleting';
    if (nat.failedAt !== undefined && at >= nat.failedAt) return 'failed';
    if (nat.availableAt !== undefined && at >= nat.availableAt) return 'available';
    return 'pending';
  }

  /** A NAT holds its interface and its Elastic IP until it is deleted (a failed NAT released them). */
  natHoldsAddress(nat: NatGatewayRecord): boolean {
    const state = this.natState(nat);
    if (state === 'deleted') return false;
    if (state === 'failed') return false;
    if (state === 'deleting' && nat.failedAt !== undefined && nat.failedAt <= (nat.deleteRequestedAt ?? 0)) return false;
    return true;
  }

  imageState(image: ImageRecord): 'pending' | 'available' {
    return this.now() >= image.availableAt ? 'available' : 'pending';
  }

  snapshotState(snapshot: SnapshotRecord): 'pending' | 'completed' {
    return this.now() >= snapshot.completedAt ? 'completed' : 'pending';
  }

  // ------------------------------------------------------------------ tags

  /**
   * Tags of a TagSpecifications list for one resource type. A resource type that the
   * operation cannot tag is rejected as EC2 does.
   */
  tagsFor(specs: readonly TagSpecification[] | undefined, resourceType: string, allowed: readonly string[] = [resourceType]): Tags {
    const tags: Tags = {};
    for (const spec of specs ?? []) {
      const type = spec.ResourceType ?? '';
      if (!allowed.includes(type)) {
        throw fail('InvalidParameterValue', `'${type}' is not a valid taggable resource type for this operation.`);
      }
      if (type !== resourceType) continue;
      Object.assign(tags, checkedTags(spec.Tags));
    }
    return tags;
  }
}

/** Validates tags as EC2 does and turns them into a record. */
export function checkedTags(list: readonly Tag[] | undefined): Tags {
  const tags: Tags = {};
  for (const tag of list ?? []) {
    const key = tag.Key ?? '';
    if (key.length === 0 || key.length > 128) throw fail('InvalidParameterValue', 'Tag keys must be 1 to 128 characters long');
    if (key.toLowerCase().startsWith('aws:'))
      throw fail('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
    if ((tag.Value ?? '').length > 256) throw fail('InvalidParameterValue', 'Tag values must be at most 256 characters long');
    tags[key] = tag.Value ?? '';
  }
  if (Object.keys(tags).length > 50) throw fail('TagLimitExceeded', 'The maximum number of tags per resource is 50');
  return tags;
}

/** A tag record as the SDK's `Tag[]` (omitted when empty, as EC2 does). */
export function tagList(tags: Tags): Tag[] | undefined {
  const entries = Object.entries(tags);
  return entries.length === 0 ? undefined : entries.map(([Key, Value]) => ({ Key, Value }));
}

/** EC2 ids of a request: rejects an explicitly empty list the way the API treats absent ones. */
export function idList(ids: readonly string[] | undefined): string[] | undefined {
  return ids && ids.length > 0 ? [...ids] : undefined;
}

/** JSON with sorted keys, so that equal parameters give equal strings. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * ClientToken idempotency: the record of an earlier call with the same token, or
 * undefined for a first call. Other parameters than the first call's throw
 * IdempotentParameterMismatch.
 */
export function priorCall(
  sim: Sim,
  operation: string,
  token: string | undefined,
  input: object
): import('./state').TokenRecord | undefined {
  if (token === undefined) return undefined;
  if (token.length > 64) throw fail('InvalidParameterValue', 'The client token must be at most 64 ASCII characters');
  const record = sim.state.clientTokens[`${operation}:${token}`];
  if (!record) return undefined;
  const { ClientToken: _omit, ...params } = input as Record<string, unknown>;
  if (record.params !== canonicalJson(params)) {
    throw fail('IdempotentParameterMismatch', `The client token ${token} was already used with different parameters`);
  }
  return record;
}

/** Remembers a call made with a ClientToken. */
export function rememberCall(sim: Sim, operation: string, token: string | undefined, input: object, ids: string[], answer?: unknown): void {
  if (token === undefined) return;
  const { ClientToken: _omit, ...params } = input as Record<string, unknown>;
  sim.state.clientTokens[`${operation}:${token}`] = { params: canonicalJson(params), ids, answer };
}

/** An operation handler: answers one SDK command's input. */
export type Handler = (sim: Sim, input: Record<string, unknown>) => unknown;

/** Types a handler by its SDK input (the SDK delivers inputs of that shape). */
export function op<I>(fn: (sim: Sim, input: I) => unknown): Handler {
  return fn as unknown as Handler;
}

/** An SDK command output without the `$metadata` that the client adds. */
export type Out<T> = Omit<T, '$metadata'>;
