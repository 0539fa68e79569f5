/**
 * The scale machine (and the create and teardown machines around it), exported as ASL and
 * executed by the local runner against the simulated cloud in virtual time. One cluster
 * (1 master, 2 slaves, autoscaling 1..5 slaves, step 2, cooldown 60 s) is created once;
 * every test scales its own copy of that world.
 */
import { DescribeInstancesCommand } from '@aws-sdk/client-ec2';
import { ListCommandsCommand } from '@aws-sdk/client-ssm';
import { advanceWithAlarms } from '../../cli/alarm-events';
import type { RunEvent, RunResult } from '../../cli/runner/local-runner';
import type { AnyStep } from '../../cli/runner/step-registry';
import type { PlanScaleOutput } from '../../functions/shared/contracts';
import { DRAIN_TIMEOUT_SECONDS, scalingAlarmName } from '../../functions/shared/scaling';
import { loadLatencyModel } from '../../simulator';
import { SimulatedWorld, T0, type SimulatedWorld as World } from '../helpers/run';

const ID = 'blue-000001';
const SPEC = {
  name: 'blue',
  masters: 1,
  slaves: 2,
  adminCidr: '203.0.113.0/24',
  autoscaling: { minSlaves: 1, maxSlaves: 5, step: 2, cooldownSeconds: 60 },
};

let base: World;
let baseCreate: RunResult;

beforeAll(async () => {
  base = new SimulatedWorld(T0);
  baseCreate = await base.create(SPEC);
}, 30_000);

/** A scale execution of the cluster, as the API or the CLI starts it. */
function scaleTo(world: World, targetSlaves: number, name: string, options = {}): Promise<RunResult> {
  return world.run('scale-cluster', { clusterId: ID, clusterName: 'blue', targetSlaves, source: 'api' }, name, options);
}

/** What the scaling alarm rule starts. */
function alarmScale(world: World, direction: 'out' | 'in', name: string): Promise<RunResult> {
  return world.run('scale-cluster', { source: 'alarm', alarmName: scalingAlarmName(ID, direction), direction }, name);
}

/** A scale-out alarm run with an observer. */
function alarmScaleWith(world: World, name: string, onEvent: (event: RunEvent) => void): Promise<RunResult> {
  return world.run('scale-cluster', { source: 'alarm', alarmName: scalingAlarmName(ID, 'out'), direction: 'out' }, name, { onEvent });
}

interface Slave {
  readonly instanceId: string;
  readonly ip: string;
  readonly imageId: string;
}

/** The live (pending or running) slaves of the cluster, from EC2. */
async function liveSlaves(world: World): Promise<Slave[]> {
  return world.look(async () => {
    const out = await world.cloud.clients().ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:mesos-cluster:id', Values: [ID] },
          { Name: 'tag:mesos-cluster:role', Values: ['slave'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      })
    );
    return (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => ({ instanceId: i.InstanceId ?? '', ip: i.PrivateIpAddress ?? '', imageId: i.ImageId ?? '' }));
  });
}

/** The agents registered with the master now (instance ids). */
async function registeredAgents(world: World): Promise<string[]> {
  const d = await world.describe(ID);
  return world.look(async () => world.cloud.mesosAgents(d.masters[0]?.privateIp ?? '', d.vpc?.id));
}

/** The output (or input) of an event that must exist. */
function outputOf<T>(event: RunEvent | undefined, field: 'output' | 'input' = 'output'): T {
  if (!event) throw new Error('the run has no such event');
  return event[field] as T;
}

/** The plan of the last Plan Scale of a run. */
function lastPlan(result: RunResult): PlanScaleOutput {
  const exit = result.events.filter((e) => e.type === 'StateExited' && e.state === 'Plan Scale').at(-1);
  return outputOf<{ scale: { plan: PlanScaleOutput } }>(exit).scale.plan;
}

function entered(result: RunResult): string[] {
  return result.events.filter((e) => e.type === 'StateEntered').map((e) => e.state ?? '');
}

function eventOf(result: RunResult, type: RunEvent['type'], state: string): RunEvent | undefined {
  return result.events.find((e) => e.type === type && e.state === state);
}

/** Resolves at the first event of a run for which `match` is true. */
function eventWaiter(match: (event: RunEvent) => boolean): { onEvent: (event: RunEvent) => void; seen: Promise<RunEvent> } {
  let resolve: (event: RunEvent) => void = () => undefined;
  const seen = new Promise<RunEvent>((r) => {
    resolve = r;
  });
  return { onEvent: (event) => (match(event) ? resolve(event) : undefined), seen };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

describe('scale machine on the simulated cloud', () => {
  it('scales 2 slaves out to 5 registered slaves, all launched from the cluster image in one call', async () => {
    // Prepare
    expect(baseCreate.status).toBe('SUCCEEDED');
    const world = await base.fork();
    const calls = world.recordStepCalls();
    const { imageId } = await world.describe(ID);

    // Act
    const result = await scaleTo(world, 5, 'scale-blue-out');

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(lastPlan(result)).toMatchObject({ action: 'out', current: 2, target: 5, delta: 3 });
    const slaves = await liveSlaves(world);
    expect(slaves).toHaveLength(5);
    expect(new Set(slaves.map((s) => s.imageId))).toEqual(new Set([imageId]));
    expect((await registeredAgents(world)).sort()).toEqual(slaves.map((s) => s.instanceId).sort());
    expect(calls.filter((c) => c.operation === 'RunInstances')).toEqual([
      { stepId: 'launch-instances', operation: 'RunInstances', service: 'ec2' },
    ]);
    const d = await world.describe(ID);
    expect(d.statusTag).toBe('CREATE_COMPLETE');
    expect(entered(result).at(-1)).toBe('Cluster Scaled');
  });

  it('scales in to 1 slave, draining exactly the removed agents (fewest tasks) before terminating them', async () => {
    // Prepare
    const world = await base.fork();
    expect((await scaleTo(world, 5, 'scale-blue-out')).status).toBe('SUCCEEDED');
    const before = await liveSlaves(world);
    const busiest = before[2] as Slave;
    await world.look(async () => {
      for (const slave of before) world.cloud.setAgentTasks(slave.instanceId, slave === busiest ? 9 : 1);
    });

    // Act
    const result = await scaleTo(world, 1, 'scale-blue-in');

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(lastPlan(result)).toMatchObject({ action: 'in', current: 5, target: 1, delta: 4 });
    expect((await liveSlaves(world)).map((s) => s.instanceId)).toEqual([busiest.instanceId]);
    expect(await registeredAgents(world)).toEqual([busiest.instanceId]);
    const removed = before.filter((s) => s !== busiest);
    const drains = await world.look(async () => {
      const out = await world.cloud
        .clients()
        .ssm.send(new ListCommandsCommand({ Filters: [{ key: 'DocumentName', value: 'MesosCluster-DrainAgents' }] }));
      return (out.Commands ?? []).map((c) => ({ agentIps: c.Parameters?.AgentIps?.[0] ?? '', at: c.RequestedDateTime?.getTime() ?? 0 }));
    });
    const drain = drains.find((c) => c.agentIps !== '');
    expect(drain?.agentIps.split(',').sort()).toEqual(removed.map((s) => s.ip).sort());
    // The drain ran to its end, and the tasks left, before the termination.
    const drainDone = result.events.find(
      (e) =>
        e.type === 'StateExited' && e.state === 'Check Drain Command' && (e.output as { drainCommand: { done: boolean } }).drainCommand.done
    );
    const drained = result.events.find(
      (e) =>
        e.type === 'StateExited' && e.state === 'Check Drain' && (e.output as { drainStatus: { drained: boolean } }).drainStatus.drained
    );
    const terminated = eventOf(result, 'StateEntered', 'Terminate Removed Slaves');
    expect(drainDone?.timestamp).toBeLessThan(drained?.timestamp ?? 0);
    expect(drained?.timestamp).toBeLessThanOrEqual(terminated?.timestamp ?? 0);
    expect(outputOf<{ removal: { instanceIds: string[] } }>(terminated, 'input').removal.instanceIds.sort()).toEqual(
      removed.map((s) => s.instanceId).sort()
    );
    // Afterwards the schedule is cleared with an empty list.
    expect(drains.filter((c) => c.agentIps === '')).toHaveLength(1);
  });

  it.each([
    [6, 'must be between 1 and 5'],
    [0, 'must be between 1 and 5'],
  ])('refuses to scale to %i slaves, past the bounds, with a clear message and changes nothing', async (target, message) => {
    // Prepare
    const world = await base.fork();
    const calls = world.recordStepCalls();

    // Act
    const result = await scaleTo(world, target, `scale-blue-${target}`);

    // Assess
    expect(result.status).toBe('FAILED');
    expect(result.error).toBe('SCALE_REFUSED');
    expect(result.cause).toBe(`plan-scale: slaves: ${message}, the cluster's autoscaling bounds; got ${target}`);
    expect(calls.map((c) => c.stepId)).toEqual(expect.arrayContaining(['plan-scale']));
    expect(calls.filter((c) => c.stepId !== 'plan-scale')).toEqual([]);
    expect(await liveSlaves(world)).toHaveLength(2);
    expect((await world.describe(ID)).statusTag).toBe('CREATE_COMPLETE');
  });

  it('fires the scale-out alarm under high load and adds slaves up to maxSlaves, never past it', async () => {
    // Prepare
    const world = await base.fork();
    await world.look(async () => world.cloud.setLoad(ID, 95));
    const counts: number[] = [];

    // Act
    const scales = await world.look(() =>
      advanceWithAlarms({
        cloud: world.cloud,
        durationMs: 30 * 60_000,
        runScale: (input, name) =>
          world.run('scale-cluster', input, name, {
            onEvent: (e) => {
              if (e.type === 'StateExited' && e.state === 'Record Scale') counts.push(lastPlanOf(e));
            },
          }),
      })
    );

    // Assess
    expect(scales.map((s) => [s.input.alarmName, s.result.status])).toEqual([[scalingAlarmName(ID, 'out'), 'SUCCEEDED']]);
    const [scale] = scales;
    expect(counts).toEqual([4, 5]);
    expect(lastPlan(scale?.result as RunResult)).toMatchObject({ action: 'none', current: 5, target: 5 });
    expect(lastPlan(scale?.result as RunResult).reason).toContain('maxSlaves (5)');
    expect(await liveSlaves(world)).toHaveLength(5);
    expect(await registeredAgents(world)).toHaveLength(5);
    // The alarm stays in ALARM (nothing new to deliver) and the cluster stays at its bound.
    const later = await world.look(() =>
      advanceWithAlarms({ cloud: world.cloud, durationMs: 10 * 60_000, runScale: (input, name) => world.run('scale-cluster', input, name) })
    );
    expect(later).toEqual([]);
    const again = await alarmScale(world, 'out', 'scale-blue-again');
    expect(lastPlan(again)).toMatchObject({ action: 'none', target: 5 });
    expect(await liveSlaves(world)).toHaveLength(5);
  });

  it('does nothing for a second alarm within the cooldown: one scale per cooldown', async () => {
    // Prepare: a constant high load keeps the scale-out alarm in ALARM.
    const world = await base.fork();
    await world.look(async () => world.cloud.setLoad(ID, 95));
    await world.look(() => sleep(4 * 60_000));
    const recorded = eventWaiter((e) => e.type === 'StateExited' && e.state === 'Record Scale');
    const launches: number[] = [];
    const onLaunch = (e: RunEvent) => {
      if (e.type === 'StateEntered' && e.state === 'Launch Slaves') launches.push(e.timestamp);
    };

    // Act
    const [first, second, recordedAt] = await world.look(async () => {
      const firstRun = alarmScaleWith(world, 'scale-blue-a1', (e) => {
        recorded.onEvent(e);
        onLaunch(e);
      });
      const event = await recorded.seen;
      await sleep(20_000);
      const secondRun = alarmScaleWith(world, 'scale-blue-a2', onLaunch);
      return Promise.all([firstRun, secondRun, event.timestamp]);
    });

    // Assess
    expect(first?.status).toBe('SUCCEEDED');
    expect(second?.status).toBe('SUCCEEDED');
    const firstPlan = (second as RunResult).events.find((e) => e.type === 'StateExited' && e.state === 'Plan Scale');
    const plan = outputOf<{ scale: { plan: PlanScaleOutput } }>(firstPlan).scale.plan;
    expect(plan).toMatchObject({ action: 'none', current: 4, target: 4, retryAfterSeconds: 40 });
    expect(plan.reason).toContain('cooldown of 60s');
    // Two launches in all (2 → 4, 4 → 5): the second only once the cooldown was over.
    expect(launches).toHaveLength(2);
    expect((launches[1] ?? 0) - recordedAt).toBeGreaterThanOrEqual(60_000);
    expect(await liveSlaves(world)).toHaveLength(5);
  });

  it('lets only one of two scales started at the same moment act; the other is refused, nothing double-scales', async () => {
    // Prepare
    const world = await base.fork();

    // Act
    const results = await world.look(() => Promise.all([scaleTo(world, 5, 'scale-blue-c1'), scaleTo(world, 4, 'scale-blue-c2')]));

    // Assess
    const acted = results.filter((r) => r.status === 'SUCCEEDED');
    const refused = results.filter((r) => r.status === 'FAILED');
    expect(acted).toHaveLength(1);
    expect(refused.map((r) => r.error)).toEqual(['SCALE_REFUSED']);
    expect(refused[0]?.cause).toMatch(/UPDATE_IN_PROGRESS/);
    expect(entered(refused[0] as RunResult)).not.toContain('Launch Slaves');
    const target = lastPlan(acted[0] as RunResult).target;
    expect(await liveSlaves(world)).toHaveLength(target);
    expect((await world.describe(ID)).statusTag).toBe('CREATE_COMPLETE');
  });

  it('ends a duplicate alarm scale quietly: of two alarm runs at once only one scales', async () => {
    // Prepare
    const world = await base.fork();
    await world.look(async () => world.cloud.setLoad(ID, 90, { relativeToSlaves: 2 }));
    await world.look(() => sleep(4 * 60_000));

    // Act
    const results = await world.look(() =>
      Promise.all([alarmScale(world, 'out', 'scale-blue-d1'), alarmScale(world, 'out', 'scale-blue-d2')])
    );

    // Assess
    expect(results.map((r) => r.status)).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const skipped = results.filter((r) => entered(r).at(-1) === 'Scale Skipped');
    const acting = results.filter((r) => entered(r).at(-1) === 'No Scale Needed');
    expect([skipped.length, acting.length]).toEqual([1, 1]);
    expect(entered(skipped[0] as RunResult)).not.toContain('Launch Slaves');
    const refusal = (skipped[0]?.output as { refusal?: { reason?: { errorMessage?: string } } } | undefined)?.refusal;
    expect(refusal?.reason?.errorMessage).toMatch(/UPDATE_IN_PROGRESS/);
    // The acting run moved one step per round (the metric lags the new agents by a minute or two).
    const rounds = acting[0]?.events.filter((e) => e.type === 'StateExited' && e.state === 'Record Scale').map(lastPlanOf);
    expect(rounds?.[0]).toBe(4);
    expect(await liveSlaves(world)).toHaveLength(lastPlan(acting[0] as RunResult).current);
  });

  it('terminates the drained slaves at the drain timeout when their tasks never leave', async () => {
    // Prepare: tasks that take far longer than the drain timeout to stop.
    const world = await base.fork({ latencyModel: { ...loadLatencyModel(), agentDrainMs: 3 * 3600_000 } });

    // Act
    const result = await scaleTo(world, 1, 'scale-blue-stuck');

    // Assess
    expect(result.status).toBe('SUCCEEDED');
    expect(entered(result)).toContain('Drain Timed Out');
    const drainStart = eventOf(result, 'StateEntered', 'Start Drain Checks')?.timestamp ?? 0;
    const terminate = eventOf(result, 'StateEntered', 'Terminate Removed Slaves')?.timestamp ?? 0;
    expect(terminate - drainStart).toBeGreaterThanOrEqual(DRAIN_TIMEOUT_SECONDS * 1000);
    expect(terminate - drainStart).toBeLessThan((DRAIN_TIMEOUT_SECONDS + 300) * 1000);
    expect(await liveSlaves(world)).toHaveLength(1);
  });

  it('refuses a scale while the cluster is being deleted (DELETE_IN_PROGRESS), and the teardown leaves nothing', async () => {
    // Prepare
    const world = await base.fork();
    const marked = eventWaiter((e) => e.type === 'StateExited' && e.state === 'Mark Cluster Deleting');

    // Act
    const [teardown, scale] = await world.look(async () => {
      const teardownRun = world.teardown(ID, 'blue', 'delete-blue', { onEvent: marked.onEvent });
      await marked.seen;
      return Promise.all([teardownRun, scaleTo(world, 4, 'scale-blue-late')]);
    });

    // Assess
    expect(scale?.status).toBe('FAILED');
    expect(scale?.error).toBe('SCALE_REFUSED');
    expect(scale?.cause).toBe(`plan-scale: cluster ${ID} is DELETE_IN_PROGRESS; scaling refused`);
    expect(teardown?.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('refuses to launch slaves when a teardown begins between Check Scale Lease and Launch Slaves: no slave launched, nothing left', async () => {
    // Prepare
    const world = await base.fork();
    const calls = world.recordStepCalls();
    const marked = eventWaiter((e) => e.type === 'StateExited' && e.state === 'Mark Cluster Deleting');
    let teardownRun: Promise<RunResult> | undefined;
    const startTeardown = (event: RunEvent) => {
      if (teardownRun || event.type !== 'StateExited' || event.state !== 'Check Scale Lease') return;
      teardownRun = world.teardown(ID, 'blue', 'delete-blue', { onEvent: marked.onEvent });
    };
    // Launch Slaves runs only once the teardown has marked the cluster DELETE_IN_PROGRESS.
    const afterMark = (step: AnyStep): AnyStep =>
      step.id !== 'launch-instances'
        ? step
        : {
            id: step.id,
            run: async (input, clients) => {
              await marked.seen;
              return step.run(input, clients);
            },
          };

    // Act
    const [scale, teardown] = await world.look(async () => {
      const scaleRun = scaleTo(world, 4, 'scale-blue-racing', { onEvent: startTeardown, wrapStep: afterMark });
      const scaled = await scaleRun;
      if (!teardownRun) throw new Error('the scale never passed Check Scale Lease');
      return [scaled, await teardownRun];
    });

    // Assess
    expect(entered(scale)).toContain('Launch Slaves');
    expect(scale.status).toBe('FAILED');
    expect(scale.error).toBe('SCALE_FAILED');
    expect(scale.cause).toBe(
      `LAUNCH_INSTANCES_FAILED: FatalError: launch-instances: cluster ${ID} is being deleted (DELETE_IN_PROGRESS); launch-instances (slave) refused`
    );
    expect(entered(scale)).toContain('Record Scale Failure');
    expect(calls.filter((c) => c.operation === 'RunInstances')).toEqual([]);
    expect(teardown.status).toBe('SUCCEEDED');
    expect(await world.inventoryIds()).toEqual([]);
  });

  it('releases the lease and names the step when a scale fails, so the next scale works', async () => {
    // Prepare
    const world = await base.fork();
    world.cloud.injectFault({ operation: 'RunInstances', code: 'UnauthorizedOperation', count: 1 });

    // Act
    const failed = await scaleTo(world, 4, 'scale-blue-f1');
    const retried = await scaleTo(world, 4, 'scale-blue-f2');

    // Assess
    expect(failed.status).toBe('FAILED');
    expect(failed.error).toBe('SCALE_FAILED');
    expect(failed.cause).toMatch(/^LAUNCH_INSTANCES_FAILED: FatalError: launch-instances: UnauthorizedOperation/);
    expect(entered(failed)).toContain('Record Scale Failure');
    expect(retried.status).toBe('SUCCEEDED');
    expect(await liveSlaves(world)).toHaveLength(4);
  });

  it('creates, scales and deletes a cluster, leaving an empty inventory (the alarms too)', async () => {
    // Prepare
    const world = await base.fork();
    const alarms = await world.look(async () =>
      world.cloud
        .inventory()
        .filter((i) => i.type === 'alarm')
        .map((i) => i.id)
        .sort()
    );

    // Act
    const scaled = await scaleTo(world, 3, 'scale-blue-3');
    const deleted = await world.teardown(ID, 'blue');

    // Assess
    expect(alarms).toEqual([scalingAlarmName(ID, 'in'), scalingAlarmName(ID, 'out')]);
    expect(scaled.status).toBe('SUCCEEDED');
    expect(deleted.status).toBe('SUCCEEDED');
    expect(entered(deleted).slice(0, 2)).toEqual(['Mark Cluster Deleting', 'Delete Scaling Alarms']);
    expect(await world.inventoryIds()).toEqual([]);
  });
});

/** The plan's target from the state a Record Scale exit carries. */
function lastPlanOf(event: RunEvent): number {
  return (event.output as { scale: { plan: PlanScaleOutput } }).scale.plan.target;
}
