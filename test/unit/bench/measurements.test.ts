import { boundOf } from '../../../bench/critical-path';
import { CREATE_FRESH_BAKE, TEARDOWN } from '../../../bench/dependency-graphs';
import { librariesUsed, moduleSections, packageOf } from '../../../bench/lambda-start';
import { scaleModel, sweepVariants } from '../../../bench/latency-variants';
import { realizedCreate, realizedTeardown } from '../../../bench/realized';
import { replaceSection, Table } from '../../../bench/report';
import { historyEventsOf, runMetrics } from '../../../bench/run-metrics';
import type { ScenarioResult } from '../../../bench/scenarios';
import { checkCreatesComplete, checkCreateTransitions, checkReadyRatio, checkScaleSpread, checkUnused } from '../../../bench/targets';
import type { RunEvent, RunResult } from '../../../cli/runner/local-runner';
import { defaultLatencyModel } from '../../../simulator';
import type { CloudState, InstanceRecord } from '../../../simulator/state';

const m = defaultLatencyModel();

function event(type: RunEvent['type'], state: string, stateType: string, extra: Partial<RunEvent> = {}): RunEvent {
  return { type, state, stateType, timestamp: 0, elapsedMs: 0, depth: 0, ...extra };
}

function result(events: RunEvent[]): RunResult {
  return { status: 'SUCCEEDED', events, transitions: 0, startedAt: 1_000, endedAt: 61_000, realMs: 250 };
}

describe('runMetrics', () => {
  it('counts billed transitions, Lambda invocations, history events and the largest state', () => {
    // Prepare
    const big = { ids: ['i-0123456789abcdef0', 'i-0123456789abcdef1'] };
    const events = [
      event('StateEntered', 'Create VPC', 'Task', { stepId: 'create-vpc', input: { a: 1 } }),
      event('StateRetried', 'Create VPC', 'Task', { stepId: 'create-vpc' }),
      event('StateExited', 'Create VPC', 'Task', { stepId: 'create-vpc', output: big }),
      event('StateEntered', 'Wait For NAT', 'Wait'),
      event('StateEntered', 'Build', 'Parallel'),
      event('StateEntered', 'Is It?', 'Choice'),
    ];

    // Act
    const metrics = runMetrics(result(events));

    // Assess
    expect(metrics).toEqual({
      status: 'SUCCEEDED',
      simulatedSeconds: 60,
      realSeconds: 0.25,
      statesEntered: 4,
      retries: 1,
      transitions: 5,
      lambdaInvocations: 2,
      // execution 2 + 4 states × 2 + task 3 + retry 3 + parallel 2
      historyEvents: 18,
      largestPayloadBytes: Buffer.byteLength(JSON.stringify(big)),
      largestPayloadAt: 'Create VPC (output)',
    });
  });

  it('estimates two events for a run that entered nothing', () => {
    // Act
    const events = historyEventsOf([]);

    // Assess
    expect(events).toBe(2);
  });
});

function instance(id: string, role: string, createdAt: number, extra: Partial<InstanceRecord> = {}): InstanceRecord {
  return {
    id,
    createdAt,
    tags: { 'mesos-cluster:id': 'c-1', 'mesos-cluster:role': role },
    launchIndex: 0,
    runningAt: createdAt + 15_000,
    bootedAt: createdAt + 105_000,
    agentRegisterMs: 20_000,
    ...extra,
  } as InstanceRecord;
}

function state(parts: Partial<CloudState>): CloudState {
  return { instances: {}, natGateways: {}, images: {}, commands: {}, ...parts } as CloudState;
}

describe('realized latencies', () => {
  it('reads what a create drew per instance, so a slow draw lengthens only its own chain', () => {
    // Prepare
    const template = instance('i-t', 'template-slave', 1_000);
    const slow = instance('i-s1', 'slave', 600_000, { bootedAt: 600_000 + 15_000 + 200_000, launchIndex: 1 });
    const s = state({
      instances: {
        'i-m': instance('i-m', 'master', 1_000),
        'i-t': template,
        'i-s0': instance('i-s0', 'slave', 600_000),
        'i-s1': slow,
        'i-other': { ...instance('i-other', 'slave', 600_000), tags: { 'mesos-cluster:id': 'c-2', 'mesos-cluster:role': 'slave' } },
      },
      images: { 'ami-1': { sourceInstanceId: 'i-t', createdAt: 250_000, availableAt: 600_000 } as never },
      commands: {
        c1: {
          behaviour: 'configure-slave',
          requestedAt: 110_000,
          invocations: [{ instanceId: 'i-t', inProgressAt: 112_000, endAt: 240_000, outcome: 'Success' }],
        } as never,
      },
    });

    // Act
    const { sizes, realized } = realizedCreate(s, { clusterId: 'c-1', from: 0, to: 1_000_000 });

    // Assess
    expect(sizes).toEqual({ master: 1, template: 1, slave: 2 });
    expect(realized('slave.booted', 1)).toBe(200_000);
    expect(realized('slave.booted', 0)).toBe(m.ssmOnlineMs);
    expect(realized('template.configured', 0)).toBe(130_000);
    expect(realized('image-available', undefined)).toBe(350_000);
    expect(realized('vpc', undefined)).toBeUndefined();
  });

  it('equals the model when nothing was drawn differently', () => {
    // Prepare
    const s = state({
      instances: {
        'i-m': instance('i-m', 'master', 0),
        'i-t': instance('i-t', 'template-slave', 0, { runningAt: m.instanceRunningMs, bootedAt: m.instanceRunningMs + m.ssmOnlineMs }),
      },
    });
    const { realized } = realizedCreate(s, { clusterId: 'c-1', from: 0, to: 10 });

    // Act
    const withRealized = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, m, realized);
    const fromModel = boundOf(CREATE_FRESH_BAKE, { master: 1, template: 1, slave: 3 }, m);

    // Assess
    expect(withRealized.boundMs).toBe(fromModel.boundMs);
  });

  it('reads the termination and NAT deletion a teardown drew', () => {
    // Prepare
    const s = state({
      instances: { 'i-m': instance('i-m', 'master', 0, { terminateRequestedAt: 5_000, terminatedAt: 50_000 }) },
      natGateways: { n: { tags: { 'mesos-cluster:id': 'c-1' }, deleteRequestedAt: 5_000, deletedAt: 30_000 } as never },
    });

    // Act
    const { sizes, realized } = realizedTeardown(s, { clusterId: 'c-1', from: 1_000, to: 100_000 });
    const cp = boundOf(TEARDOWN, sizes, m, realized);

    // Assess
    expect(sizes).toEqual({ node: 1 });
    expect(cp.boundMs).toBe(45_000);
  });
});

function scenario(id: string, kind: ScenarioResult['kind'], ratio: number, extra: Partial<ScenarioResult['metrics']> = {}): ScenarioResult {
  return {
    id,
    kind,
    graph: 'g',
    sizes: {},
    boundSeconds: 100,
    ratio,
    criticalPath: '',
    metrics: {
      status: 'SUCCEEDED',
      simulatedSeconds: 100 * ratio,
      realSeconds: 1,
      statesEntered: 100,
      retries: 0,
      transitions: 100,
      lambdaInvocations: 40,
      historyEvents: 300,
      largestPayloadBytes: 1000,
      largestPayloadAt: 'x',
      ...extra,
    },
  };
}

describe('targets', () => {
  it('names every create, scale-out and teardown over 1.10 × its bound, under every model', () => {
    // Prepare
    const runs = [
      { label: 'base', scenarios: [scenario('create a', 'create', 1.02), scenario('teardown', 'teardown', 3)], pending: [] },
      { label: '× 0.5', scenarios: [scenario('create a', 'create', 1.6), scenario('scale-out +1', 'scale-out', 1.05)], pending: [] },
    ];

    // Act
    const check = checkReadyRatio(runs);

    // Assess
    expect(check.verdict).toBe('not met');
    expect(check.misses).toEqual(['base: teardown × 3.00', '× 0.5: create a × 1.60']);
    expect(check.measured).toBe('4 runs under 2 models, worst × 3.00 (create worst × 1.60, scale-out worst × 1.05, teardown worst × 3.00)');
  });

  it('counts a failed run and the scenarios skipped after it as misses', () => {
    // Prepare
    const failed = scenario('create a', 'create', 1, { status: 'FAILED', cause: 'CHECK_COMMAND_FAILED: master setup not finished' });
    const runs = [{ label: 'heavy', scenarios: [failed], pending: [{ id: 'teardown a', reason: 'skipped: create a ended FAILED' }] }];

    // Act
    const ratio = checkReadyRatio(runs);
    const complete = checkCreatesComplete(runs);

    // Assess
    expect(ratio.verdict).toBe('not met');
    expect(ratio.misses).toEqual(['heavy: create a FAILED', 'heavy: teardown a skipped']);
    expect(complete).toMatchObject({ verdict: 'not met', measured: '0 of 1 creates completed' });
    expect(complete.misses).toEqual(['heavy: create a FAILED: CHECK_COMMAND_FAILED: master setup not finished']);
  });

  it('is pending on scale-out while the scale machine is missing', () => {
    // Act
    const check = checkScaleSpread({ label: 'base', scenarios: [], pending: [{ id: 'scale-out', reason: 'no machine' }] });

    // Assess
    expect(check.verdict).toBe('pending');
    expect(check.misses).toEqual(['scale-out: no machine']);
  });

  it('compares scale-out +50 with +1', () => {
    // Prepare
    const one = scenario('scale-out +1', 'scale-out', 1, { simulatedSeconds: 130 });
    const fifty = scenario('scale-out +50', 'scale-out', 1, { simulatedSeconds: 150 });

    // Act
    const check = checkScaleSpread({ label: 'base', scenarios: [one, fifty], pending: [] });

    // Assess
    expect(check.verdict).toBe('not met');
    expect(check.measured).toBe('+1 130.0 s, +50 150.0 s (+15.4 %)');
  });

  it('judges the transitions of the 1+3 fresh-bake create', () => {
    // Act
    const check = checkCreateTransitions([
      { label: 'base', scenarios: [scenario('create 1+3 fresh bake', 'create', 1, { transitions: 140 })], pending: [] },
      { label: '× 2', scenarios: [scenario('create 1+3 fresh bake', 'create', 1, { transitions: 151 })], pending: [] },
    ]);

    // Assess
    expect(check.verdict).toBe('not met');
    expect(check.measured).toBe('140–151 transitions under 2 models (base 140)');
    expect(check.misses).toEqual(['× 2: 151']);
  });

  it('lists the bundles that carry what their code does not use, by package and module', () => {
    // Prepare
    const fn = (id: string, unused: string[]) => ({
      id,
      clients: [],
      clientsLoaded: [],
      clientsUsed: [],
      libraries: [],
      unused,
      unusedVia: {},
      bytes: { 'runtime-sdk': 1, 'bundled-sdk': 1 },
      load: {},
      bareLoad: {},
    });

    // Act
    const check = checkUnused({
      functions: [fn('a', []), fn('b', ['client-ssm', 'zod']), fn('c', ['client-ssm'])],
      runs: 1,
      measuredModes: [],
      bare: {},
      realSeconds: 1,
    });

    // Assess
    expect(check.verdict).toBe('not met');
    expect(check.measured).toBe('1 of 3 bundles carry only what they use');
    expect(check.misses).toEqual(['client-ssm via ?: b, c', 'zod via ?: b']);
  });
});

describe('bundle inspection helpers', () => {
  it('names the package of a module path', () => {
    // Act
    const names = [
      'node_modules/@aws-lambda-powertools/logger/lib/esm/Logger.js',
      'node_modules/zod/v4/core/core.js',
      'functions/shared/step.ts',
    ].map(packageOf);

    // Assess
    expect(names).toEqual(['@aws-lambda-powertools/logger', 'zod', undefined]);
  });

  it('splits an esbuild output into its modules', () => {
    // Prepare
    const text = [
      '// functions/shared/errors.ts',
      'var a = 1;',
      '// @__NO_SIDE_EFFECTS__',
      '// node_modules/zod/v4/core/core.js',
      'var b;',
    ].join('\n');

    // Act
    const sections = moduleSections(text);

    // Assess
    expect(sections).toEqual([
      { path: 'functions/shared/errors.ts', code: 'var a = 1;\n// @__NO_SIDE_EFFECTS__' },
      { path: 'node_modules/zod/v4/core/core.js', code: 'var b;' },
    ]);
  });

  it('counts zod as used only when project code parses with a schema, not JSON.parse', () => {
    // Act
    const jsonOnly = librariesUsed('const x = JSON.parse(s); logger.info("done")', ['zod', '@aws-lambda-powertools/logger']);
    const schema = librariesUsed('const r = clusterSpecSchema.safeParse(input);', ['zod']);

    // Assess
    expect(jsonOnly).toEqual(['@aws-lambda-powertools/logger']);
    expect(schema).toEqual(['zod']);
  });
});

describe('latency variants', () => {
  it('scales the durations but keeps the consistency window and switches', () => {
    // Act
    const half = scaleModel(m, 0.5);

    // Assess
    expect(half.imageAvailableMs).toBe(m.imageAvailableMs / 2);
    expect(half.commandDurationsMs['configure-master']).toBe(m.commandDurationsMs['configure-master'] / 2);
    expect(half.consistencyWindowMs).toBe(m.consistencyWindowMs);
    expect(half.throttling).toBe(m.throttling);
  });

  it('sweeps faster, slower and noisy clouds first', () => {
    // Act
    const variants = sweepVariants(m);

    // Assess
    expect(variants.slice(0, 5).map((v) => v.label)).toEqual(['× 0.5', '× 0.8', '× 1.25', '× 2', 'jitter 0.3']);
    expect(variants[4]?.model.jitter).toBe(0.3);
  });

  it('refuses a factor that is not positive', () => {
    // Act
    const act = () => scaleModel(m, 0);

    // Assess
    expect(act).toThrow('scale factor must be positive, got 0');
  });
});

describe('report helpers', () => {
  it('renders a table as Markdown with right-aligned numbers and escaped pipes', () => {
    // Prepare
    const table = new Table(['name', 'n'], ['l', 'r']).add('a|b', 3);

    // Act
    const md = table.markdown();

    // Assess
    expect(md).toBe('| name | n |\n| --- | ---: |\n| a\\|b | 3 |');
  });

  it('replaces a marked section and keeps the rest', () => {
    // Prepare
    const doc = 'head\n<!-- results:start -->\nold\n<!-- results:end -->\ntail';

    // Act
    const out = replaceSection(doc, 'results', 'new');

    // Assess
    expect(out).toBe('head\n<!-- results:start -->\nnew\n<!-- results:end -->\ntail');
  });

  it('throws when the section is missing', () => {
    // Act
    const act = () => replaceSection('no markers', 'results', 'x');

    // Assess
    expect(act).toThrow('the document has no section results');
  });
});
