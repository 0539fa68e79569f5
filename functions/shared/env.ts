/**
 * Reading the process environment, and the configuration of the workflow steps.
 *
 * Every variable is named once here (the stack sets them from the same names) and read
 * through `requireEnv`, which throws ConfigurationError naming a missing variable instead
 * of falling back to a default. A Lambda reads its configuration once per cold start
 * (functions/shared/clients/config.ts) and hands it to its step with the clients; the CLI's
 * in-process runs build the same configuration themselves and hand it over the same way.
 */
import type { DocumentKey } from './documents';
import { ConfigurationError } from './errors';

/** An environment to read: `process.env`, or a record in a test. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The value of `name`; throws ConfigurationError when it is missing or empty. */
export function requireEnv(name: string, env: Env = process.env): string {
  const value = env[name];
  if (value === undefined || value === '') throw new ConfigurationError(`environment variable ${name} is not set`);
  return value;
}

/** What the steps are configured with: the stack's SSM documents, instance profile and configure-slave script. */
export interface StepConfig {
  /** The names of the SSM Command documents. */
  readonly documents: Readonly<Record<DocumentKey, string>>;
  /** The instance profile of the cluster nodes. */
  readonly nodeInstanceProfile: string;
  /** The sha256 of the rendered configure-slave script: part of the slave image's recipe hash. */
  readonly configureSlaveScriptHash: string;
  /** The DynamoDB table of the command waits' task tokens (functions/shared/command-signals.ts). */
  readonly commandWaitsTable: string;
}

/** The environment variable of each setting of StepConfig. */
export const STEP_ENV = {
  documents: {
    configureMaster: 'DOCUMENT_CONFIGURE_MASTER',
    configureSlave: 'DOCUMENT_CONFIGURE_SLAVE',
    countAgents: 'DOCUMENT_COUNT_AGENTS',
    agentLoad: 'DOCUMENT_AGENT_LOAD',
    drainAgents: 'DOCUMENT_DRAIN_AGENTS',
    marathonSmokeTest: 'DOCUMENT_MARATHON_SMOKE_TEST',
  },
  nodeInstanceProfile: 'NODE_INSTANCE_PROFILE',
  configureSlaveScriptHash: 'CONFIGURE_SLAVE_SCRIPT_SHA256',
  commandWaitsTable: 'COMMAND_WAITS_TABLE',
} as const satisfies {
  readonly documents: Record<DocumentKey, string>;
  readonly nodeInstanceProfile: string;
  readonly configureSlaveScriptHash: string;
  readonly commandWaitsTable: string;
};

/** The step configuration from an environment; throws ConfigurationError naming the first missing variable. */
export function stepConfigFromEnv(env: Env = process.env): StepConfig {
  const documents = {} as Record<DocumentKey, string>;
  for (const [key, name] of Object.entries(STEP_ENV.documents) as [DocumentKey, string][]) documents[key] = requireEnv(name, env);
  return {
    documents,
    nodeInstanceProfile: requireEnv(STEP_ENV.nodeInstanceProfile, env),
    configureSlaveScriptHash: requireEnv(STEP_ENV.configureSlaveScriptHash, env),
    commandWaitsTable: requireEnv(STEP_ENV.commandWaitsTable, env),
  };
}

/** The environment the stack gives the step functions for a configuration (the inverse of stepConfigFromEnv). */
export function stepEnvironment(config: StepConfig): Record<string, string> {
  const environment: Record<string, string> = {
    [STEP_ENV.nodeInstanceProfile]: config.nodeInstanceProfile,
    [STEP_ENV.configureSlaveScriptHash]: config.configureSlaveScriptHash,
    [STEP_ENV.commandWaitsTable]: config.commandWaitsTable,
  };
  for (const [key, name] of Object.entries(STEP_ENV.documents) as [DocumentKey, string][]) environment[name] = config.documents[key];
  return environment;
}
