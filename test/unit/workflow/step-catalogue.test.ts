import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { CreateClusterMachine } from '../../../workflow/create-cluster';
import { exportAsl, MACHINE_NAMES, placeholderFunctions } from '../../../workflow/export';
import { ScaleClusterMachine } from '../../../workflow/scale-cluster';
import { isStepId, MACHINE_STEP_IDS, mergeCatalogues, STEP_CATALOGUE, STEP_IDS } from '../../../workflow/step-catalogue';
import { TeardownClusterMachine } from '../../../workflow/teardown-cluster';
import { allStates, stepIdOf } from '../../helpers/asl';

const FUNCTIONS = join(__dirname, '../../../functions');
/** Folders under functions/ that hold no workflow step: shared code and the API's handlers. */
const NOT_STEPS = ['shared', 'api'];

describe('the step catalogue', () => {
  it('has a folder with a handler and a step module for every step, and a step for every step folder', () => {
    // Prepare
    const folders = readdirSync(FUNCTIONS, { withFileTypes: true })
      .filter((e) => e.isDirectory() && !NOT_STEPS.includes(e.name))
      .map((e) => e.name);

    // Act
    const withoutModules = STEP_IDS.filter(
      (id) => !existsSync(join(FUNCTIONS, id, 'handler.ts')) || !existsSync(join(FUNCTIONS, id, `${id}.ts`))
    );

    // Assert
    expect(withoutModules).toEqual([]);
    expect([...folders].sort()).toEqual([...STEP_IDS].sort());
  });

  it.each(MACHINE_NAMES)('lists exactly the steps the %s machine invokes', (machine) => {
    // Act
    const invoked = new Set(
      allStates(exportAsl(machine))
        .filter(([, state]) => state.Type === 'Task')
        .map(([, state]) => stepIdOf(state))
    );

    // Assert
    expect([...invoked].sort()).toEqual([...new Set(MACHINE_STEP_IDS[machine])].sort());
  });

  it('lists no step twice in a machine', () => {
    for (const ids of Object.values(MACHINE_STEP_IDS)) expect(new Set(ids).size).toBe(ids.length);
  });

  it('refuses a step declared by two machines, naming it', () => {
    // Prepare
    const entry = { grants: () => [] };

    // Act
    const merge = () => mergeCatalogues({ 'create-vpc': entry, 'delete-vpc': entry }, { 'delete-vpc': entry });

    // Assert
    expect(merge).toThrow("the step 'delete-vpc' is declared by more than one machine");
  });

  it('knows its own ids and no others', () => {
    expect(STEP_IDS.every(isStepId)).toBe(true);
    expect(isStepId('create-vpcs')).toBe(false);
    expect(isStepId('toString')).toBe(false);
    expect(Object.keys(STEP_CATALOGUE)).toEqual(STEP_IDS);
  });

  it.each([
    ['create-cluster', CreateClusterMachine, 'check-nat-gateway'],
    ['teardown-cluster', TeardownClusterMachine, 'record-failure'],
    ['scale-cluster', ScaleClusterMachine, 'launch-instances'],
  ] as const)('refuses to build the %s machine without a function for a step of its set', (machine, Machine, missing) => {
    // Prepare
    const stack = new Stack(new App(), 'Test', { env: { region: 'eu-west-1', account: '123456789012' } });
    const functions = placeholderFunctions(
      stack,
      MACHINE_STEP_IDS[machine].filter((id) => id !== missing)
    );

    // Act
    const build = () => new Machine(stack, 'Machine', { functions: functions as never });

    // Assess
    expect(build).toThrow(`${Machine.name}: no function for step ${missing}`);
  });
});
