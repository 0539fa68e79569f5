/**
 * Runs the exported create and teardown machines against a simulated cloud with the
 * local runner, in virtual time, for the workflow tests. The ASL of each machine is
 * exported once per test file.
 */

import { type AslMachine, type RunResult, runMachine } from '../../cli/runner/local-runner';
import { inVirtualTime } from '../../cli/runner/virtual-time';
import type { ClusterSpecInput } from '../../functions/shared/cluster-spec';
import { type ClusterDescription, describeCluster } from '../../functions/shared/describe-cluster';
import { SimulatedCloud } from '../../simulator';
import { exportAsl, type MachineName } from '../../workflow/export';

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

/** A simulated cloud with its own virtual clock, which each run continues. */
export class SimulatedWorld {
  readonly cloud: SimulatedCloud;
  /** Virtual now: where the next run or look starts. */
  now: number;

  constructor(now = T0) {
    this.cloud = new SimulatedCloud();
    this.now = now;
  }

  /** Runs a machine in virtual time from `now`, and moves `now` to its end. */
  async run(machine: MachineName, input: unknown, executionName: string): Promise<RunResult> {
    const result = await runMachine({ asl: asl(machine), input, executionName, clients: this.cloud.clients(), clock: { now: this.now } });
    this.now = result.endedAt;
    return result;
  }

  /** Runs the create machine for a spec; the cluster id is `<name>-000001` unless given. */
  async create(spec: ClusterSpecInput, clusterId = `${spec.name}-000001`): Promise<RunResult> {
    return this.run('create-cluster', { clusterId, spec }, `create-${clusterId}`);
  }

  /** Runs the teardown machine for a cluster. */
  async teardown(clusterId: string, clusterName: string, executionName = `delete-${clusterId}`): Promise<RunResult> {
    return this.run('teardown-cluster', { clusterId, clusterName }, executionName);
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
