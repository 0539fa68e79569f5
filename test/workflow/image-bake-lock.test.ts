/**
 * The lock on a shared slave image's bake, on the simulated cloud: of the clusters of one
 * recipe created at once, one launches a template slave and bakes, the others wait for its
 * image (functions/shared/bake-claims.ts). A bake that a rollback gives up early passes to
 * a waiter; the claim of an owner stopped without a rollback passes, once its lease has run
 * out, to the next create. Nothing of the claims is left afterwards.
 */
import { failureOf } from '../../cli/run-outcome';
import type { RunResult } from '../../cli/runner/local-runner';
import type { AnyStep } from '../../cli/runner/step-registry';
import { FatalError } from '../../functions/shared/errors';
import { SimulatedWorld } from '../helpers/run';

const ADMIN = '203.0.113.0/24';
const spec = (name: string) => ({ name, masters: 1, slaves: 1, adminCidr: ADMIN });
const entered = (run: RunResult) => run.events.filter((e) => e.type === 'StateEntered').map((e) => e.state ?? '');
const bakes = (run: RunResult) => entered(run).filter((s) => s === 'Launch Template Slave').length;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function claimsLeft(world: SimulatedWorld): Promise<string[]> {
  return world.look(async () =>
    world.cloud
      .inventory()
      .filter((i) => i.type === 'parameter')
      .map((i) => i.id)
  );
}

describe('one bake per recipe across concurrent creates', () => {
  it('creates five clusters of one recipe with one template slave: the other four wait for its image and use it', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.setQuotas({ vpcs: 10, elasticIps: 10 });
    const names = ['one', 'two', 'three', 'four', 'five'];

    // Act
    const runs = await world.look(() => Promise.all(names.map((name) => world.create(spec(name)))));

    // Assess
    expect(runs.map((r) => r.status)).toEqual(names.map(() => 'SUCCEEDED'));
    expect(runs.map(bakes).reduce((a, b) => a + b, 0)).toBe(1);
    const waiters = runs.filter((r) => bakes(r) === 0);
    expect(waiters).toHaveLength(4);
    for (const waiter of waiters) {
      expect(entered(waiter)).toContain('Check Slave Image Bake');
      expect(entered(waiter)).toContain('Use Baked Slave Image');
    }
    const images = await Promise.all(names.map(async (name) => (await world.describe(`${name}-000001`)).imageId));
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(/^ami-/);
    // The owner released its claim once the image was available.
    expect(await claimsLeft(world)).toEqual([]);

    // Act: tear them all down.
    const teardowns = await world.look(() => Promise.all(names.map((name) => world.teardown(`${name}-000001`, name))));

    // Assess
    expect(teardowns.map((r) => r.status)).toEqual(names.map(() => 'SUCCEEDED'));
    expect(await world.inventoryIds()).toEqual([]);
  });

  it("passes the bake to the waiting cluster when the owner's bake fails and its rollback releases the claim", async () => {
    // Prepare: the first cluster's template slave setup fails, after it claimed the bake.
    const world = new SimulatedWorld();
    const failOwnerSetup = (step: AnyStep): AnyStep =>
      step.id !== 'configure-template-slave'
        ? step
        : {
            id: step.id,
            run: async () => {
              throw new FatalError('the template slave setup fails');
            },
          };

    // Act: the second create starts a minute later, while the first holds the claim.
    const [owner, waiter] = await world.look(() =>
      Promise.all([
        world.create(spec('owner'), 'owner-000001', { wrapStep: failOwnerSetup }),
        sleep(60_000).then(() => world.create(spec('waiter'))),
      ])
    );

    // Assess
    expect(owner.status).toBe('FAILED');
    expect(failureOf(owner, 'create')?.failureCode).toBe('CONFIGURE_TEMPLATE_SLAVE_FAILED');
    expect(waiter.status).toBe('SUCCEEDED');
    const states = entered(waiter);
    expect(states).toContain('Check Slave Image Bake');
    // Its check found the claim released and took the bake.
    expect(states.indexOf('Launch Template Slave')).toBeGreaterThan(states.indexOf('Check Slave Image Bake'));
    expect(await claimsLeft(world)).toEqual([]);
    expect((await world.teardown('waiter-000001', 'waiter')).status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('lets a create after the lease of a stopped owner bake, while one that waited out its own budget rolls back cleanly', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.setQuotas({ vpcs: 10, elasticIps: 10 });

    // Act: the owner's execution stops (StopExecution, no rollback) while its template slave
    // is set up; a second create waits for that bake; a third comes after the owner's lease.
    const [owner, waiter, later] = await world.look(() =>
      Promise.all([
        world.create(spec('owner'), 'owner-000001', {
          stopWhen: (e) => e.type === 'StateEntered' && e.state === 'Await Template Slave Setup Signal',
        }),
        sleep(60_000).then(() => world.create(spec('waiter'))),
        // The lease: 15 + 20 + 40 min of budgets and the 10 min margin.
        sleep(90 * 60_000).then(() => world.create(spec('later'))),
      ])
    );

    // Assess
    expect(owner.aborted).toBe(true);
    expect(waiter.status).toBe('FAILED');
    expect(failureOf(waiter, 'create')?.failureCode).toBe('CHECK_IMAGE_BAKE_FAILED');
    expect(waiter.cause).toContain(
      'check-image-bake: slave image bake of the cluster holding the claim not finished after 75 min of a 75 min budget'
    );
    expect(bakes(waiter)).toBe(0);
    expect(later.status).toBe('SUCCEEDED');
    // Find Cached Slave Image found the claim run out and took it: no wait.
    expect(bakes(later)).toBe(1);
    expect(entered(later)).not.toContain('Check Slave Image Bake');
    const left = await world.look(async () => world.cloud.inventory().filter((i) => i.tags['mesos-cluster:id'] === 'waiter-000001'));
    expect(left).toEqual([]);

    // Act: tear the stopped owner (its template slave, VPC and all) and the later one down.
    const teardowns = [await world.teardown('owner-000001', 'owner'), await world.teardown('later-000001', 'later')];

    // Assess
    expect(teardowns.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await world.inventoryIds()).toEqual([]);
  });

  it("leaves nothing when a waiting cluster is stopped in its wait and torn down, and the owner's create is unaffected", async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const [owner, waiter] = await world.look(() =>
      Promise.all([
        world.create(spec('owner')),
        sleep(60_000).then(() =>
          world.create(spec('waiter'), 'waiter-000001', {
            stopWhen: (e) => e.type === 'StateEntered' && e.state === 'Check Slave Image Bake',
          })
        ),
      ])
    );
    const claimsOfOwner = await claimsLeft(world);
    const teardowns = [await world.teardown('waiter-000001', 'waiter'), await world.teardown('owner-000001', 'owner')];

    // Assess
    expect(waiter.aborted).toBe(true);
    expect(owner.status).toBe('SUCCEEDED');
    expect(bakes(owner)).toBe(1);
    expect(claimsOfOwner).toEqual([]);
    expect(teardowns.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    expect(await world.inventoryIds()).toEqual([]);
  });
});
