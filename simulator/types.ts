/**
 * Public types of the simulated cloud: options, the latency model, the inventory and
 * the serialized state.
 */

/** The services the simulated cloud answers. */
export type ServiceName = 'ec2' | 'ssm' | 'cloudwatch' | 's3' | 'servicequotas' | 'sfn' | 'dynamodb';

/** What an SSM document does when it runs on a simulated instance. */
export type DocumentBehaviour =
  | 'configure-master'
  | 'configure-slave'
  | 'count-agents'
  | 'agent-load'
  | 'drain-agents'
  | 'marathon-smoke-test';

/** A token bucket: `max` tokens, refilled at `refillPerSecond` (EC2 API throttling). */
export interface BucketSpec {
  readonly max: number;
  readonly refillPerSecond: number;
}

/**
 * Latencies and behaviour switches of the simulated cloud. Every duration is in
 * milliseconds of virtual time. Field by field documentation: simulator/README.md.
 */
export interface LatencyModel {
  readonly apiCallMs: number;
  readonly consistencyWindowMs: number;
  readonly vpcAvailableMs: number;
  readonly subnetAvailableMs: number;
  readonly natGatewayAvailableMs: number;
  readonly natGatewayFailedMs: number;
  readonly natGatewayDeleteMs: number;
  readonly instanceRunningMs: number;
  readonly ssmOnlineMs: number;
  readonly instanceTerminateMs: number;
  readonly imageAvailableMs: number;
  readonly ssmDeliveryMs: number;
  readonly commandDurationsMs: Readonly<Record<DocumentBehaviour, number>>;
  readonly agentRegisterMs: number;
  /** How long the tasks of a drained agent take to leave it. */
  readonly agentDrainMs: number;
  /** From the smoke test app's deploy (or the first agent's registration, if later) to its task running (a small image pulled and started). */
  readonly marathonAppRunningMs: number;
  /** From a change of state to an EventBridge rule's target getting its event. */
  readonly eventDeliveryMs: number;
  /** The allocation percent masters publish for a cluster whose load was never set. */
  readonly defaultAllocationPercent: number;
  readonly deletedVisibleMs: number;
  readonly jitter: number;
  readonly networkReachability: boolean;
  readonly throttling: boolean;
  readonly throttleBuckets: Readonly<Record<string, BucketSpec>>;
}

/** Options of a simulated cloud. */
export interface SimulatorOptions {
  /** Latencies and switches; defaults: simulator/latency-model.json. */
  latencyModel?: LatencyModel;
  /** Default 'eu-west-1' (zones a, b and c). */
  region?: string;
  /** SSM document name -> what it does. Defaults to the product's five documents (DEFAULT_DOCUMENTS). */
  documents?: Record<string, DocumentBehaviour>;
  /** IAM instance profile names that exist; default ['mesos-cluster-node']. */
  instanceProfiles?: string[];
  /** Seed of the ids and of the latency jitter; default 1. */
  seed?: number;
}

/** A fault: the next `count` calls of `operation` throw `code` (no count: every call). */
export interface FaultSpec {
  /**
   * SDK operation without the `Command` suffix, e.g. 'CreateNatGateway'. The form
   * `Command:<DocumentName>` instead makes the invocations of the next SendCommand(s)
   * of that document end with status `code` ('Failed', 'TimedOut' or 'Cancelled').
   */
  operation: string;
  code: string;
  count?: number;
  message?: string;
  /** How many calls it has failed so far (kept while a persistent fault stays). */
  fired?: number;
}

/** Kinds of resources the inventory lists. */
export type InventoryType =
  | 'vpc'
  | 'subnet'
  | 'internet-gateway'
  | 'route-table'
  | 'elastic-ip'
  | 'nat-gateway'
  | 'security-group'
  | 'instance'
  | 'image'
  | 'snapshot'
  | 'alarm'
  | 'parameter';

/** One live simulated resource. */
export interface InventoryItem {
  readonly id: string;
  readonly type: InventoryType;
  readonly state: string;
  readonly tags: Record<string, string>;
}

/** The serialized simulated cloud (see `SimulatedCloud.toJSON`). */
export interface SimulatorState {
  readonly version: 1;
  readonly region: string;
  readonly seed: number;
  /** Virtual time (Date.now()) when the state was saved. */
  readonly now: number;
  readonly [key: string]: unknown;
}
