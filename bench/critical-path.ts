/**
 * The critical-path bound of the benchmark: the longest chain of true dependencies
 * between the cloud operations of a scenario, under a latency model.
 *
 * A scenario declares its operations (bench/dependency-graphs.ts): each one takes a
 * latency made of latency-model fields and starts after its dependencies, optionally a
 * lag later (e.g. the eventual-consistency window before a new id can be named). An
 * operation may be repeated for every instance of a group (`each`), so that a slow draw of
 * one instance (a model with jitter) lengthens only its own chain. The bound is the end
 * of the scenario's last operation when every operation starts as early as its
 * dependencies allow: what a workflow with perfect knowledge of the timings would reach.
 */
import type { DocumentBehaviour, LatencyModel } from '../simulator';

/** A numeric field of the latency model. */
export type LatencyField = { [K in keyof LatencyModel]: LatencyModel[K] extends number ? K : never }[keyof LatencyModel];

/** A term of a latency: a numeric model field, or the run time of an SSM document. */
export type LatencyTerm = LatencyField | `commandDurationsMs.${DocumentBehaviour}`;

/** The instance groups an operation can be repeated for. */
export type InstanceGroup = 'master' | 'template' | 'slave' | 'node';

/** How many instances each group has in a scenario. */
export type GroupSizes = Readonly<Partial<Record<InstanceGroup, number>>>;

/** A true dependency: the operation cannot start before `on` has ended (plus `lag`). */
export interface Dependency {
  /** The operation depended on. */
  readonly on: string;
  /** Why it is a true dependency (AWS rule, simulator rule or Mesos behaviour). */
  readonly why: string;
  /** Time that must pass after `on` ends, e.g. the consistency window before its id works. */
  readonly lag?: readonly LatencyTerm[];
}

/** One cloud operation (an API call, or an asynchronous change it starts). */
export interface Operation {
  /** Unique within its graph, e.g. 'slave.running'. */
  readonly id: string;
  /** What happens, in words. */
  readonly what: string;
  /** Its duration: the sum of these model terms (empty: instant). */
  readonly latency: readonly LatencyTerm[];
  readonly after: readonly Dependency[];
  /** Repeated for every instance of this group. */
  readonly each?: InstanceGroup;
  /** Only when this group is not empty (e.g. the smoke test needs a slave): otherwise expanded away. */
  readonly when?: InstanceGroup;
  /**
   * `all` (default): starts when every dependency has ended. `any`: when the first one has
   * (e.g. an agent registers with whichever master runs first).
   */
  readonly join?: 'all' | 'any';
}

/** A scenario's declared dependency graph. */
export interface DependencyGraph {
  readonly name: string;
  readonly description: string;
  readonly operations: readonly Operation[];
  /** The operation whose end is the scenario's end (e.g. the cluster is ready). */
  readonly end: string;
}

/** An operation instance: one node of the expanded graph. */
export interface GraphNode {
  /** `<operation>` or `<operation>#<index>` for a per-instance operation. */
  readonly id: string;
  readonly operation: string;
  readonly index?: number;
  readonly latencyMs: number;
  readonly join: 'all' | 'any';
  readonly after: readonly { readonly node: string; readonly lagMs: number }[];
}

/**
 * Realized latencies (e.g. read back from a simulated run with jitter): the latency of an
 * operation instance, or undefined to take the model's value.
 */
export type RealizedLatency = (operation: string, index: number | undefined) => number | undefined;

/** The milliseconds of a sum of model terms. */
export function latencyOf(terms: readonly LatencyTerm[], model: LatencyModel): number {
  let total = 0;
  for (const term of terms) {
    const value = term.startsWith('commandDurationsMs.')
      ? model.commandDurationsMs[term.slice('commandDurationsMs.'.length) as DocumentBehaviour]
      : model[term as LatencyField];
    if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`latency model has no number for ${term}`);
    total += value;
  }
  return total;
}

/** Checks that every dependency names an operation of the graph, ids are unique and there is no cycle. */
export function validateGraph(graph: DependencyGraph): void {
  const ids = new Set<string>();
  for (const op of graph.operations) {
    if (ids.has(op.id)) throw new Error(`${graph.name}: operation ${op.id} is declared twice`);
    ids.add(op.id);
  }
  if (!ids.has(graph.end)) throw new Error(`${graph.name}: the end operation ${graph.end} is not declared`);
  for (const op of graph.operations) {
    for (const dep of op.after) {
      if (!ids.has(dep.on)) throw new Error(`${graph.name}: ${op.id} depends on the unknown operation ${dep.on}`);
      if (!dep.why.trim()) throw new Error(`${graph.name}: the dependency ${op.id} ← ${dep.on} gives no reason`);
    }
  }
  topologicalOrder(graph.operations.map((op) => ({ id: op.id, deps: op.after.map((d) => d.on) })));
}

function topologicalOrder(items: readonly { id: string; deps: readonly string[] }[]): string[] {
  const byId = new Map(items.map((item) => [item.id, item]));
  const state = new Map<string, 'visiting' | 'done'>();
  const order: string[] = [];
  const visit = (id: string, trail: string[]) => {
    const seen = state.get(id);
    if (seen === 'done') return;
    if (seen === 'visiting') throw new Error(`dependency cycle: ${[...trail, id].join(' → ')}`);
    state.set(id, 'visiting');
    for (const dep of byId.get(id)?.deps ?? []) visit(dep, [...trail, id]);
    state.set(id, 'done');
    order.push(id);
  };
  for (const item of items) visit(item.id, []);
  return order;
}

/**
 * Expands a graph for the group sizes of a scenario: a per-instance operation becomes one
 * node per instance (none for an empty group), an operation `when` a group exists none when
 * it is empty. A per-instance operation that depends on an
 * operation of the same group depends on the same instance; any other dependency on a
 * per-instance operation means every instance of it.
 */
export function expandGraph(graph: DependencyGraph, sizes: GroupSizes, model: LatencyModel, realized?: RealizedLatency): GraphNode[] {
  validateGraph(graph);
  const ops = new Map(graph.operations.map((op) => [op.id, op]));
  const size = (group: InstanceGroup | undefined) => (group === undefined ? 1 : Math.max(0, Math.floor(sizes[group] ?? 0)));
  const count = (op: Operation) => (op.when !== undefined && size(op.when) === 0 ? 0 : size(op.each));
  const nodeId = (op: Operation, index: number) => (op.each === undefined ? op.id : `${op.id}#${index}`);
  const nodes: GraphNode[] = [];
  for (const op of graph.operations) {
    for (let index = 0; index < count(op); index++) {
      const after: { node: string; lagMs: number }[] = [];
      for (const dep of op.after) {
        const target = ops.get(dep.on) as Operation;
        const lagMs = latencyOf(dep.lag ?? [], model);
        if (target.each !== undefined && target.each === op.each) {
          after.push({ node: nodeId(target, index), lagMs });
        } else {
          for (let j = 0; j < count(target); j++) after.push({ node: nodeId(target, j), lagMs });
        }
      }
      const at = op.each === undefined ? undefined : index;
      const latencyMs = realized?.(op.id, at) ?? latencyOf(op.latency, model);
      nodes.push({ id: nodeId(op, index), operation: op.id, index: at, latencyMs, join: op.join ?? 'all', after });
    }
  }
  return nodes;
}

/** One operation instance on the critical path, with its earliest start and end. */
export interface PathStep {
  readonly node: string;
  readonly startMs: number;
  readonly endMs: number;
}

/** The bound: the end of the last operation, and the chain that determines it. */
export interface CriticalPath {
  readonly boundMs: number;
  /** From the first operation of the chain to the end operation. */
  readonly path: readonly PathStep[];
  /** Earliest end of every node. */
  readonly endMs: ReadonlyMap<string, number>;
}

/**
 * The earliest end of every node when each starts as soon as its dependencies allow
 * (`all`: the latest of them, `any`: the earliest), and the chain behind the end node.
 * A node whose dependencies were all expanded away (empty groups) starts at 0.
 */
export function criticalPath(nodes: readonly GraphNode[], end: string): CriticalPath {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const endMs = new Map<string, number>();
  const startMs = new Map<string, number>();
  const via = new Map<string, string | undefined>();
  for (const id of topologicalOrder(nodes.map((n) => ({ id: n.id, deps: n.after.map((a) => a.node) })))) {
    const node = byId.get(id) as GraphNode;
    let start = 0;
    let from: string | undefined;
    if (node.after.length > 0) {
      start = node.join === 'any' ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      for (const dep of node.after) {
        const ready = (endMs.get(dep.node) as number) + dep.lagMs;
        if (node.join === 'any' ? ready < start : ready > start) {
          start = ready;
          from = dep.node;
        }
      }
    }
    startMs.set(id, start);
    endMs.set(id, start + node.latencyMs);
    via.set(id, from);
  }
  const last = endMs.get(end);
  if (last === undefined) throw new Error(`no node ${end} in the expanded graph`);
  const path: PathStep[] = [];
  for (let id: string | undefined = end; id !== undefined; id = via.get(id)) {
    path.unshift({ node: id, startMs: startMs.get(id) as number, endMs: endMs.get(id) as number });
  }
  return { boundMs: last, path, endMs };
}

/** The bound of a declared graph for a scenario: expand, then take the critical path. */
export function boundOf(graph: DependencyGraph, sizes: GroupSizes, model: LatencyModel, realized?: RealizedLatency): CriticalPath {
  return criticalPath(expandGraph(graph, sizes, model, realized), graph.end);
}

/** The critical path in words: `template.running#0 (15 s) → …`, skipping instant steps. */
export function describePath(cp: CriticalPath, nodes: readonly GraphNode[]): string {
  const byId = new Map(nodes.map((n) => [n.id, n]));
  return cp.path
    .filter((step) => step.endMs > step.startMs || step.node === cp.path[cp.path.length - 1]?.node)
    .map((step) => {
      const node = byId.get(step.node);
      const name = node?.index === undefined ? step.node : `${node.operation}`;
      return `${name} ${formatSeconds(step.endMs - step.startMs)}`;
    })
    .join(' → ');
}

/** Milliseconds as seconds with at most one decimal: `15 s`, `1.5 s`. */
export function formatSeconds(ms: number): string {
  const s = Math.round(ms / 100) / 10;
  return `${s} s`;
}
