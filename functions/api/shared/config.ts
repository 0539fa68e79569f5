/**
 * The deploy-time settings of the API functions, read from their environment once per cold
 * start: the state machines they start and the limits the stack was deployed with
 * (cdk.json context `mesos-cluster:allowedInstanceTypes`, `mesos-cluster:maxSlavesPerCluster`).
 */
import { ALLOWED_INSTANCE_TYPES, MAX_SLAVES } from '../../shared/cluster-spec-rules';

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

function required(env: Readonly<Record<string, string | undefined>>, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}

/** Reads the config; throws (at cold start) when a required variable is missing. */
export function apiConfigFromEnv(env: Readonly<Record<string, string | undefined>> = process.env): ApiConfig {
  const types = env[API_ENV.allowedInstanceTypes]?.split(',').filter((t) => t.length > 0) ?? [...ALLOWED_INSTANCE_TYPES];
  const maxSlaves = Number(env[API_ENV.maxSlaves] ?? MAX_SLAVES);
  if (!Number.isInteger(maxSlaves) || maxSlaves < 0) throw new Error(`${API_ENV.maxSlaves} must be a whole number`);
  return {
    createMachineArn: required(env, API_ENV.createMachineArn),
    teardownMachineArn: required(env, API_ENV.teardownMachineArn),
    scaleMachineArn: env[API_ENV.scaleMachineArn] || undefined,
    allowedInstanceTypes: types,
    maxSlaves,
  };
}
