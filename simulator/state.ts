/**
 * The internal, JSON-serializable state of the simulated cloud. Times are epoch
 * milliseconds of virtual time; a state change is stored as the time at which it
 * happens (e.g. `availableAt`) and the current state is computed on each read.
 */
import type { DocumentBehaviour, FaultSpec } from './types';

export type Tags = Record<string, string>;

interface Resource {
  id: string;
  createdAt: number;
  tags: Tags;
}

export interface VpcRecord extends Resource {
  cidr: string;
  availableAt: number;
  dnsHostnames: boolean;
  dnsSupport: boolean;
  defaultSecurityGroupId: string;
  mainRouteTableId: string;
  mainAssociationId: string;
}

export interface SubnetRecord extends Resource {
  vpcId: string;
  cidr: string;
  availabilityZone: string;
  availableAt: number;
  mapPublicIpOnLaunch: boolean;
}

export interface InternetGatewayRecord extends Resource {
  vpcId?: string;
}

export interface RouteRecord {
  destination: string;
  gatewayId?: string;
  natGatewayId?: string;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface AssociationRecord {
  id: string;
  subnetId?: string;
  main: boolean;
}

export interface RouteTableRecord extends Resource {
  vpcId: string;
  main: boolean;
  routes: RouteRecord[];
  associations: AssociationRecord[];
}

export interface AddressRecord extends Resource {
  publicIp: string;
}

export interface NatGatewayRecord extends Resource {
  subnetId: string;
  vpcId: string;
  allocationId: string;
  publicIp: string;
  privateIp: string;
  networkInterfaceId: string;
  associationId: string;
  clientToken?: string;
  /** When it becomes available, unless it fails first. */
  availableAt?: number;
  failedAt?: number;
  failureCode?: string;
  failureMessage?: string;
  deleteRequestedAt?: number;
  deletedAt?: number;
}

export interface RuleRecord {
  id: string;
  protocol: string;
  fromPort?: number;
  toPort?: number;
  cidr?: string;
  groupId?: string;
  description?: string;
}

export interface SecurityGroupRecord extends Resource {
  vpcId: string;
  name: string;
  description: string;
  isDefault: boolean;
  ingress: RuleRecord[];
  egress: RuleRecord[];
}

export interface VolumeRecord {
  deviceName: string;
  volumeId: string;
  size: number;
  volumeType: string;
  encrypted: boolean;
  deleteOnTermination: boolean;
  tags: Tags;
}

export interface InstanceRecord extends Resource {
  reservationId: string;
  launchIndex: number;
  imageId: string;
  instanceType: string;
  subnetId: string;
  vpcId: string;
  availabilityZone: string;
  privateIp: string;
  publicIp?: string;
  securityGroupIds: string[];
  instanceProfile?: string;
  userData?: string;
  metadataOptions: Record<string, unknown>;
  volumes: VolumeRecord[];
  networkInterfaceId: string;
  clientToken?: string;
  runningAt: number;
  /** When the SSM agent would first reach the service (null: no valid instance profile). */
  ssmOnlineAt: number | null;
  /** When the OS has booted (the SSM-online delay, whatever the profile). */
  bootedAt: number;
  terminateRequestedAt?: number;
  terminatedAt?: number;
  /** Mesos: when a configure-master run made it a master. */
  masterAt?: number;
  /** Mesos: when a configure-slave run installed the agent. */
  agentInstalledAt?: number;
  /** Mesos: launched from an image that carries the agent. */
  agentImage: boolean;
  /** Mesos: the masters named in the join user data. */
  joinMasterIps?: string[];
  agentRegisterMs: number;
  /** Mesos: when a drain-agents run put this agent into maintenance and drained it. */
  drainAt?: number;
  /** Mesos: when its tasks have left (drainAt + the drain latency). */
  drainedAt?: number;
}

export interface ImageRecord extends Resource {
  name: string;
  description?: string;
  sourceInstanceId: string;
  availableAt: number;
  snapshotIds: string[];
  rootDeviceName: string;
  mappings: { deviceName: string; snapshotId: string; size: number; volumeType: string; encrypted: boolean }[];
  agentInstalled: boolean;
}

export interface SnapshotRecord extends Resource {
  volumeId: string;
  size: number;
  encrypted: boolean;
  description: string;
  completedAt: number;
}

export interface AlarmRecord {
  name: string;
  createdAt: number;
  definition: Record<string, unknown>;
  state: 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';
  stateReason: string;
  stateUpdatedAt: number;
  configurationUpdatedAt: number;
  actionsEnabled: boolean;
  tags: Tags;
  /** Virtual time up to which the alarm has been evaluated against its metric. */
  evaluatedAt?: number;
  /** Its state changes, oldest first (at most the last 100): what EventBridge would deliver. */
  history?: AlarmTransitionRecord[];
}

export interface AlarmTransitionRecord {
  at: number;
  from: AlarmRecord['state'];
  to: AlarmRecord['state'];
  reason: string;
}

/** A load set on a cluster from time `t` (see SimulatedCloud.setLoad). */
export interface LoadRecord {
  t: number;
  percent: number;
  /** The slave count at which `percent` holds; with more agents the allocation falls in proportion. */
  relativeToSlaves?: number;
}

export interface InvocationRecord {
  instanceId: string;
  inProgressAt: number;
  endAt: number;
  /** The planned outcome (a terminated instance still turns it into Failed). */
  outcome: 'Success' | 'Failed' | 'TimedOut' | 'Cancelled';
  /** Frozen output once read after the end (count-agents). */
  output?: string;
}

export interface CommandRecord {
  id: string;
  documentName: string;
  behaviour: DocumentBehaviour;
  parameters: Record<string, string[]>;
  comment?: string;
  timeoutSeconds?: number;
  requestedAt: number;
  invocations: InvocationRecord[];
  /** The standard error of a failed command, when the simulated script says why (a refused package). */
  failureOutput?: string;
}

export interface MetricRecord {
  namespace: string;
  metricName: string;
  dimensions: { Name: string; Value: string }[];
  points: { t: number; value: number; unit?: string }[];
}

export interface TokenRecord {
  params: string;
  ids: string[];
  /** A snapshot of the answer, for resources that may be gone by the replay. */
  answer?: unknown;
}

export interface BucketRecord {
  tokens: number;
  updatedAt: number;
}

/** A parameter of the account's Parameter Store (simulator/ssm.ts); Canonical's public ones are not stored. */
export interface ParameterRecord {
  name: string;
  type: 'String' | 'StringList' | 'SecureString';
  value: string;
  version: number;
  lastModified: number;
  tags: Tags;
}

/** An object of the package mirror bucket (simulator/s3.ts). */
export interface MirrorObjectRecord {
  size: number;
  /** SHA256 of the content, base64 (as S3's ChecksumSHA256). */
  sha256Base64: string;
  /** Whether S3 keeps the checksum (the upload named SHA256). */
  checksumStored: boolean;
  versionId: string;
  versions: number;
  lastModified: number;
}

export interface CloudState {
  version: 1;
  region: string;
  seed: number;
  now: number;
  counters: Record<string, number>;
  prng: number;
  vpcs: Record<string, VpcRecord>;
  subnets: Record<string, SubnetRecord>;
  internetGateways: Record<string, InternetGatewayRecord>;
  routeTables: Record<string, RouteTableRecord>;
  addresses: Record<string, AddressRecord>;
  natGateways: Record<string, NatGatewayRecord>;
  securityGroups: Record<string, SecurityGroupRecord>;
  instances: Record<string, InstanceRecord>;
  images: Record<string, ImageRecord>;
  snapshots: Record<string, SnapshotRecord>;
  alarms: Record<string, AlarmRecord>;
  commands: Record<string, CommandRecord>;
  metrics: Record<string, MetricRecord>;
  /** Cluster id -> the loads set on it, oldest first. */
  loads: Record<string, LoadRecord[]>;
  /** Instance id -> task counts set on the agent, oldest first. */
  agentTasks: Record<string, { t: number; tasks: number }[]>;
  /** `Operation:token` -> the first call's parameters and result. */
  clientTokens: Record<string, TokenRecord>;
  faults: FaultSpec[];
  buckets: Record<string, BucketRecord>;
  /** The Marathon smoke test app of each cluster, by VPC id (simulator/marathon.ts). */
  marathonApps?: Record<string, import('./marathon').MarathonAppRecord>;
  /** Set: every smoke test app's task fails with this message (an injected fault). */
  marathonTaskFailure?: string;
  /** DynamoDB items by table name and partition key (simulator/dynamodb.ts; absent in states saved before it existed). */
  tables?: Record<string, Record<string, Record<string, import('@aws-sdk/client-dynamodb').AttributeValue>>>;
  /** The package mirror bucket's objects, by key (absent in states saved before it existed). */
  packageObjects?: Record<string, MirrorObjectRecord>;
  calls: Record<string, number>;
  /** The account's Parameter Store, by name (absent in states saved before it existed). */
  parameters?: Record<string, ParameterRecord>;
  /** The account's quotas, when raised or lowered from the defaults (simulator/quotas.ts). */
  quotas?: { vpcs?: number; elasticIps?: number; vcpus?: number };
  /** `zone/instance-type` pairs that DescribeInstanceTypeOfferings leaves out. */
  withheldOfferings?: string[];
}

export function emptyState(region: string, seed: number, now: number): CloudState {
  return {
    version: 1,
    region,
    seed,
    now,
    counters: {},
    prng: seed >>> 0,
    vpcs: {},
    subnets: {},
    internetGateways: {},
    routeTables: {},
    addresses: {},
    natGateways: {},
    securityGroups: {},
    instances: {},
    images: {},
    snapshots: {},
    alarms: {},
    commands: {},
    metrics: {},
    loads: {},
    agentTasks: {},
    clientTokens: {},
    faults: [],
    buckets: {},
    packageObjects: {},
    calls: {},
  };
}
