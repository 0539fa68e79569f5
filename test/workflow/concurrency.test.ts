/**
 * Concurrency: runs of one cluster side by side on the same simulated cloud and virtual
 * clock (one virtual-time session, two executions).
 *
 * 1. A delete during a create, the create stopped first (what `mesos-cluster delete` does
 *    with a create of the same cluster that is still running): the create execution is
 *    stopped when it enters a given state, then the teardown runs; nothing is left.
 * 2. A delete during a create, both running: the teardown starts when the create enters a
 *    given state and both go on. Once the VPC exists, the teardown's Mark Deleting tags it
 *    DELETE_IN_PROGRESS and the create's next costly step (Create NAT Gateway, Launch
 *    Instances, Bake Image, Create Scaling Alarms, Mark Cluster Ready) refuses with a
 *    FatalError naming itself: the create fails into its rollback, the teardown succeeds,
 *    nothing is left. Later on the create may instead fail on resources deleted under it
 *    (a terminated instance, a VPC or route table gone); the outcome is the same.
 *    A teardown started before the VPC exists (at Validate Cluster Spec) has nothing to
 *    mark; the create never sees the delete. Whether the create completes then depends on
 *    how far each has got: here the teardown's later deletes (found by tag at each step)
 *    remove the network under the create, which fails and rolls back. Had the teardown
 *    ended first, the create would complete and a second teardown would be needed; nothing
 *    is untracked either way (every resource carries the cluster's tags). The CLI stops a
 *    running create first (1), which closes that gap for `mesos-cluster delete`.
 * 3. Two teardowns of one cluster at once: both succeed, nothing is left.
 */
import { failureCodeOfStep, failureOf } from '../../cli/run-outcome';
import type { RunResult } from '../../cli/runner/local-runner';
import { SimulatedWorld } from '../helpers/run';
import { ADMIN } from './operations';

const SPEC = { name: 'racing', masters: 1, slaves: 1, adminCidr: ADMIN };
const CLUSTER_ID = 'racing-000001';

/** Runs a create and, when it enters `state`, a teardown of the same cluster; `stopCreate` stops the create first. */
async function deleteDuringCreate(world: SimulatedWorld, state: string, stopCreate: boolean) {
  return world.look(async () => {
    let teardown: Promise<RunResult> | undefined;
    const stop = new AbortController();
    const created = world.create(SPEC, CLUSTER_ID, {
      signal: stop.signal,
      onEvent: (event) => {
        if (teardown || event.type !== 'StateEntered' || event.state !== state) return;
        if (stopCreate) {
          stop.abort();
          teardown = created.then(() => world.teardown(CLUSTER_ID, SPEC.name));
        } else {
          teardown = world.teardown(CLUSTER_ID, SPEC.name);
        }
      },
    });
    const create = await created;
    if (!teardown) throw new Error(`the create never entered ${state}`);
    return { create, teardown: await teardown };
  });
}

const POINTS = ['Create VPC', 'Launch Masters', 'Bake Slave Image', 'Launch Slaves'];

describe('a delete during a create', () => {
  it.each(POINTS)('with the create stopped first at %s, leaves nothing', async (state) => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const { create, teardown } = await deleteDuringCreate(world, state, true);

    // Assess
    expect(create.aborted).toBe(true);
    expect(teardown.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it.each([['Launch Masters', 'create-nat-gateway', 'create-nat-gateway']])(
    'without stopping the create, started at %s: %s refuses the cluster being deleted, the create fails, its rollback and the teardown leave nothing',
    async (state, stepId, refused) => {
      // Prepare
      const world = new SimulatedWorld();

      // Act
      const { create, teardown } = await deleteDuringCreate(world, state, false);

      // Assess
      expect(create.status).toBe('FAILED');
      expect(failureOf(create, 'create')).toEqual({
        failureCode: failureCodeOfStep(stepId),
        failureReason: `FatalError: ${stepId}: cluster ${CLUSTER_ID} is being deleted (DELETE_IN_PROGRESS); ${refused} refused`,
      });
      expect(teardown.status).toBe('SUCCEEDED');
      expect(await world.inventoryIds()).toEqual([]);
    }
  );

  // Early on, the teardown deletes the network under the create (its next step finds its
  // VPC, subnet or route table gone); later, a costly step refuses or an instance is gone.
  it.each(['Create VPC', 'Create Subnets', 'Create Gateways And Security Groups', 'Bake Slave Image', 'Check Agents Registered'])(
    'without stopping the create, started at %s: the create fails, its rollback and the teardown leave nothing',
    async (state) => {
      // Prepare
      const world = new SimulatedWorld();

      // Act
      const { create, teardown } = await deleteDuringCreate(world, state, false);

      // Assess
      expect(create.status).toBe('FAILED');
      expect(create.aborted).toBeUndefined();
      expect(failureOf(create, 'create')?.failureCode).toMatch(/_FAILED$/);
      expect(teardown.status).toBe('SUCCEEDED');
      expect(await world.inventoryIds()).toEqual([]);
    }
  );
  it('without stopping the create, started at Validate Cluster Spec (before the VPC exists, nothing to mark): whichever ends first, nothing is untracked and a second teardown leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const { create, teardown } = await deleteDuringCreate(world, 'Validate Cluster Spec', false);
    const left = await world.look(async () => world.cloud.inventory());
    const again = await world.teardown(CLUSTER_ID, SPEC.name, `delete-${CLUSTER_ID}-2`);

    // Assess
    // The create either completes (the teardown ended first) or fails on its network deleted under it.
    expect(['SUCCEEDED', 'FAILED']).toContain(create.status);
    if (create.status === 'FAILED') expect(failureOf(create, 'create')?.failureReason).toMatch(/NotFound|not visible|being deleted/);
    expect(left.every((item) => item.tags['mesos-cluster:id'] === CLUSTER_ID)).toBe(true);
    expect(teardown.status === 'SUCCEEDED' || failureOf(teardown, 'delete')?.failureCode === 'CHECK_NAT_GATEWAYS_DELETED_FAILED').toBe(
      true
    );
    expect(again.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });
});

describe('two deletes of one cluster at once', () => {
  it('both succeed and nothing is left', async () => {
    // Prepare
    const world = new SimulatedWorld();
    expect((await world.create(SPEC, CLUSTER_ID)).status).toBe('SUCCEEDED');

    // Act
    const [first, second] = await world.look(() =>
      Promise.all([
        world.teardown(CLUSTER_ID, SPEC.name, `delete-${CLUSTER_ID}`),
        world.teardown(CLUSTER_ID, SPEC.name, `delete-${CLUSTER_ID}-2`),
      ])
    );

    // Assess
    expect(first.status).toBe('SUCCEEDED');
    expect(second.status).toBe('SUCCEEDED');
    expect(first.events.some((e) => e.type === 'StateEntered' && e.state === 'Verify Nothing Left')).toBe(true);
    expect(second.events.some((e) => e.type === 'StateEntered' && e.state === 'Verify Nothing Left')).toBe(true);
    expect(await world.inventoryIds()).toEqual([]);
  });
});
