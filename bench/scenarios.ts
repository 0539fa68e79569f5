/**
 * The simulated scenarios of the benchmark: create (1 + 3 with a fresh bake, 3 + 10, and a
 * second 1 + 3 that can reuse the first one's image), scale-out (+1, +50) and teardown, each
 * run by the local runner on the simulated cloud in virtual time, measured, and set
 * against its critical-path bound under the same latency model.
 */
import { connectCommandSignals } from '../cli/runner/command-signals';
import { type AslMachine, type RunResult, runMachine } from '../cli/runner/local-runner';
import type { TaskTokens } from '../cli/runner/task-tokens';
import { inProcessStepConfig } from '../cli/step-config';
import type { ClusterSpecInput } from '../functions/shared/cluster-spec';
import type { StepClients } from '../functions/shared/step';
import { type LatencyModel, SimulatedCloud } from '../simulator';
import type { CloudState } from '../simulator/state';
import { exportAsl, MACHINE_NAMES, type MachineName } from '../workflow/export';
import { boundOf, type DependencyGraph, describePath, expandGraph, type GroupSizes, type RealizedLatency } from './critical-path';
import { CREATE_FRESH_BAKE, CREATE_REUSED_IMAGE, SCALE_OUT, TEARDOWN } from './dependency-graphs';
import { realizedCreate, realizedScaleOut, realizedTeardown } from './realized';
import { type RunMetrics, ranStep, runMetrics } from './run-metrics';

/** The simulated clock of every benchmark world. */
export const BENCH_T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

/** The admin CIDR of the benchmark clusters (documentation range). */
const ADMIN_CIDR = '203.0.113.0/24';

/** The scale machine, once the workflow exports one. */
export const SCALE_MACHINE = 'scale-cluster';

/** One measured scenario. */
export interface ScenarioResult {
  /** e.g. 'create 1+3 fresh bake'. */
  readonly id: string;
  readonly kind: 'create' | 'scale-out' | 'teardown';
  /** The declared graph the bound comes from. */
  readonly graph: string;
  readonly sizes: GroupSizes;
  readonly metrics: RunMetrics;
  /** The critical-path bound (simulated seconds) under the run's latencies. */
  readonly boundSeconds: number;
  /** simulatedSeconds / boundSeconds. */
  readonly ratio: number;
  /** The chain behind the bound. */
  readonly criticalPath: string;
  /** Anything a reader must know to read the row (e.g. the image was baked again). */
  readonly note?: string;
}

const aslCache = new Map<string, AslMachine>();

function aslOf(machine: string): AslMachine {
  let asl = aslCache.get(machine);
  if (!asl) {
    asl = exportAsl(machine as MachineName) as unknown as AslMachine;
    aslCache.set(machine, asl);
  }
  return asl;
}

/** True when workflow/export.ts can export the machine. */
export function machineAvailable(machine: string): boolean {
  return (MACHINE_NAMES as readonly string[]).includes(machine);
}

/** The On-Demand Standard vCPU quota of the bench's account: room for 1 + 54 and 1 + 3 nodes of 2 vCPUs and a template slave. */
const BENCH_VCPUS = 256;

/** A simulated cloud with its own virtual clock, which each run continues. */
export class BenchWorld {
  readonly cloud: SimulatedCloud;
  now = BENCH_T0;

  constructor(readonly model: LatencyModel) {
    this.cloud = new SimulatedCloud({ latencyModel: model });
    // An account raised for the bench's largest cluster (two clusters, 1 + 54 slaves and
    // 1 + 3, or 3 + 10, of 2-vCPU types): the default 64 vCPUs would refuse the +50 scale-out.
    this.cloud.setQuotas({ vcpus: BENCH_VCPUS });
    this.#taskTokens = connectCommandSignals(this.cloud, this.#clients());
  }

  readonly #taskTokens: TaskTokens;

  #clients(): StepClients {
    return { ...this.cloud.clients(), config: inProcessStepConfig() };
  }

  async run(machine: string, input: unknown, executionName: string): Promise<RunResult> {
    const result = await runMachine({
      asl: aslOf(machine),
      input,
      executionName,
      clients: this.#clients(),
      clock: { now: this.now },
      machineName: machine,
      taskTokens: this.#taskTokens,
    });
    this.now = result.endedAt;
    return result;
  }

  state(): CloudState {
    return this.cloud.toJSON() as unknown as CloudState;
  }
}

function measured(
  id: string,
  kind: ScenarioResult['kind'],
  graph: DependencyGraph,
  result: RunResult,
  read: { sizes: GroupSizes; realized: RealizedLatency },
  model: LatencyModel,
  note?: string
): ScenarioResult {
  const metrics = runMetrics(result);
  const cp = boundOf(graph, read.sizes, model, read.realized);
  const nodes = expandGraph(graph, read.sizes, model, read.realized);
  const boundSeconds = cp.boundMs / 1000;
  const ratio = boundSeconds > 0 ? metrics.simulatedSeconds / boundSeconds : Number.NaN;
  // A run faster than its bound means the graph declares a dependency that is not one.
  const notes = [note, ratio < 0.999 ? 'faster than the bound: a declared dependency is not a true one' : undefined].filter(
    (n): n is string => n !== undefined
  );
  return {
    id,
    kind,
    graph: graph.name,
    sizes: read.sizes,
    metrics,
    boundSeconds,
    ratio,
    criticalPath: describePath(cp, nodes),
    ...(notes.length === 0 ? {} : { note: notes.join('; ') }),
  };
}

/** The scale-out of world A goes to 3 + 1 + 50 slaves: the autoscaling bound must allow it. */
const SCALE_MAX_SLAVES = 60;

function spec(name: string, masters: number, slaves: number, maxSlaves?: number): ClusterSpecInput {
  return { name, masters, slaves, adminCidr: ADMIN_CIDR, ...(maxSlaves === undefined ? {} : { autoscaling: { maxSlaves } }) };
}

async function create(
  world: BenchWorld,
  id: string,
  s: ClusterSpecInput,
  clusterId: string,
  image: 'fresh' | 'reuse'
): Promise<ScenarioResult> {
  const from = world.now;
  const result = await world.run('create-cluster', { clusterId, spec: s }, `create-${clusterId}`);
  const read = realizedCreate(world.state(), { clusterId, from, to: result.endedAt });
  const baked = ranStep(result, 'bake-image');
  if (image === 'fresh') {
    return measured(id, 'create', CREATE_FRESH_BAKE, result, read, world.model, baked ? undefined : 'reused an image: no bake ran');
  }
  // A second cluster of the same recipe is held to the bound of a create that reuses the image.
  const sizes = { master: read.sizes.master ?? 0, slave: read.sizes.slave ?? 0 };
  const note = baked ? 'baked again: the create machine found no image to reuse' : undefined;
  return measured(id, 'create', CREATE_REUSED_IMAGE, result, { sizes, realized: read.realized }, world.model, note);
}

async function teardown(world: BenchWorld, id: string, clusterId: string, clusterName: string): Promise<ScenarioResult> {
  const from = world.now;
  const result = await world.run('teardown-cluster', { clusterId, clusterName }, `delete-${clusterId}`);
  const read = realizedTeardown(world.state(), { clusterId, from, to: result.endedAt });
  return measured(id, 'teardown', TEARDOWN, result, read, world.model);
}

async function scaleOut(world: BenchWorld, id: string, clusterId: string, clusterName: string, target: number): Promise<ScenarioResult> {
  const from = world.now;
  const input = { clusterId, clusterName, targetSlaves: target, source: 'api' };
  const result = await world.run(SCALE_MACHINE, input, `scale-${clusterId}-${target}`);
  const read = realizedScaleOut(world.state(), { clusterId, from, to: result.endedAt });
  return measured(id, 'scale-out', SCALE_OUT, result, read, world.model);
}

/** What one pass over the scenarios produced. */
export interface ScenarioSet {
  readonly results: ScenarioResult[];
  /** Scenarios that could not run yet, with the reason. */
  readonly pending: { readonly id: string; readonly reason: string }[];
}

export interface ScenarioOptions {
  /** Include scale-out (+1, +50) when the scale machine exists. @default true */
  readonly scale?: boolean;
}

const succeeded = (r: ScenarioResult) => r.metrics.status === 'SUCCEEDED';

/**
 * Runs every scenario under one latency model, each world on its own virtual clock:
 * world A creates 1 + 3 (fresh bake), a second 1 + 3 (which may reuse the image), tears
 * the second down, scales the first out by +1 and +50 and tears it down; world B creates
 * 3 + 10 and tears it down. A scenario on a cluster whose create (or earlier scale) failed
 * does not run: it is listed as skipped, with the failure, instead of a row that would read
 * as a success (a failed create has rolled its cluster back already).
 */
export async function runScenarios(model: LatencyModel, options: ScenarioOptions = {}): Promise<ScenarioSet> {
  const results: ScenarioResult[] = [];
  const pending: ScenarioSet['pending'] = [];

  /** Runs `next` only when `after` succeeded; otherwise lists the scenarios as skipped. */
  const after = async (prior: ScenarioResult, ids: readonly string[], next: () => Promise<void>) => {
    if (succeeded(prior)) return next();
    for (const id of ids)
      pending.push({
        id,
        reason: `skipped: ${prior.id} ended ${prior.metrics.status} (${prior.metrics.cause ?? prior.metrics.error ?? 'no cause'})`,
      });
  };

  const a = new BenchWorld(model);
  const one = await create(a, 'create 1+3 fresh bake', spec('bench-one', 1, 3, SCALE_MAX_SLAVES), 'bench-one-000001', 'fresh');
  results.push(one);
  const two = await create(a, 'create 1+3 reusing the image', spec('bench-two', 1, 3), 'bench-two-000001', 'reuse');
  results.push(two);
  await after(two, ['teardown 1+3'], async () => {
    results.push(await teardown(a, 'teardown 1+3', 'bench-two-000001', 'bench-two'));
  });

  if (options.scale !== false) {
    if (machineAvailable(SCALE_MACHINE)) {
      const scaleIds = ['scale-out +1', 'scale-out +50', 'teardown 1+54 (after the scale-outs)'];
      await after(one, scaleIds, async () => {
        const plusOne = await scaleOut(a, 'scale-out +1', 'bench-one-000001', 'bench-one', 4);
        results.push(plusOne);
        await after(plusOne, scaleIds.slice(1), async () => {
          const plusFifty = await scaleOut(a, 'scale-out +50', 'bench-one-000001', 'bench-one', 54);
          results.push(plusFifty);
          await after(plusFifty, scaleIds.slice(2), async () => {
            results.push(await teardown(a, 'teardown 1+54 (after the scale-outs)', 'bench-one-000001', 'bench-one'));
          });
        });
      });
    } else {
      pending.push({ id: 'scale-out +1, +50', reason: `workflow/export.ts has no '${SCALE_MACHINE}' machine yet` });
    }
  }

  const b = new BenchWorld(model);
  const ha = await create(b, 'create 3+10 fresh bake', spec('bench-ha', 3, 10), 'bench-ha-000001', 'fresh');
  results.push(ha);
  await after(ha, ['teardown 3+10'], async () => {
    results.push(await teardown(b, 'teardown 3+10', 'bench-ha-000001', 'bench-ha'));
  });
  return { results, pending };
}
