/**
 * The configuration the CLI hands the in-process steps, as the Lambdas get theirs from the
 * stack (functions/shared/env.ts StepConfig): the SSM document names and the instance
 * profile that the simulated cloud knows, and the configure-slave script hash rendered from
 * bootstrap/ the way the stack renders it. For `--local` runs against an account, each
 * value can be set with the variable the stack uses (STEP_ENV: DOCUMENT_CONFIGURE_MASTER, …,
 * NODE_INSTANCE_PROFILE, CONFIGURE_SLAVE_SCRIPT_SHA256, COMMAND_WAITS_TABLE).
 */
import type { DocumentKey } from '../functions/shared/documents';
import { type Env, STEP_ENV, type StepConfig } from '../functions/shared/env';

/** The document names of the simulated cloud (simulator/cloud.ts), and of the CLI's in-process runs. */
export const IN_PROCESS_DOCUMENTS: Readonly<Record<DocumentKey, string>> = {
  configureMaster: 'MesosCluster-ConfigureMaster',
  configureSlave: 'MesosCluster-ConfigureSlave',
  countAgents: 'MesosCluster-CountAgents',
  agentLoad: 'MesosCluster-AgentLoad',
  drainAgents: 'MesosCluster-DrainAgents',
  marathonSmokeTest: 'MesosCluster-MarathonSmokeTest',
};

/** The command-waits table of the in-process runs (the simulated cloud has it: simulator/dynamodb.ts). */
export const IN_PROCESS_COMMAND_WAITS_TABLE = 'mesos-cluster-command-waits';

/** The instance profile of the in-process runs' nodes (the simulated cloud has it). */
export const IN_PROCESS_INSTANCE_PROFILE = 'mesos-cluster-node';

/** The in-process step configuration: a variable of STEP_ENV that is set wins over the CLI's value. */
export function inProcessStepConfig(env: Env = process.env): StepConfig {
  const documents = {} as Record<DocumentKey, string>;
  for (const [key, name] of Object.entries(STEP_ENV.documents) as [DocumentKey, string][]) {
    documents[key] = env[name] || IN_PROCESS_DOCUMENTS[key];
  }
  const scriptHash = env[STEP_ENV.configureSlaveScriptHash];
  return {
    documents,
    nodeInstanceProfile: env[STEP_ENV.nodeInstanceProfile] || IN_PROCESS_INSTANCE_PROFILE,
    commandWaitsTable: env[STEP_ENV.commandWaitsTable] || IN_PROCESS_COMMAND_WAITS_TABLE,
    // Rendered only when a step asks for it (a create), not for every command.
    get configureSlaveScriptHash() {
      return scriptHash || renderedScriptHash();
    },
  };
}

let rendered: string | undefined;

/** The configure-slave script hash, rendered once per process (the same renderer as the stack's). */
function renderedScriptHash(): string {
  if (rendered === undefined) {
    const { configureSlaveScriptSha256 } = require('../bootstrap/script-hash') as typeof import('../bootstrap/script-hash');
    rendered = configureSlaveScriptSha256();
  }
  return rendered;
}
