import { IN_PROCESS_COMMAND_WAITS_TABLE, IN_PROCESS_DOCUMENTS, IN_PROCESS_INSTANCE_PROFILE } from '../../cli/step-config';
import type { StepConfig } from '../../functions/shared/env';

/** A configure-slave script hash that no renderer made: the recipe hash of the tests' images. */
export const UNKNOWN_SCRIPT_HASH = 'unknown-configure-slave-script';

/** The step configuration of the tests: the simulated cloud's documents and instance profile. */
export const TEST_STEP_CONFIG: StepConfig = {
  documents: IN_PROCESS_DOCUMENTS,
  nodeInstanceProfile: IN_PROCESS_INSTANCE_PROFILE,
  configureSlaveScriptHash: UNKNOWN_SCRIPT_HASH,
  commandWaitsTable: IN_PROCESS_COMMAND_WAITS_TABLE,
};
