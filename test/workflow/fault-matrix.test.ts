/**
 * The fault matrix: for EVERY AWS operation that a 1-master, 2-slave create calls (recorded
 * from a real run, see operations.ts), a fatal fault at that operation makes the create
 * fail with a failure code naming the step that calls it first, and
 *   - by default the rollback leaves the simulated cloud empty;
 *   - with keepOnFailure the resources stay (once the VPC exists) and a later teardown
 *     leaves the cloud empty.
 *
 * The fault: `UnauthorizedOperation` (HTTP 403; the SDK does not retry it and the steps
 * classify it as FatalError), PERSISTENT: every call of the operation fails, so the step
 * that calls it first fails on its first attempt whatever its retries, as with a
 * permission missing from its role.
 *
 * Why the fault is lifted when the failure path starts, for some operations only: the
 * rollback is the teardown chain, whose steps call some of the same operations (the
 * Describe calls that find resources by tag, TerminateInstances). With those broken the
 * rollback cannot work either: it would end in `Rollback Failed` with the resources left,
 * tagged for a later `delete`; that says nothing about whether the rollback cleans up.
 * In AWS each step is its own Lambda with its own role (infra/permissions.ts), so a
 * permission missing for a create step does not take it from the teardown steps. For an
 * operation that the recorded teardown also calls, the fault is therefore cleared when the
 * run enters its failure path (`Record Create Failure` / `Record Rejected Spec`); for every
 * other operation it stays for the whole run, rollback included. A fault the create never
 * hit would leave its run SUCCEEDED: each case also asserts that the operation was called.
 *
 * In keepOnFailure mode the fault stays for the whole create; it is cleared before what
 * is kept is inspected and torn down (the permission was fixed). Record Failure tags the VPC through
 * CreateTags, so with CreateTags broken the VPC keeps no failed status: the case with that
 * operation checks the failure code of the run only.
 */
import { writeFileSync } from 'node:fs';
import { failureCodeOfStep, failureOf } from '../../cli/run-outcome';
import type { RunEvent } from '../../cli/runner/local-runner';
import { SimulatedWorld } from '../helpers/run';
import { firstCaller, OPERATIONS_GOLDEN, type OperationUse, RECORDED_SPEC, recordedOperations, recordOperations } from './operations';

const recorded = recordedOperations();
const FAULT = 'UnauthorizedOperation';
/**
 * The operations the rollback needs: the teardown's, and DeleteParameter, which the
 * teardown of a finished cluster never calls (its claim on the image bake was released when
 * the image became available) but a rollback calls for a claim the failed create still holds.
 * A fault on one of them is lifted when the failure path begins, so the rollback can run.
 */
const teardownOperations = new Set([...recorded.teardown.map((use) => use.operation), 'DeleteParameter']);
const failingSteps = new Set(recorded.create.map(firstCaller));
const N = recorded.create.length;
const M = failingSteps.size;

/** The states that start the create's failure path. */
const FAILURE_PATH = ['Record Create Failure', 'Record Rejected Spec'];

/** The operations whose first call comes after the first CreateVpc: the VPC exists when they fail. */
const createVpcIndex = recorded.create.findIndex((use) => use.operation === 'CreateVpc');

type Case = [operation: string, failureCode: string, use: OperationUse, index: number];
const cases: Case[] = recorded.create.map((use, index) => [use.operation, failureCodeOfStep(firstCaller(use)), use, index]);

/** A fresh cluster name per case (3-32 lowercase characters). */
function nameOf(prefix: string, index: number): string {
  return `${prefix}-${String(index).padStart(2, '0')}`;
}

/** Clears the faults when the run enters its failure path. */
function liftOnFailurePath(world: SimulatedWorld): (event: RunEvent) => void {
  return (event) => {
    if (event.type === 'StateEntered' && FAILURE_PATH.includes(event.state ?? '')) world.cloud.clearFaults();
  };
}

describe(`fault matrix: ${N} operations x 2 modes = ${2 * N} fatal faults over ${M} steps`, () => {
  it(`follows the code: the ${N} operations of a 1-master, 2-slave create match operations.golden.json (UPDATE_GOLDEN=1 rewrites it)`, async () => {
    // Prepare
    const fresh = await recordOperations();

    // Act
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(OPERATIONS_GOLDEN, `${JSON.stringify(fresh, null, 2)}\n`);

    // Assess
    expect(fresh).toEqual(recordedOperations());
    expect(fresh.create.length).toBeGreaterThanOrEqual(30);
  });

  describe('rollback (default)', () => {
    it.each(cases)(
      `${FAULT} on %s fails the create with %s and the rollback leaves nothing`,
      async (operation, failureCode, _use, index) => {
        // Prepare
        const world = new SimulatedWorld();
        const name = nameOf('roll', index);
        world.cloud.injectFault({ operation, code: FAULT });
        const lift = teardownOperations.has(operation);

        // Act
        const result = await world.create({ ...RECORDED_SPEC, name }, `${name}-000001`, {
          onEvent: lift ? liftOnFailurePath(world) : undefined,
        });

        // Assess
        expect(world.cloud.calls[operation]).toBeGreaterThanOrEqual(1);
        expect(result.status).toBe('FAILED');
        expect(result.error).toBe('CREATE_FAILED');
        expect(failureOf(result, 'create')?.failureCode).toBe(failureCode);
        expect(failureOf(result, 'create')?.failureReason).toContain(FAULT);
        expect(world.cloud.faults()).toHaveLength(lift ? 0 : 1);
        expect(await world.inventoryIds()).toEqual([]);
      }
    );
  });

  describe('keepOnFailure, then a later teardown', () => {
    it.each(cases)(
      `${FAULT} on %s fails the create with %s, keeps what exists, and a teardown leaves nothing`,
      async (operation, failureCode, _use, index) => {
        // Prepare
        const world = new SimulatedWorld();
        const name = nameOf('keep', index);
        const clusterId = `${name}-000001`;
        world.cloud.injectFault({ operation, code: FAULT });
        const vpcExists = index > createVpcIndex;

        // Act
        const result = await world.create({ ...RECORDED_SPEC, name, keepOnFailure: true }, clusterId);
        world.cloud.clearFaults();
        const kept = await world.describe(clusterId);
        const keptIds = await world.inventoryIds();
        const teardown = await world.teardown(clusterId, name);

        // Assess
        expect(result.status).toBe('FAILED');
        expect(failureOf(result, 'create')?.failureCode).toBe(failureCode);
        expect(result.events.some((e) => e.type === 'StateEntered' && e.state?.startsWith('Roll Back '))).toBe(false);
        expect(kept.vpc !== null).toBe(vpcExists);
        expect(keptIds.length > 0).toBe(vpcExists);
        if (vpcExists && operation !== 'CreateTags') {
          expect(kept.statusTag).toBe('CREATE_FAILED');
          expect(kept.failureCodeTag).toBe(failureCode);
        }
        expect(teardown.status).toBe('SUCCEEDED');
        expect(await world.inventoryIds()).toEqual([]);
      }
    );
  });
});
