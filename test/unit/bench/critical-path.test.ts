import {
  boundOf,
  criticalPath,
  type DependencyGraph,
  describePath,
  expandGraph,
  latencyOf,
  validateGraph,
} from '../../../bench/critical-path';
import { defaultLatencyModel, mergeLatencyModel } from '../../../simulator';

const model = defaultLatencyModel();

/** A graph from a compact list: [id, latency terms, dependencies]. */
function graph(ops: [string, string[], string[]][], end: string, extra: Partial<Record<string, object>> = {}): DependencyGraph {
  return {
    name: 'test',
    description: 'test graph',
    operations: ops.map(([id, latency, after]) => ({
      id,
      what: id,
      latency: latency as never,
      after: after.map((on) => ({ on, why: `${id} needs ${on}` })),
      ...extra[id],
    })),
    end,
  };
}

describe('latencyOf', () => {
  it('sums model fields and document run times', () => {
    // Prepare
    const terms = ['instanceRunningMs', 'ssmOnlineMs', 'commandDurationsMs.configure-slave'] as const;

    // Act
    const ms = latencyOf(terms, model);

    // Assess
    expect(ms).toBe(model.instanceRunningMs + model.ssmOnlineMs + model.commandDurationsMs['configure-slave']);
  });

  it('is 0 for an instant operation', () => {
    // Act
    const ms = latencyOf([], model);

    // Assess
    expect(ms).toBe(0);
  });

  it('throws when the model has no number for a term', () => {
    // Act
    const act = () => latencyOf(['commandDurationsMs.unknown-document' as never], model);

    // Assess
    expect(act).toThrow(/no number for commandDurationsMs.unknown-document/);
  });
});

describe('validateGraph', () => {
  it('throws on a dependency on an undeclared operation', () => {
    // Prepare
    const g = graph([['a', [], ['missing']]], 'a');

    // Act
    const act = () => validateGraph(g);

    // Assess
    expect(act).toThrow('test: a depends on the unknown operation missing');
  });

  it('throws on an operation declared twice', () => {
    // Prepare
    const g = graph(
      [
        ['a', [], []],
        ['a', [], []],
      ],
      'a'
    );

    // Act
    const act = () => validateGraph(g);

    // Assess
    expect(act).toThrow('test: operation a is declared twice');
  });

  it('throws on a cycle, naming it', () => {
    // Prepare
    const g = graph(
      [
        ['a', [], ['c']],
        ['b', [], ['a']],
        ['c', [], ['b']],
      ],
      'c'
    );

    // Act
    const act = () => validateGraph(g);

    // Assess
    expect(act).toThrow(/dependency cycle: a → c → b → a/);
  });

  it('throws on a dependency without a reason', () => {
    // Prepare
    const g: DependencyGraph = {
      name: 'test',
      description: '',
      operations: [
        { id: 'a', what: 'a', latency: [], after: [] },
        { id: 'b', what: 'b', latency: [], after: [{ on: 'a', why: ' ' }] },
      ],
      end: 'b',
    };

    // Act
    const act = () => validateGraph(g);

    // Assess
    expect(act).toThrow('test: the dependency b ← a gives no reason');
  });

  it('throws when the end operation is not declared', () => {
    // Act
    const act = () => validateGraph(graph([['a', [], []]], 'z'));

    // Assess
    expect(act).toThrow('test: the end operation z is not declared');
  });
});

describe('expandGraph', () => {
  const perInstance = graph(
    [
      ['launch', [], []],
      ['running', ['instanceRunningMs'], ['launch']],
      ['booted', ['ssmOnlineMs'], ['running']],
      ['done', [], ['booted']],
    ],
    'done',
    { running: { each: 'slave' }, booted: { each: 'slave' } }
  );

  it('repeats a per-instance operation for every instance and links the same instance', () => {
    // Act
    const nodes = expandGraph(perInstance, { slave: 2 }, model);

    // Assess
    expect(nodes.map((n) => n.id)).toEqual(['launch', 'running#0', 'running#1', 'booted#0', 'booted#1', 'done']);
    expect(nodes.find((n) => n.id === 'booted#1')?.after).toEqual([{ node: 'running#1', lagMs: 0 }]);
    expect(nodes.find((n) => n.id === 'done')?.after).toEqual([
      { node: 'booted#0', lagMs: 0 },
      { node: 'booted#1', lagMs: 0 },
    ]);
  });

  it('drops the operations of an empty group and the dependencies on them', () => {
    // Act
    const nodes = expandGraph(perInstance, { slave: 0 }, model);

    // Assess
    expect(nodes.map((n) => n.id)).toEqual(['launch', 'done']);
    expect(nodes.find((n) => n.id === 'done')?.after).toEqual([]);
  });

  it('takes a realized latency over the model value', () => {
    // Prepare
    const realized = (op: string, index: number | undefined) => (op === 'running' && index === 1 ? 42_000 : undefined);

    // Act
    const nodes = expandGraph(perInstance, { slave: 2 }, model, realized);

    // Assess
    expect(nodes.find((n) => n.id === 'running#0')?.latencyMs).toBe(model.instanceRunningMs);
    expect(nodes.find((n) => n.id === 'running#1')?.latencyMs).toBe(42_000);
  });

  it('turns a lag into milliseconds of the model', () => {
    // Prepare
    const g: DependencyGraph = {
      name: 'lag',
      description: '',
      operations: [
        { id: 'create', what: 'create', latency: [], after: [] },
        { id: 'use', what: 'use', latency: [], after: [{ on: 'create', why: 'names the new id', lag: ['consistencyWindowMs'] }] },
      ],
      end: 'use',
    };

    // Act
    const nodes = expandGraph(g, {}, model);

    // Assess
    expect(nodes.find((n) => n.id === 'use')?.after).toEqual([{ node: 'create', lagMs: model.consistencyWindowMs }]);
  });
});

describe('criticalPath', () => {
  it('takes the longer of two parallel chains and names it', () => {
    // Prepare
    const g = graph(
      [
        ['start', [], []],
        ['short', ['instanceRunningMs'], ['start']],
        ['long', ['imageAvailableMs'], ['start']],
        ['end', [], ['short', 'long']],
      ],
      'end'
    );

    // Act
    const cp = boundOf(g, {}, model);

    // Assess
    expect(cp.boundMs).toBe(model.imageAvailableMs);
    expect(cp.path.map((s) => s.node)).toEqual(['start', 'long', 'end']);
    expect(cp.endMs.get('short')).toBe(model.instanceRunningMs);
  });

  it('starts an `any` operation at the first of its dependencies', () => {
    // Prepare
    const nodes = [
      { id: 'fast', operation: 'fast', latencyMs: 10, join: 'all' as const, after: [] },
      { id: 'slow', operation: 'slow', latencyMs: 50, join: 'all' as const, after: [] },
      {
        id: 'first',
        operation: 'first',
        latencyMs: 5,
        join: 'any' as const,
        after: [
          { node: 'slow', lagMs: 0 },
          { node: 'fast', lagMs: 0 },
        ],
      },
    ];

    // Act
    const cp = criticalPath(nodes, 'first');

    // Assess
    expect(cp.boundMs).toBe(15);
    expect(cp.path).toEqual([
      { node: 'fast', startMs: 0, endMs: 10 },
      { node: 'first', startMs: 10, endMs: 15 },
    ]);
  });

  it('adds the lag of an edge between the end of one operation and the start of the next', () => {
    // Prepare
    const nodes = [
      { id: 'a', operation: 'a', latencyMs: 100, join: 'all' as const, after: [] },
      { id: 'b', operation: 'b', latencyMs: 7, join: 'all' as const, after: [{ node: 'a', lagMs: 3 }] },
    ];

    // Act
    const cp = criticalPath(nodes, 'b');

    // Assess
    expect(cp.boundMs).toBe(110);
    expect(cp.path[1]).toEqual({ node: 'b', startMs: 103, endMs: 110 });
  });

  it('throws for an end node that is not in the graph', () => {
    // Act
    const act = () => criticalPath([], 'ready');

    // Assess
    expect(act).toThrow('no node ready in the expanded graph');
  });

  it('describes the chain with the durations of its steps, leaving out instant ones', () => {
    // Prepare
    const g = graph(
      [
        ['start', [], []],
        ['running', ['instanceRunningMs'], ['start']],
        ['end', [], ['running']],
      ],
      'end',
      { running: { each: 'slave' } }
    );
    const nodes = expandGraph(g, { slave: 1 }, mergeLatencyModel({ instanceRunningMs: 15_500 }));

    // Act
    const text = describePath(criticalPath(nodes, 'end'), nodes);

    // Assess
    expect(text).toBe('running 15.5 s → end 0 s');
  });
});
