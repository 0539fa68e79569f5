import { IN_PROCESS_DOCUMENTS, inProcessStepConfig } from '../../../cli/step-config';
import { API_ENV, apiConfigFromEnv } from '../../../functions/api/shared/config';
import { requireEnv, STEP_ENV, stepConfigFromEnv, stepEnvironment } from '../../../functions/shared/env';
import { ERROR_NAMES } from '../../../functions/shared/errors';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';

const DEPLOYED = {
  documents: {
    configureMaster: 'Stack-ConfigureMaster-1',
    configureSlave: 'Stack-ConfigureSlave-1',
    countAgents: 'Stack-CountAgents-1',
    agentLoad: 'Stack-AgentLoad-1',
    drainAgents: 'Stack-DrainAgents-1',
    marathonSmokeTest: 'Stack-MarathonSmokeTest-1',
  },
  nodeInstanceProfile: 'Stack-NodeProfile-1',
  configureSlaveScriptHash: 'ab'.repeat(32),
  commandWaitsTable: 'Stack-CommandWaits-1',
};

describe('requireEnv', () => {
  it('returns a variable that is set', () => {
    // Assess
    expect(requireEnv('X', { X: 'value' })).toBe('value');
  });

  it.each([[{}], [{ X: '' }]])('throws ConfigurationError naming a variable that is missing or empty (%j)', (env) => {
    // Act
    const read = () => requireEnv('X', env);

    // Assess
    expect(read).toThrow(expect.objectContaining({ name: ERROR_NAMES.configuration, message: 'environment variable X is not set' }));
  });
});

describe('the step configuration', () => {
  it('reads back what the stack sets', () => {
    // Prepare
    const env = stepEnvironment(DEPLOYED);

    // Act
    const config = stepConfigFromEnv(env);

    // Assess
    expect(config).toEqual(DEPLOYED);
    expect(Object.keys(env).sort()).toEqual(
      [
        ...Object.values(STEP_ENV.documents),
        STEP_ENV.nodeInstanceProfile,
        STEP_ENV.configureSlaveScriptHash,
        STEP_ENV.commandWaitsTable,
      ].sort()
    );
  });

  it.each([STEP_ENV.documents.drainAgents, STEP_ENV.nodeInstanceProfile, STEP_ENV.configureSlaveScriptHash, STEP_ENV.commandWaitsTable])(
    'refuses to start without %s instead of falling back to a default',
    (name) => {
      // Prepare
      const env: Record<string, string> = stepEnvironment(DEPLOYED);
      delete env[name];

      // Act
      const read = () => stepConfigFromEnv(env);

      // Assess
      expect(read).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: `environment variable ${name} is not set` }));
    }
  );

  it('gives the in-process runs the simulated cloud names, unless a variable of the stack says otherwise', () => {
    // Act
    const plain = inProcessStepConfig({ [STEP_ENV.configureSlaveScriptHash]: 'cd'.repeat(32) });
    const pointed = inProcessStepConfig({ ...stepEnvironment(DEPLOYED) });

    // Assess
    expect(plain).toEqual({ ...TEST_STEP_CONFIG, documents: IN_PROCESS_DOCUMENTS, configureSlaveScriptHash: 'cd'.repeat(32) });
    expect({ ...pointed }).toEqual(DEPLOYED);
  });

  it('renders the configure-slave script hash for the in-process runs when none is set', () => {
    // Act
    const { configureSlaveScriptHash } = inProcessStepConfig({});

    // Assess
    expect(configureSlaveScriptHash).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('the API configuration', () => {
  const ENV = {
    [API_ENV.createMachineArn]: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Create',
    [API_ENV.teardownMachineArn]: 'arn:aws:states:eu-west-1:111122223333:stateMachine:Teardown',
    [API_ENV.allowedInstanceTypes]: 't3.medium,m6i.large',
    [API_ENV.maxSlaves]: '25',
  };

  it('reads the machines and the limits the stack sets', () => {
    // Act
    const config = apiConfigFromEnv(ENV);

    // Assess
    expect(config).toEqual({
      createMachineArn: ENV[API_ENV.createMachineArn],
      teardownMachineArn: ENV[API_ENV.teardownMachineArn],
      scaleMachineArn: undefined,
      allowedInstanceTypes: ['t3.medium', 'm6i.large'],
      maxSlaves: 25,
    });
  });

  it.each([
    [{ [API_ENV.allowedInstanceTypes]: undefined }, `environment variable ${API_ENV.allowedInstanceTypes} is not set`],
    [{ [API_ENV.maxSlaves]: undefined }, `environment variable ${API_ENV.maxSlaves} is not set`],
    [{ [API_ENV.createMachineArn]: undefined }, `environment variable ${API_ENV.createMachineArn} is not set`],
    [{ [API_ENV.maxSlaves]: 'many' }, `${API_ENV.maxSlaves} must be a whole number from 0 to 200`],
    [{ [API_ENV.allowedInstanceTypes]: 'p5.48xlarge' }, `${API_ENV.allowedInstanceTypes} must list instance types`],
  ])('throws ConfigurationError for %j', (change, message) => {
    // Act
    const read = () => apiConfigFromEnv({ ...ENV, ...change });

    // Assess
    expect(read).toThrow(expect.objectContaining({ name: 'ConfigurationError', message: expect.stringContaining(message) }));
  });
});
