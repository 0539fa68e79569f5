/**
 * The Marathon smoke test of the create machine on the simulated cloud: a cluster is ready
 * only when it has run work. With slaves, the app is deployed after the agents register,
 * runs and is removed before the cluster is marked ready; without slaves the test is
 * skipped; an app whose task never runs, or a smoke test command that fails, fails the
 * create with MARATHON_SMOKE_TEST_FAILED and the rollback leaves nothing.
 */
import { failureOf } from '../../cli/run-outcome';
import type { RunResult } from '../../cli/runner/local-runner';
import { checksWithin } from '../helpers/asl';
import { SimulatedWorld } from '../helpers/run';
import { ADMIN } from './operations';

const SMOKE_STATES = ['Deploy Smoke Test App', 'Check Smoke Test App', 'Check Smoke Test Removal'];
const TASK_FAILURE = 'Failed to launch container: Failed to run docker pull nginx:1.27-alpine: toomanyrequests';

/** The positions in the run's history where `state` was entered. */
function entered(result: RunResult, state: string): number[] {
  return result.events.flatMap((e, i) => (e.type === 'StateEntered' && e.state === state ? [i] : []));
}

function rolledBack(result: RunResult): boolean {
  return result.events.some((e) => e.type === 'StateEntered' && e.state?.startsWith('Roll Back '));
}

describe('the Marathon smoke test of a create', () => {
  it('deploys the app once the agents have registered, sees it run and removes it before the cluster is ready', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'smoke', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    const [registered] = entered(result, 'Are Agents Registered?').slice(-1);
    const [deployed] = entered(result, 'Deploy Smoke Test App');
    const [removal] = entered(result, 'Check Smoke Test Removal');
    const [alarms] = entered(result, 'Create Scaling Alarms');
    expect(registered).toBeLessThan(deployed ?? 0);
    expect(deployed).toBeLessThan(removal ?? 0);
    expect(removal).toBeLessThan(alarms ?? 0);
    const d = await world.describe('smoke-000001');
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    const apps = await world.look(async () => world.cloud.marathonApps());
    expect(apps).toHaveLength(1);
    const [app] = apps;
    expect(app?.vpcId).toBe(d.vpc?.id);
    expect(app?.reportedRunningAt).toBeGreaterThan(app?.deployedAt ?? Number.POSITIVE_INFINITY);
    expect(app?.removedAt).toBeGreaterThanOrEqual(app?.reportedRunningAt ?? Number.POSITIVE_INFINITY);
    // Nothing left on the cluster: Marathon no longer has the app.
    expect(app?.live).toBe(false);
  });

  it('is skipped for a cluster without slaves: no agent can run the app', async () => {
    // Prepare
    const world = new SimulatedWorld();

    // Act
    const result = await world.create({ name: 'noslaves', masters: 1, slaves: 0, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    for (const state of SMOKE_STATES) expect(entered(result, state)).toEqual([]);
    expect(await world.look(async () => world.cloud.marathonApps())).toEqual([]);
    expect((await world.describe('noslaves-000001')).statusTag).toBe('CREATE_COMPLETE');
  });

  it('fails with MARATHON_SMOKE_TEST_FAILED when the app never runs, naming Marathon’s task failure, and the rollback leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.failMarathonTasks(TASK_FAILURE);

    // Act
    const result = await world.create({ name: 'nosmoke', masters: 1, slaves: 2, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('CREATE_FAILED');
    const failure = failureOf(result, 'create');
    expect(failure?.failureCode).toBe('MARATHON_SMOKE_TEST_FAILED');
    expect(failure?.failureReason).toBe(
      `PollTimeoutError: marathon-smoke-test: Marathon smoke test app not running after 10 min of a 10 min budget; last status: deploying, 0 task(s) running; last task failure: ${TASK_FAILURE}`
    );
    expect(result.cause).toMatch(/^MARATHON_SMOKE_TEST_FAILED: /);
    // Each wait a tenth of the time waited since the deploy (2 s to 120 s): at most as many checks as the back-off allows.
    const checks = entered(result, 'Check Smoke Test App').length;
    expect(checks).toBeGreaterThan(10);
    expect(checks).toBeLessThanOrEqual(checksWithin(600));
    expect(entered(result, 'Check Smoke Test Removal')).toEqual([]);
    expect(entered(result, 'Mark Cluster Ready')).toEqual([]);
    expect(rolledBack(result)).toBe(true);
    expect(await world.inventoryIds()).toEqual([]);
    // The app went with its cluster's masters.
    expect((await world.look(async () => world.cloud.marathonApps())).map((a) => a.live)).toEqual([false]);
  });

  it('fails with MARATHON_SMOKE_TEST_FAILED when the deploy command fails, and the rollback leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.injectFault({ operation: 'Command:MesosCluster-MarathonSmokeTest', code: 'Failed', count: 1 });

    // Act
    const result = await world.create({ name: 'baddeploy', masters: 1, slaves: 1, adminCidr: ADMIN });

    // Assess
    expect(result.status).toBe('FAILED');
    expect(world.cloud.faults()).toEqual([]);
    const failure = failureOf(result, 'create');
    expect(failure?.failureCode).toBe('MARATHON_SMOKE_TEST_FAILED');
    expect(failure?.failureReason).toMatch(/^FatalError: marathon-smoke-test: /);
    // The checks look again while the deploy runs, and fail as soon as it has failed.
    expect(entered(result, 'Check Smoke Test App').length).toBeGreaterThanOrEqual(1);
    expect(entered(result, 'Check Smoke Test Removal')).toEqual([]);
    const smokeFailures = result.events.filter((e) => e.type === 'StateFailed' && e.state?.includes('Smoke Test'));
    expect(smokeFailures.map((e) => e.state)).toEqual(['Check Smoke Test App']);
    expect(rolledBack(result)).toBe(true);
    expect(await world.inventoryIds()).toEqual([]);
    expect(await world.look(async () => world.cloud.marathonApps())).toEqual([]);
  });

  it('keeps the cluster and its undeployable app for inspection with keepOnFailure; a teardown then leaves nothing', async () => {
    // Prepare
    const world = new SimulatedWorld();
    world.cloud.failMarathonTasks(TASK_FAILURE);

    // Act
    const result = await world.create({ name: 'keepsmoke', masters: 1, slaves: 1, adminCidr: ADMIN, keepOnFailure: true });
    const kept = await world.describe('keepsmoke-000001');
    const keptApps = await world.look(async () => world.cloud.marathonApps());
    world.cloud.failMarathonTasks(undefined);
    const teardown = await world.teardown('keepsmoke-000001', 'keepsmoke');

    // Assess
    expect(result.status).toBe('FAILED');
    expect(rolledBack(result)).toBe(false);
    expect(kept.failureCodeTag).toBe('MARATHON_SMOKE_TEST_FAILED');
    expect(keptApps.map((a) => a.live)).toEqual([true]);
    expect(teardown.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
    expect((await world.look(async () => world.cloud.marathonApps())).map((a) => a.live)).toEqual([false]);
  });
});
