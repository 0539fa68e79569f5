/**
 * The scaling side of the Mesos model: the load on a cluster, the allocation figures its
 * leading master publishes to CloudWatch every minute, the tasks on each agent, and the
 * drain of agents put into maintenance.
 *
 * Nothing is stored per minute: the published datapoints and the task counts are computed
 * from the load history, the masters' and agents' lifetimes and the drains whenever they
 * are read, so they follow the virtual clock and the saved state stays small.
 */
import type { Sim } from './core';
import { registeredAgents, runsMaster } from './mesos';
import type { InstanceRecord, LoadRecord } from './state';

/** The product's metrics (functions/shared/documents.ts CLUSTER_METRICS; a unit test keeps them equal). */
export const SIMULATED_METRICS = {
  namespace: 'MesosCluster',
  dimension: 'ClusterId',
  allocation: 'AllocationPercent',
  activeAgents: 'ActiveAgents',
} as const;

/** The tag that names an instance's cluster. */
const CLUSTER_TAG = 'mesos-cluster:id';

/** Masters publish once a minute, on the minute. */
export const PUBLISH_INTERVAL_MS = 60_000;

/** Derived task count: one task per this much allocation percent on every agent. */
const PERCENT_PER_TASK = 10;

/** The cluster id of an instance (its `mesos-cluster:id` tag). */
export function clusterOf(inst: InstanceRecord): string | undefined {
  return inst.tags[CLUSTER_TAG];
}

/** Records a load on a cluster from now on. */
export function setLoad(sim: Sim, clusterId: string, percent: number, relativeToSlaves?: number): void {
  if (!clusterId) throw new Error('setLoad needs a cluster id');
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) throw new Error(`load must be a percent 0..100, got ${percent}`);
  if (relativeToSlaves !== undefined && (!Number.isInteger(relativeToSlaves) || relativeToSlaves < 1)) {
    throw new Error(`relativeToSlaves must be a whole number >= 1, got ${relativeToSlaves}`);
  }
  const history = sim.state.loads[clusterId] ?? [];
  const record: LoadRecord = { t: sim.now(), percent, ...(relativeToSlaves === undefined ? {} : { relativeToSlaves }) };
  // A later load replaces one set at the same instant.
  while (history.length > 0 && (history.at(-1) as LoadRecord).t >= record.t) history.pop();
  history.push(record);
  sim.state.loads[clusterId] = history;
}

/** Sets the task count of an agent from now on (instead of the count derived from the load). */
export function setAgentTasks(sim: Sim, instanceId: string, tasks: number): void {
  if (!sim.state.instances[instanceId]) throw new Error(`no instance ${instanceId}`);
  if (!Number.isInteger(tasks) || tasks < 0) throw new Error(`tasks must be a whole number >= 0, got ${tasks}`);
  const history = sim.state.agentTasks[instanceId] ?? [];
  while (history.length > 0 && (history.at(-1) as { t: number }).t >= sim.now()) history.pop();
  history.push({ t: sim.now(), tasks });
  sim.state.agentTasks[instanceId] = history;
}

function latestAt<T extends { t: number }>(history: readonly T[] | undefined, t: number): T | undefined {
  let found: T | undefined;
  for (const record of history ?? []) {
    if (record.t > t) break;
    found = record;
  }
  return found;
}

/** The masters of a cluster (instances tagged with its id that ever ran configure-master). */
function clusterMasters(sim: Sim, clusterId: string): InstanceRecord[] {
  return Object.values(sim.state.instances).filter((inst) => inst.masterAt !== undefined && clusterOf(inst) === clusterId);
}

/** The master of the cluster that leads at `t`: the running one that became a master first. */
export function leadingMaster(sim: Sim, clusterId: string, t: number): InstanceRecord | undefined {
  return clusterMasters(sim, clusterId)
    .filter((m) => runsMaster(m, t))
    .sort((a, b) => (a.masterAt ?? 0) - (b.masterAt ?? 0) || (a.id < b.id ? -1 : 1))[0];
}

/** The agents registered at `t` with any running master of the cluster. */
export function clusterAgents(sim: Sim, clusterId: string, t: number): InstanceRecord[] {
  const agents = new Map<string, InstanceRecord>();
  for (const master of clusterMasters(sim, clusterId)) {
    if (!runsMaster(master, t)) continue;
    for (const agent of registeredAgents(sim, master, t)) agents.set(agent.id, agent);
  }
  return [...agents.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}

/**
 * The allocation percent the leading master reports at `t`: the load set last (or the
 * model's default); a load set relative to N slaves scales by N / registered agents,
 * capped at 100. Undefined while no master of the cluster runs.
 */
export function allocationAt(sim: Sim, clusterId: string, t: number): number | undefined {
  if (!leadingMaster(sim, clusterId, t)) return undefined;
  const load = latestAt(sim.state.loads[clusterId], t);
  if (!load) return sim.model.defaultAllocationPercent;
  if (load.relativeToSlaves === undefined) return load.percent;
  const agents = clusterAgents(sim, clusterId, t).length;
  if (agents === 0) return load.percent > 0 ? 100 : 0;
  return Math.min(100, (load.percent * load.relativeToSlaves) / agents);
}

/**
 * The datapoints the cluster's leading master publishes in [start, end): one a minute, on
 * the minute, while a master runs. `metricName` is the allocation or the active agents.
 */
export function publishedPoints(
  sim: Sim,
  namespace: string,
  metricName: string,
  dimensions: readonly { Name?: string; Value?: string }[] | undefined,
  start: number,
  end: number
): { t: number; value: number }[] {
  if (namespace !== SIMULATED_METRICS.namespace) return [];
  if (metricName !== SIMULATED_METRICS.allocation && metricName !== SIMULATED_METRICS.activeAgents) return [];
  const [dimension, ...more] = dimensions ?? [];
  if (!dimension || more.length > 0 || dimension.Name !== SIMULATED_METRICS.dimension || !dimension.Value) return [];
  const clusterId = dimension.Value;
  const masters = clusterMasters(sim, clusterId);
  if (masters.length === 0) return [];
  const first = Math.max(start, Math.min(...masters.map((m) => m.masterAt ?? Number.POSITIVE_INFINITY)));
  const points: { t: number; value: number }[] = [];
  for (let t = Math.ceil(first / PUBLISH_INTERVAL_MS) * PUBLISH_INTERVAL_MS; t < end; t += PUBLISH_INTERVAL_MS) {
    const value =
      metricName === SIMULATED_METRICS.allocation
        ? allocationAt(sim, clusterId, t)
        : leadingMaster(sim, clusterId, t)
          ? clusterAgents(sim, clusterId, t).length
          : undefined;
    if (value !== undefined) points.push({ t, value });
  }
  return points;
}

/**
 * The tasks on a registered agent at `t`: the count set with setAgentTasks, else one per
 * 10 % of the cluster's allocation. A drained agent keeps the tasks it had when the drain
 * began until they have left (`drainedAt`), then runs none.
 */
export function agentTasksAt(sim: Sim, agent: InstanceRecord, t: number): number {
  if (agent.drainAt !== undefined && agent.drainAt <= t) {
    if (t >= (agent.drainedAt ?? agent.drainAt)) return 0;
    return baseTasks(sim, agent, agent.drainAt);
  }
  return baseTasks(sim, agent, t);
}

function baseTasks(sim: Sim, agent: InstanceRecord, t: number): number {
  const set = latestAt(sim.state.agentTasks[agent.id], t);
  if (set) return set.tasks;
  const clusterId = clusterOf(agent);
  const allocation = clusterId === undefined ? undefined : allocationAt(sim, clusterId, t);
  return Math.round((allocation ?? 0) / PERCENT_PER_TASK);
}

/** The agent-load answer of the cluster of `master` at `t`: `<ip> <tasks>` lines, by IP. */
export function agentLoadOutput(sim: Sim, master: InstanceRecord, t: number): string {
  const lines = registeredAgents(sim, master, t)
    .sort((a, b) => compareIps(a.privateIp, b.privateIp))
    .map((agent) => `${agent.privateIp} ${agentTasksAt(sim, agent, t)}\n`);
  return lines.join('');
}

/** Orders IPv4 addresses numerically (10.0.0.9 before 10.0.0.10), as the agent-load script does. */
export function compareIps(a: string, b: string): number {
  const number = (ip: string) => ip.split('.').reduce((acc, octet) => acc * 256 + Number(octet), 0);
  return number(a) - number(b);
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

/** The agent IPs of a drain-agents `AgentIps` parameter, or undefined when it is malformed (the script refuses it). */
export function parseAgentIps(value: string | undefined): string[] | undefined {
  if (value === undefined || value === '') return [];
  const ips = value.split(',');
  if (ips.length > 50 || ips.some((ip) => !IPV4.test(ip)) || new Set(ips).size !== ips.length) return undefined;
  return ips;
}

/**
 * The effect of a drain-agents run that ends at `endAt` on `master`: the agents registered
 * with it at that time whose IP is listed enter maintenance and drain; their tasks leave
 * `agentDrainMs` later. An agent already draining keeps its earlier drain.
 */
export function applyDrain(sim: Sim, master: InstanceRecord, ips: readonly string[], endAt: number): void {
  for (const agent of registeredAgents(sim, master, endAt)) {
    if (!ips.includes(agent.privateIp) || (agent.drainAt !== undefined && agent.drainAt <= endAt)) continue;
    agent.drainAt = endAt;
    agent.drainedAt = endAt + sim.latency(sim.model.agentDrainMs);
  }
}
