/**
 * Deploy-time settings, from cdk.json context (or `-c key=value`): the limits the API
 * enforces, the scaling schedules, the account's customer-managed EBS key and whether the
 * stack sets API Gateway's account-wide CloudWatch role. Checked at synth, so a bad setting fails the synth
 * with the key's name.
 */
import type { Node } from 'constructs';
import { isClusterId } from '../functions/shared/cluster-id';
import { ALLOWED_INSTANCE_TYPES, MAX_SLAVES } from '../functions/shared/cluster-spec';

/** A scheduled scale of one cluster: to an exact slave count, or one step in a direction. */
export interface ScheduledScaling {
  /** Names the schedule (unique; letters, digits, - and _). */
  readonly name: string;
  readonly clusterId: string;
  /** An EventBridge Scheduler expression: `cron(0 7 ? * MON-FRI *)`, `rate(1 day)` or `at(2026-12-24T18:00:00)`. */
  readonly expression: string;
  /** IANA time zone of a cron or at expression. @default UTC */
  readonly timezone?: string;
  /** The exact slave count to scale to. */
  readonly slaves?: number;
  /** One autoscaling step out or in (when `slaves` is not given). */
  readonly direction?: 'out' | 'in';
}

/** What a deployment is configured with. */
export interface DeploySettings {
  /** Instance types the API accepts (a subset of the spec's allow-list). */
  readonly allowedInstanceTypes: readonly string[];
  /** The most slaves one cluster may have. */
  readonly maxSlavesPerCluster: number;
  /** API Gateway stage throttling: steady requests per second. */
  readonly apiRateLimit: number;
  /** API Gateway stage throttling: burst. */
  readonly apiBurstLimit: number;
  readonly scheduledScaling: readonly ScheduledScaling[];
  /**
   * The ARN of the customer-managed KMS key that the account encrypts EBS volumes with by
   * default, if it does: the steps that launch instances and bake images then get the KMS
   * permissions EBS encryption needs on that key. Undefined: the AWS managed key (aws/ebs),
   * which needs no grant.
   */
  readonly ebsKmsKeyArn?: string;
  /**
   * Whether the stack sets API Gateway's account-wide CloudWatch Logs role (it replaces any
   * role the account and Region already have). Execution and access logging need one.
   */
  readonly apiGatewayCloudWatchRole: boolean;
}

/** The context keys. */
export const SETTING_KEYS = {
  allowedInstanceTypes: 'mesos-cluster:allowedInstanceTypes',
  maxSlavesPerCluster: 'mesos-cluster:maxSlavesPerCluster',
  apiRateLimit: 'mesos-cluster:apiRateLimit',
  apiBurstLimit: 'mesos-cluster:apiBurstLimit',
  scheduledScaling: 'mesos-cluster:scheduledScaling',
  ebsKmsKeyArn: 'mesos-cluster:ebsKmsKeyArn',
  apiGatewayCloudWatchRole: 'mesos-cluster:apiGatewayCloudWatchRole',
} as const;

/**
 * The defaults: every allowed type, the spec's maximum, 10 requests per second (burst 20), no
 * schedules, no customer-managed EBS key, and the account's API Gateway CloudWatch role left alone.
 */
export const DEFAULT_SETTINGS: DeploySettings = {
  allowedInstanceTypes: [...ALLOWED_INSTANCE_TYPES],
  maxSlavesPerCluster: MAX_SLAVES,
  apiRateLimit: 10,
  apiBurstLimit: 20,
  scheduledScaling: [],
  apiGatewayCloudWatchRole: false,
};

function parsed(value: unknown): unknown {
  // `-c key=value` gives strings; cdk.json gives JSON values.
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

function wholeNumber(key: string, value: unknown, min: number, max: number): number {
  const n = parsed(value);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new Error(`context ${key}: must be a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** A KMS key ARN in any partition (an alias ARN does not name the key a grant is created on). */
const KMS_KEY_ARN_RE = /^arn:aws(-cn|-us-gov)?:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]{1,128}$/;

function keyArnOf(value: unknown): string | undefined {
  const key = SETTING_KEYS.ebsKmsKeyArn;
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string' || !KMS_KEY_ARN_RE.test(value)) {
    throw new Error(`context ${key}: must be a KMS key ARN (arn:aws:kms:<region>:<account>:key/<key id>), got ${JSON.stringify(value)}`);
  }
  return value;
}

function flag(key: string, value: unknown, fallback: boolean): boolean {
  const v = value === undefined ? fallback : parsed(value);
  if (typeof v !== 'boolean') throw new Error(`context ${key}: must be true or false, got ${JSON.stringify(value)}`);
  return v;
}

const EXPRESSION_RE = /^(cron\([^)]+\)|rate\(\d+ (minute|minutes|hour|hours|day|days)\)|at\(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\))$/;

function schedulesOf(value: unknown, maxSlaves: number): ScheduledScaling[] {
  const key = SETTING_KEYS.scheduledScaling;
  const list = parsed(value);
  if (!Array.isArray(list)) throw new Error(`context ${key}: must be a list of schedules`);
  const names = new Set<string>();
  return list.map((raw, i) => {
    const s = raw as Partial<ScheduledScaling>;
    const at = `context ${key}[${i}]`;
    if (typeof s.name !== 'string' || !/^[A-Za-z0-9_-]{1,40}$/.test(s.name))
      throw new Error(`${at}.name: must be 1–40 letters, digits, - or _`);
    if (names.has(s.name)) throw new Error(`${at}.name: '${s.name}' is used twice`);
    names.add(s.name);
    if (typeof s.clusterId !== 'string' || !isClusterId(s.clusterId)) throw new Error(`${at}.clusterId: must be a cluster id`);
    if (typeof s.expression !== 'string' || !EXPRESSION_RE.test(s.expression)) {
      throw new Error(`${at}.expression: must be cron(…), rate(N minutes|hours|days) or at(yyyy-mm-ddThh:mm:ss)`);
    }
    if (s.timezone !== undefined && (typeof s.timezone !== 'string' || !/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/.test(s.timezone))) {
      throw new Error(`${at}.timezone: must be an IANA time zone such as Europe/Berlin`);
    }
    if ((s.slaves === undefined) === (s.direction === undefined)) throw new Error(`${at}: give either slaves or direction`);
    if (s.slaves !== undefined) wholeNumber(`${key}[${i}].slaves`, s.slaves, 0, maxSlaves);
    if (s.direction !== undefined && s.direction !== 'out' && s.direction !== 'in') throw new Error(`${at}.direction: must be out or in`);
    return { ...s } as ScheduledScaling;
  });
}

/** Reads and checks the settings from the construct tree's context. */
export function deploySettings(node: Node): DeploySettings {
  const get = (key: string) => node.tryGetContext(key) as unknown;
  const typesValue = parsed(get(SETTING_KEYS.allowedInstanceTypes) ?? DEFAULT_SETTINGS.allowedInstanceTypes);
  const types = typeof typesValue === 'string' ? typesValue.split(',') : typesValue;
  if (!Array.isArray(types) || types.length === 0)
    throw new Error(`context ${SETTING_KEYS.allowedInstanceTypes}: must be a list of instance types`);
  const unknown = types.filter((t) => !(ALLOWED_INSTANCE_TYPES as readonly unknown[]).includes(t));
  if (unknown.length > 0) {
    throw new Error(
      `context ${SETTING_KEYS.allowedInstanceTypes}: ${unknown.join(', ')} not in the spec's allow-list (${ALLOWED_INSTANCE_TYPES.join(', ')})`
    );
  }
  const maxSlaves = wholeNumber(SETTING_KEYS.maxSlavesPerCluster, get(SETTING_KEYS.maxSlavesPerCluster) ?? MAX_SLAVES, 0, MAX_SLAVES);
  return {
    allowedInstanceTypes: types as string[],
    maxSlavesPerCluster: maxSlaves,
    apiRateLimit: wholeNumber(SETTING_KEYS.apiRateLimit, get(SETTING_KEYS.apiRateLimit) ?? DEFAULT_SETTINGS.apiRateLimit, 1, 10000),
    apiBurstLimit: wholeNumber(SETTING_KEYS.apiBurstLimit, get(SETTING_KEYS.apiBurstLimit) ?? DEFAULT_SETTINGS.apiBurstLimit, 1, 5000),
    scheduledScaling: schedulesOf(get(SETTING_KEYS.scheduledScaling) ?? [], maxSlaves),
    ebsKmsKeyArn: keyArnOf(get(SETTING_KEYS.ebsKmsKeyArn)),
    apiGatewayCloudWatchRole: flag(
      SETTING_KEYS.apiGatewayCloudWatchRole,
      get(SETTING_KEYS.apiGatewayCloudWatchRole),
      DEFAULT_SETTINGS.apiGatewayCloudWatchRole
    ),
  };
}
