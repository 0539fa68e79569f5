/**
 * Realized latencies: what a simulated run actually drew for each operation of a declared
 * graph, read back from the simulated cloud's state. With `jitter: 0` they equal the
 * model's values; with jitter, the bound of a run must use the latencies of that run, or
 * it would not be a bound (a slow draw on the critical path is not the workflow's fault).
 */
import { TAG_ID, TAG_ROLE } from '../functions/shared/tags';
import type { CloudState, CommandRecord, InstanceRecord } from '../simulator/state';
import type { GroupSizes, RealizedLatency } from './critical-path';

/** The part of a run to read: one cluster, between two virtual instants. */
export interface RunWindow {
  readonly clusterId: string;
  readonly from: number;
  readonly to: number;
}

function inWindow(t: number | undefined, w: RunWindow): t is number {
  return t !== undefined && t >= w.from && t <= w.to;
}

function ordered(instances: InstanceRecord[]): InstanceRecord[] {
  return instances.sort((a, b) => a.createdAt - b.createdAt || a.launchIndex - b.launchIndex || (a.id < b.id ? -1 : 1));
}

/** The cluster's instances of a role launched during the window, in launch order. */
export function launchedInstances(state: CloudState, w: RunWindow, role: string): InstanceRecord[] {
  return ordered(
    Object.values(state.instances).filter((i) => i.tags[TAG_ID] === w.clusterId && i.tags[TAG_ROLE] === role && inWindow(i.createdAt, w))
  );
}

/** The cluster's instances whose termination was requested during the window. */
export function terminatedInstances(state: CloudState, w: RunWindow): InstanceRecord[] {
  return ordered(Object.values(state.instances).filter((i) => i.tags[TAG_ID] === w.clusterId && inWindow(i.terminateRequestedAt, w)));
}

/** Milliseconds from a command's request to the end of its invocation on `instanceId`. */
function commandMs(state: CloudState, w: RunWindow, behaviour: CommandRecord['behaviour'], instanceId: string): number | undefined {
  let best: number | undefined;
  for (const command of Object.values(state.commands)) {
    if (command.behaviour !== behaviour || !inWindow(command.requestedAt, w)) continue;
    const invocation = command.invocations.find((inv) => inv.instanceId === instanceId);
    if (invocation?.outcome !== 'Success') continue;
    // The last successful run is the one the workflow waited for.
    best = invocation.endAt - command.requestedAt;
  }
  return best;
}

/** Milliseconds from request to end of each successful smoke test command of `action` in the window. */
function smokeCommandsMs(state: CloudState, w: RunWindow, action: string): number[] {
  return Object.values(state.commands)
    .filter((c) => c.behaviour === 'marathon-smoke-test' && c.parameters.SmokeTestAction?.[0] === action && inWindow(c.requestedAt, w))
    .sort((a, b) => a.requestedAt - b.requestedAt)
    .flatMap((c) => c.invocations.filter((inv) => inv.outcome === 'Success').map((inv) => inv.endAt - c.requestedAt));
}

function minOf(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.min(...values);
}

function maxOf(values: number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

/** The group sizes and realized latencies of a create run. */
export function realizedCreate(state: CloudState, w: RunWindow): { sizes: GroupSizes; realized: RealizedLatency } {
  const masters = launchedInstances(state, w, 'master');
  const templates = launchedInstances(state, w, 'template-slave');
  const slaves = launchedInstances(state, w, 'slave');
  const nats = Object.values(state.natGateways).filter((n) => n.tags[TAG_ID] === w.clusterId && inWindow(n.createdAt, w));
  const images = Object.values(state.images).filter((img) => templates.some((t) => t.id === img.sourceInstanceId));
  const realized: RealizedLatency = (operation, index) => {
    const at = <T>(list: T[]) => (index === undefined ? undefined : list[index]);
    switch (operation) {
      case 'master.running':
      case 'template.running':
      case 'slave.running': {
        const inst = at(operation.startsWith('master') ? masters : operation.startsWith('template') ? templates : slaves);
        return inst && inst.runningAt - inst.createdAt;
      }
      case 'master.booted':
      case 'template.booted':
      case 'slave.booted': {
        const inst = at(operation.startsWith('master') ? masters : operation.startsWith('template') ? templates : slaves);
        return inst && inst.bootedAt - inst.runningAt;
      }
      case 'master.configured': {
        const inst = at(masters);
        return inst && commandMs(state, w, 'configure-master', inst.id);
      }
      case 'template.configured': {
        const inst = at(templates);
        return inst && commandMs(state, w, 'configure-slave', inst.id);
      }
      case 'slave.registered':
        return at(slaves)?.agentRegisterMs;
      case 'image-available':
        return maxOf(images.map((img) => img.availableAt - img.createdAt));
      case 'smoke-app-deployed':
        return smokeCommandsMs(state, w, 'deploy').at(-1);
      // Whichever status query saw the app running: the shortest keeps the bound a bound.
      case 'smoke-app-seen':
        return minOf(smokeCommandsMs(state, w, 'status'));
      case 'smoke-app-removed':
        return smokeCommandsMs(state, w, 'remove').at(-1);
      case 'nat-available':
        return maxOf(nats.flatMap((n) => (n.availableAt === undefined ? [] : [n.availableAt - n.createdAt])));
      default:
        return undefined;
    }
  };
  return { sizes: { master: masters.length, template: templates.length, slave: slaves.length }, realized };
}

/** The group sizes and realized latencies of a scale-out run (the slaves it launched). */
export function realizedScaleOut(state: CloudState, w: RunWindow): { sizes: GroupSizes; realized: RealizedLatency } {
  const slaves = launchedInstances(state, w, 'slave');
  const realized: RealizedLatency = (operation, index) => {
    const inst = index === undefined ? undefined : slaves[index];
    if (!inst) return undefined;
    if (operation === 'slave.running') return inst.runningAt - inst.createdAt;
    if (operation === 'slave.booted') return inst.bootedAt - inst.runningAt;
    if (operation === 'slave.registered') return inst.agentRegisterMs;
    return undefined;
  };
  return { sizes: { slave: slaves.length }, realized };
}

/** The group sizes and realized latencies of a teardown run. */
export function realizedTeardown(state: CloudState, w: RunWindow): { sizes: GroupSizes; realized: RealizedLatency } {
  const nodes = terminatedInstances(state, w);
  const nats = Object.values(state.natGateways).filter((n) => n.tags[TAG_ID] === w.clusterId && inWindow(n.deleteRequestedAt, w));
  const realized: RealizedLatency = (operation, index) => {
    if (operation === 'node.terminated') {
      const inst = index === undefined ? undefined : nodes[index];
      return inst?.terminatedAt !== undefined && inst.terminateRequestedAt !== undefined
        ? inst.terminatedAt - inst.terminateRequestedAt
        : undefined;
    }
    if (operation === 'nat-deleted') {
      return maxOf(
        nats.flatMap((n) => (n.deletedAt !== undefined && n.deleteRequestedAt !== undefined ? [n.deletedAt - n.deleteRequestedAt] : []))
      );
    }
    return undefined;
  };
  return { sizes: { node: nodes.length }, realized };
}
