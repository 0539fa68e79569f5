/**
 * Runs the exported create and teardown machines against a simulated cloud with the
 * local runner, in virtual time, for the workflow tests. The ASL of each machine is
 * exported once per test file.
 */

import { connectCommandSignals } from '../../cli/runner/command-signals';
import { type AslMachine, type RunEvent, type RunResult, runMachine } from '../../cli/runner/local-runner';
import { type AnyStep, loadStep } from '../../cli/runner/step-registry';
import { TaskTokens } from '../../cli/runner/task-tokens';
import { inVirtualTime } from '../../cli/runner/virtual-time';
import type { ClusterSpecInput } from '../../functions/shared/cluster-spec';
import { type ClusterDescription, describeCluster } from '../../functions/shared/describe-cluster';
import type { StepConfig } from '../../functions/shared/env';
import { SimulatedCloud } from '../../simulator';
import { simulatedClients } from '../../simulator/clients';
import type { ServiceName, SimulatorOptions } from '../../simulator/types';
import { exportAsl, type MachineName } from '../../workflow/export';
import { TEST_STEP_CONFIG } from './step-config';

/** The simulated clock of a fresh cloud in the workflow tests. */
export const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

const aslCache = new Map<MachineName, AslMachine>();

/** The exported ASL of a machine (cached). */
export function asl(machine: MachineName): AslMachine {
  let definition = aslCache.get(machine);
  if (!definition) {
    definition = exportAsl(machine) as unknown as AslMachine;
    aslCache.set(machine, definition);
  }
  return definition;
}

/** What a run of a world may change: the steps, an observer, a stop. */
export interface WorldRunOptions {
  /** Replaces every step the runner resolves (e.g. to run each invocation twice). */
  readonly wrapStep?: (step: AnyStep) => AnyStep;
  /** Called for every event of the run, as it happens. */
  readonly onEvent?: (event: RunEvent) => void;
  /** Stops the execution (as StopExecution) at the first event for which this is true. */
  readonly stopWhen?: (event: RunEvent) => boolean;
  /** Stops the execution when it aborts. */
  readonly signal?: AbortSignal;
}

/** One AWS call as a step made it (every attempt, SDK retries included). */
export interface StepCall {
  readonly stepId: string;
  /** The operation, as the simulator counts it: `CreateVpc`, `SendCommand`. */
  readonly operation: string;
  readonly service: ServiceName;
}

/** `CreateVpcCommand` → `CreateVpc`, `SendCommandCommand` → `SendCommand`. */
function operationOfCommand(commandName: string): string {
  return commandName.endsWith('Command') ? commandName.slice(0, -'Command'.length) : commandName;
}

/** A simulated cloud with its own virtual clock, which each run continues. */
export class SimulatedWorld {
  readonly cloud: SimulatedCloud;
  /** Virtual now: where the next run or look starts. */
  now: number;

  /** A fresh cloud at `now`, or the given cloud (e.g. with its own latency model). */
  /** What the steps are configured with (the CLI's in-process documents and instance profile). */
  readonly config: StepConfig;

  constructor(now = T0, cloud?: SimulatedCloud, config: StepConfig = TEST_STEP_CONFIG) {
    this.cloud = cloud ?? new SimulatedCloud();
    this.now = now;
    this.config = config;
    connectCommandSignals(this.cloud, { ...this.cloud.clients(), config: this.config }, this.taskTokens);
  }

  /** The task tokens of the runs in this world, which the cloud's SendTaskSuccess settles (the command signals' relay among others). */
  readonly taskTokens = new TaskTokens();

  /** An independent copy of this world: the same resources, faults and clock (`options` as for a new cloud). */
  async fork(options?: SimulatorOptions): Promise<SimulatedWorld> {
    const state = await this.look(async () => this.cloud.toJSON());
    return new SimulatedWorld(this.now, SimulatedCloud.fromJSON(state, options));
  }

  #stepCalls: StepCall[] | undefined;

  /**
   * From now on, every step of every run sends its AWS calls through its own clients and
   * they are logged (in call order) in the returned list, with the step that made them.
   */
  recordStepCalls(): StepCall[] {
    this.#stepCalls ??= [];
    return this.#stepCalls;
  }

  /** The step as a run resolves it: logged calls and the caller's wrapper, when asked for. */
  private resolveStep(stepId: string, wrapStep?: (step: AnyStep) => AnyStep): AnyStep {
    let step = loadStep(stepId);
    const log = this.#stepCalls;
    if (log) {
      const { cloud } = this;
      const recording = simulatedClients(
        {
          handle(service, commandName, input) {
            log.push({ stepId, operation: operationOfCommand(commandName), service });
            return cloud.handle(service, commandName, input);
          },
        },
        cloud.region
      );
      const config = this.config;
      const inner = step;
      step = { id: inner.id, run: (input) => inner.run(input, { ...recording, config }) };
    }
    return wrapStep ? wrapStep(step) : step;
  }

  /**
   * Runs a machine in virtual time from `now`, and moves `now` to its end. Inside `look`
   * (one virtual-time session) several runs proceed side by side on the same clock.
   */
  async run(machine: MachineName, input: unknown, executionName: string, options: WorldRunOptions = {}): Promise<RunResult> {
    const stop = options.stopWhen ? new AbortController() : undefined;
    const signal = stop && options.signal ? AbortSignal.any([stop.signal, options.signal]) : (stop?.signal ?? options.signal);
    const { stopWhen, onEvent, wrapStep } = options;
    const result = await runMachine({
      asl: asl(machine),
      input,
      executionName,
      clients: { ...this.cloud.clients(), config: this.config },
      clock: { now: this.now },
      taskTokens: this.taskTokens,
      steps: (id) => this.resolveStep(id, wrapStep),
      signal,
      onEvent:
        onEvent || stopWhen
          ? (event) => {
              onEvent?.(event);
              if (stop && !stop.signal.aborted && stopWhen?.(event)) stop.abort();
            }
          : undefined,
    });
    this.now = Math.max(this.now, result.endedAt);
    return result;
  }

  /** Runs the create machine for a spec; the cluster id is `<name>-000001` unless given. */
  async create(spec: ClusterSpecInput, clusterId = `${spec.name}-000001`, options: WorldRunOptions = {}): Promise<RunResult> {
    return this.run('create-cluster', { clusterId, spec }, `create-${clusterId}`, options);
  }

  /** Runs the teardown machine for a cluster. */
  async teardown(
    clusterId: string,
    clusterName: string,
    executionName = `delete-${clusterId}`,
    options: WorldRunOptions = {}
  ): Promise<RunResult> {
    return this.run('teardown-cluster', { clusterId, clusterName }, executionName, options);
  }

  /** Does something with the cloud at the current virtual time (lookups see the cloud as the last run left it). */
  async look<T>(work: () => Promise<T>): Promise<T> {
    const { value, now } = await inVirtualTime(this.now, 'look', work);
    this.now = now;
    return value;
  }

  /** describeCluster at the current virtual time. */
  describe(clusterId: string): Promise<ClusterDescription> {
    return this.look(() => describeCluster(clusterId, { ec2: this.cloud.clients().ec2 }));
  }

  /** The ids of the live simulated resources at the current virtual time. */
  inventoryIds(): Promise<string[]> {
    return this.look(async () => this.cloud.inventory().map((item) => item.id));
  }
}

/** The states of a run as `type state @elapsed`, to compare timelines. */
export function timeline(result: RunResult): string[] {
  return result.events.map((e) => `${e.type} ${e.state ?? ''} @${e.elapsedMs}`);
}
