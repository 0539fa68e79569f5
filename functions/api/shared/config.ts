/**
 * The deploy-time settings of the API functions, read from their environment once per cold
 * start: the state machines they start and the limits the stack was deployed with
 * (cdk.json context `mesos-cluster:allowedInstanceTypes`, `mesos-cluster:maxSlavesPerCluster`).
 */
import { ALLOWED_INSTANCE_TYPES, MAX_SLAVES } from '../../shared/cluster-spec-rules';
import { type Env, requireEnv } from '../../shared/env';
import { ConfigurationError } from '../../shared/errors';

/** The state machines and limits of one deployment. */
export interface ApiConfig {
  readonly createMachineArn: string;
  readonly teardownMachineArn: string;
  /** Absent until the stack has a scale machine. */
  readonly scaleMachineArn?: string;
  /** Instance types a request may name (a subset of the spec's allow-list). */
  readonly allowedInstanceTypes: readonly string[];
  /** The most slaves one cluster may have. */
  readonly maxSlaves: number;
}

/** Environment variable names, shared with the stack that sets them. */
export const API_ENV = {
  createMachineArn: 'CREATE_STATE_MACHINE_ARN',
  teardownMachineArn: 'TEARDOWN_STATE_MACHINE_ARN',
  scaleMachineArn: 'SCALE_STATE_MACHINE_ARN',
  allowedInstanceTypes: 'ALLOWED_INSTANCE_TYPES',
  maxSlaves: 'MAX_SLAVES_PER_CLUSTER',
} as const;

/**
 * Reads the config; throws ConfigurationError (at cold start) naming a variable that is
 * missing or malformed. Only the scale machine is optional: a stack without one sets none.
 */
export function apiConfigFromEnv(env: Env = process.env): ApiConfig {
  const types = requireEnv(API_ENV.allowedInstanceTypes, env)
    .split(',')
    .filter((t) => t.length > 0);
  const unknown = types.filter((t) => !(ALLOWED_INSTANCE_TYPES as readonly string[]).includes(t));
  if (types.length === 0 || unknown.length > 0) {
    throw new ConfigurationError(
      `${API_ENV.allowedInstanceTypes} must list instance types of the spec's allow-list, got '${types.join(',')}'`
    );
  }
  const maxSlaves = Number(requireEnv(API_ENV.maxSlaves, env));
  if (!Number.isInteger(maxSlaves) || maxSlaves < 0 || maxSlaves > MAX_SLAVES) {
    throw new ConfigurationError(`${API_ENV.maxSlaves} must be a whole number from 0 to ${MAX_SLAVES}`);
  }
  return {
    createMachineArn: requireEnv(API_ENV.createMachineArn, env),
    teardownMachineArn: requireEnv(API_ENV.teardownMachineArn, env),
    scaleMachineArn: env[API_ENV.scaleMachineArn] || undefined,
    allowedInstanceTypes: types,
    maxSlaves,
  };
}
