/**
 * The Mesos model behind the agents-registered check: masters are instances that ran
 * configure-master successfully; agents are instances launched from an image that
 * carries the agent, whose user data joins them to masters by private IP. An agent
 * registers `agentRegisterMs` after it has booted and one of its masters runs.
 */
import type { Sim } from './core';
import type { InstanceRecord } from './state';

/** The interval during which an instance runs a Mesos master, if it ever does. */
function masterInterval(inst: InstanceRecord): [number, number] | undefined {
  if (inst.masterAt === undefined) return undefined;
  const end = inst.terminateRequestedAt ?? Number.POSITIVE_INFINITY;
  return inst.masterAt < end ? [inst.masterAt, end] : undefined;
}

/** True when the instance runs a Mesos master at time `t`. */
export function runsMaster(inst: InstanceRecord, t: number): boolean {
  const interval = masterInterval(inst);
  return interval !== undefined && interval[0] <= t && t < interval[1];
}

/** The masters an agent's user data names, among the instances of its VPC. */
function mastersOf(sim: Sim, agent: InstanceRecord): InstanceRecord[] {
  const ips = agent.joinMasterIps ?? [];
  return Object.values(sim.state.instances).filter(
    (inst) => inst.vpcId === agent.vpcId && inst.id !== agent.id && ips.includes(inst.privateIp)
  );
}

/** When the agent registers with its cluster (undefined: never, e.g. no agent in its image or no master). */
export function agentRegisteredAt(sim: Sim, agent: InstanceRecord): number | undefined {
  if (!agent.agentImage || !agent.joinMasterIps) return undefined;
  let earliest: number | undefined;
  for (const master of mastersOf(sim, agent)) {
    const interval = masterInterval(master);
    if (!interval) continue;
    const start = Math.max(agent.bootedAt, interval[0]);
    if (start < interval[1] && (earliest === undefined || start < earliest)) earliest = start;
  }
  if (earliest === undefined) return undefined;
  const registeredAt = earliest + agent.agentRegisterMs;
  const gone = agent.terminateRequestedAt ?? Number.POSITIVE_INFINITY;
  return registeredAt < gone ? registeredAt : undefined;
}

/** The agents registered at time `t` with the cluster of the master `master`. */
export function registeredAgents(sim: Sim, master: InstanceRecord, t: number): InstanceRecord[] {
  return Object.values(sim.state.instances).filter((agent) => {
    if (agent.vpcId !== master.vpcId || !(agent.joinMasterIps ?? []).includes(master.privateIp)) return false;
    if (agent.terminateRequestedAt !== undefined && agent.terminateRequestedAt <= t) return false;
    const at = agentRegisteredAt(sim, agent);
    return at !== undefined && at <= t;
  });
}
