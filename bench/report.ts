/**
 * The benchmark's report: the results as plain-text tables for the terminal and as
 * Markdown for bench/RESULTS.md and the results section of bench/README.md.
 */
import type { LambdaStartResult } from './lambda-start';
import type { ScenarioResult } from './scenarios';
import type { TargetCheck } from './targets';
import type { TestSuiteResult } from './test-suite';

/** The machine a run happened on. */
export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly node: string;
  readonly platform: string;
  readonly date: string;
}

/** A latency model run: the base model or one of the sweep. */
export interface ModelResults {
  readonly label: string;
  readonly description: string;
  readonly scenarios: ScenarioResult[];
  readonly pending: { id: string; reason: string }[];
}

/** Everything one benchmark run produced (bench/results.json). */
export interface BenchResults {
  readonly version: 1;
  readonly machine: MachineInfo;
  /** `default` or the file given with --latency-model. */
  readonly latencyModel: string;
  readonly base: ModelResults;
  readonly sweep: ModelResults[];
  readonly lambdaStart?: LambdaStartResult;
  readonly testSuite?: TestSuiteResult;
  readonly targets: TargetCheck[];
  readonly realSeconds: number;
}

type Cell = string | number;

/** A table with a header row; renders as aligned text or as Markdown. */
export class Table {
  readonly rows: Cell[][] = [];
  constructor(
    readonly header: readonly string[],
    /** 'r' for a right-aligned (numeric) column. */
    readonly align: readonly ('l' | 'r')[] = []
  ) {}

  add(...cells: Cell[]): this {
    this.rows.push(cells);
    return this;
  }

  text(indent = '  '): string {
    const all = [this.header as Cell[], ...this.rows].map((r) => r.map(String));
    const widths = this.header.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
    const line = (r: string[]) =>
      indent +
      r
        .map((c, i) => (this.align[i] === 'r' ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
        .join('  ')
        .trimEnd();
    return [line(all[0] ?? []), ...all.slice(1).map(line)].join('\n');
  }

  markdown(): string {
    const esc = (c: Cell) => String(c).replace(/\|/g, '\\|');
    return [
      `| ${this.header.map(esc).join(' | ')} |`,
      `| ${this.header.map((_, i) => (this.align[i] === 'r' ? '---:' : '---')).join(' | ')} |`,
      ...this.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
    ].join('\n');
  }
}

const s1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : 'n/a');
const s2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : 'n/a');
const ms = (n: number | undefined) => (n === undefined ? '-' : n.toFixed(0));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)}`;

function statusNote(s: ScenarioResult): string {
  const parts = [s.metrics.status === 'SUCCEEDED' ? '' : `${s.metrics.status}: ${s.metrics.error ?? ''}`, s.note ?? ''];
  return parts.filter((p) => p !== '').join('; ');
}

/** 1 + 2: time against the bound, per scenario. */
export function timeTable(scenarios: readonly ScenarioResult[], kinds: readonly ScenarioResult['kind'][]): Table {
  const table = new Table(['scenario', 'simulated s', 'bound s', 'ratio', 'critical path', 'note'], ['l', 'r', 'r', 'r', 'l', 'l']);
  for (const s of scenarios.filter((x) => kinds.includes(x.kind))) {
    const ok = s.metrics.status === 'SUCCEEDED';
    table.add(s.id, s1(s.metrics.simulatedSeconds), s1(s.boundSeconds), ok ? s2(s.ratio) : '-', ok ? s.criticalPath : '-', statusNote(s));
  }
  return table;
}

/** 3: what each run costs. */
export function costTable(scenarios: readonly ScenarioResult[]): Table {
  const table = new Table(
    ['run', 'state transitions', 'of which retries', 'Lambda invocations', 'history events (est.)', 'largest state (bytes)', 'at'],
    ['l', 'r', 'r', 'r', 'r', 'r', 'l']
  );
  for (const s of scenarios) {
    const m = s.metrics;
    table.add(s.id, m.transitions, m.retries, m.lambdaInvocations, m.historyEvents, m.largestPayloadBytes, m.largestPayloadAt);
  }
  return table;
}

/** 4: per function, sizes and load times (the stack's runtime-SDK bundles). */
export function lambdaTable(start: LambdaStartResult): Table {
  const table = new Table(
    [
      'function',
      'clients constructed',
      'bundle KB',
      'SDK bundled KB',
      'load ms wall',
      'load ms CPU',
      'bare ms CPU',
      'ratio (CPU)',
      'carries unused',
    ],
    ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'l']
  );
  for (const f of start.functions) {
    const load = f.load['runtime-sdk'];
    const bare = f.bareLoad['runtime-sdk'];
    table.add(
      f.id,
      f.clients.join(', ') || '-',
      kb(f.bytes['runtime-sdk']),
      kb(f.bytes['bundled-sdk']),
      ms(load?.wallMs),
      ms(load?.cpuMs),
      ms(bare?.cpuMs),
      load && bare ? s2(load.cpuMs / bare.cpuMs) : '-',
      f.unused.join(', ') || '-'
    );
  }
  return table;
}

/** 4b: runtime SDK against bundled SDK, per client set (bare handlers and the first function of each set). */
export function sdkModeTable(start: LambdaStartResult): Table {
  const table = new Table(
    ['clients', 'bare: runtime SDK ms', 'bare: bundled SDK ms', 'function', 'runtime SDK ms', 'bundled SDK ms', 'bundled KB'],
    ['l', 'r', 'r', 'l', 'r', 'r', 'r']
  );
  for (const [set, bare] of Object.entries(start.bare)) {
    const sample = start.functions.find((f) => (f.clients.join('+') || 'none') === set && f.load['bundled-sdk'] !== undefined);
    table.add(
      set.split('+').join(', '),
      ms(bare.load['runtime-sdk']?.wallMs),
      ms(bare.load['bundled-sdk']?.wallMs),
      sample?.id ?? '-',
      ms(sample?.load['runtime-sdk']?.wallMs),
      ms(sample?.load['bundled-sdk']?.wallMs),
      sample ? kb(sample.bytes['bundled-sdk']) : '-'
    );
  }
  return table;
}

/**
 * The sweep: time against bound for every run under each model. A failed run shows its
 * status; a scenario skipped after a failed run shows no figures, only why.
 */
export function sweepTable(models: readonly ModelResults[]): Table {
  const table = new Table(
    ['latency model', 'scenario', 'simulated s', 'bound s', 'ratio', 'transitions', 'note'],
    ['l', 'l', 'r', 'r', 'r', 'r', 'l']
  );
  for (const m of models) {
    for (const s of m.scenarios) {
      const ok = s.metrics.status === 'SUCCEEDED';
      table.add(
        m.label,
        s.id,
        s1(s.metrics.simulatedSeconds),
        s1(s.boundSeconds),
        ok ? s2(s.ratio) : '-',
        s.metrics.transitions,
        statusNote(s)
      );
    }
    for (const p of m.pending.filter((x) => x.reason.startsWith('skipped'))) table.add(m.label, p.id, '-', '-', '-', '-', p.reason);
  }
  return table;
}

/** The models of the sweep with their descriptions (the uneven ones list their factors). */
export function modelList(models: readonly ModelResults[]): string[] {
  return models.map((m) => `${m.label}: ${m.description}`);
}

export function targetTable(targets: readonly TargetCheck[]): Table {
  const table = new Table(['target', 'verdict', 'measured', 'misses']);
  for (const t of targets) table.add(t.target, t.verdict, t.measured, t.misses.join('; ') || '-');
  return table;
}

/** Published figures of comparable tools (wall clock on AWS), with their sources. */
export const PEERS: readonly { tool: string; figure: string; source: string }[] = [
  {
    tool: 'AWS ParallelCluster 3 (small cluster create)',
    figure: '8 m 59 s → 7 m 59 s after the CloudFormation speed-up',
    source: 'dev.classmethod.jp/articles/accelerating-aws-parallelcluster-cloudformation-stack-creation/ (3rd-party)',
  },
  {
    tool: 'AWS ParallelCluster (plain create)',
    figure: '"around 10 minutes"; head + compute with runtime bake ≈ 40 min',
    source: 'aws/aws-parallelcluster#612, #3322, PR #3812',
  },
  { tool: 'AWS ParallelCluster compute scale-out', figure: 'integration tests wait ≤ 5 min', source: 'aws/aws-parallelcluster PR #6761' },
  {
    tool: 'eksctl create cluster',
    figure: '"can take up to 15 minutes"; EKS control plane ≈ 9 min average',
    source: 'eksctl-io/eksctl#3313; aws/containers-roadmap#1227',
  },
  { tool: 'eksctl delete cluster', figure: 'cluster stack ≈ 3–5 min', source: 'eksctl-io/eksctl#5135, #616' },
  {
    tool: 'spark-ec2 launch (m3.large)',
    figure: '8 m 44 s (1 slave), 37 m 30 s (50), 1 h 06 m (100)',
    source: 'SPARK-5189 via nchammas/flintrock README.md',
  },
  {
    tool: 'Flintrock launch (same setup)',
    figure: '2 m 06 s / 2 m 30 s / 2 m 42 s (1 / 50 / 100 slaves)',
    source: 'nchammas/flintrock README.md',
  },
  {
    tool: 'DC/OS CloudFormation templates',
    figure: 'basic 10–15 min, advanced 15–20 min',
    source: 'mesosphere/dcos-docs-site …/aws/basic/index.md, …/aws/advanced/index.md',
  },
  {
    tool: 'This workflow, research estimate on AWS',
    figure: '≈ 15–25 min typical, 35–45 min p95 (est.)',
    source: 'docs/research/aws-faults-and-timings.md (c), "Your workflow (model)"',
  },
];

export function peersTable(): Table {
  const table = new Table(['tool', 'published figure', 'source']);
  for (const p of PEERS) table.add(p.tool, p.figure, p.source);
  return table;
}

function machineLine(m: MachineInfo): string {
  return `${m.date}: ${m.cpus} × ${m.cpuModel}, Node.js ${m.node}, ${m.platform}`;
}

/** The plain-text report for the terminal. */
export function textReport(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Mesos cluster benchmark on the simulated cloud (latency model: ${r.latencyModel})`);
  out.push(`machine: ${machineLine(r.machine)}`, '');
  out.push('1. Time to ready (simulated seconds) against the critical-path bound');
  out.push(timeTable(r.base.scenarios, ['create']).text(), '');
  out.push('2. Scale-out and teardown against their bounds');
  out.push(timeTable(r.base.scenarios, ['scale-out', 'teardown']).text());
  for (const p of r.base.pending) out.push(`  pending: ${p.id}: ${p.reason}`);
  out.push('', '3. Cost per run');
  out.push(costTable(r.base.scenarios).text(), '');
  if (r.lambdaStart) {
    out.push(`4. Lambda start (median of ${r.lambdaStart.runs} fresh processes; runtime SDK as the stack deploys)`);
    out.push(lambdaTable(r.lambdaStart).text());
    out.push('   runtime SDK vs bundled SDK (wall ms):');
    out.push(sdkModeTable(r.lambdaStart).text(), '');
  }
  out.push('5. Local speed');
  const creates = r.base.scenarios.filter((s) => s.kind === 'create');
  for (const s of creates) out.push(`  ${s.id}: ${s2(s.metrics.realSeconds)} s real`);
  if (r.testSuite) {
    const t = r.testSuite;
    out.push(`  whole test suite: ${s1(t.realSeconds)} s real (${t.suites} suites, ${t.passed}/${t.tests} tests passed)`);
  }
  if (r.sweep.length > 0) {
    out.push('', 'Other latency models (the base model scaled, jittered, uneven per operation, heavy-tailed)');
    for (const line of modelList(r.sweep)) out.push(`  ${line}`);
    out.push(sweepTable(r.sweep).text());
  }
  out.push('', 'Targets');
  out.push(targetTable(r.targets).text());
  out.push('', `benchmark took ${s1(r.realSeconds)} s`);
  return out.join('\n');
}

/** The Markdown report: bench/RESULTS.md and the results section of bench/README.md. */
export function markdownReport(r: BenchResults): string {
  const out: string[] = [];
  out.push(`Run of ${machineLine(r.machine)}; latency model: ${r.latencyModel}; the run took ${s1(r.realSeconds)} s.`, '');
  out.push('**Targets**', '', targetTable(r.targets).markdown(), '');
  out.push(
    '**1. Time to ready** (simulated seconds from start to CREATE_COMPLETE)',
    '',
    timeTable(r.base.scenarios, ['create']).markdown(),
    ''
  );
  out.push('**2. Scale-out and teardown**', '', timeTable(r.base.scenarios, ['scale-out', 'teardown']).markdown(), '');
  for (const p of r.base.pending) out.push(`- pending: ${p.id}: ${p.reason}`);
  if (r.base.pending.length > 0) out.push('');
  out.push(
    '**3. Cost per run** (Standard workflows bill per state transition, retries included; the history limit is 25,000 events; a state may hold 256 KiB)',
    '',
    costTable(r.base.scenarios).markdown(),
    ''
  );
  if (r.lambdaStart) {
    const l = r.lambdaStart;
    out.push(
      `**4. Lambda start** (minified bundles; load = \`require\` of the bundle in a fresh Node.js process, median of ${l.runs}; ` +
        'bare = a handler that only constructs the same SDK clients, measured in the same rounds; the ratio is judged on CPU time)',
      '',
      lambdaTable(l).markdown(),
      '',
      'Runtime SDK (external, as the stack deploys) against the SDK bundled in, wall ms:',
      '',
      sdkModeTable(l).markdown(),
      ''
    );
  }
  out.push('**5. Local speed**', '');
  for (const s of r.base.scenarios.filter((x) => x.kind === 'create')) out.push(`- ${s.id}: ${s2(s.metrics.realSeconds)} s real`);
  if (r.testSuite) {
    const t = r.testSuite;
    out.push(`- whole test suite (\`jest\`): ${s1(t.realSeconds)} s real, ${t.suites} suites, ${t.passed}/${t.tests} tests passed`);
    if (t.failedSuites.length > 0) out.push(`- failed suites: ${t.failedSuites.join(', ')}`);
  }
  out.push('');
  if (r.sweep.length > 0) {
    out.push('**Other latency models** (the base model scaled, jittered, uneven per operation from a seed, heavy-tailed)', '');
    for (const line of modelList(r.sweep)) out.push(`- ${line}`);
    out.push('', sweepTable(r.sweep).markdown(), '');
  }
  out.push('**Peers** (published wall-clock figures on AWS; ours are simulated seconds under the latency model)', '');
  out.push(peersTable().markdown());
  return out.join('\n');
}

/** Replaces the text between `<!-- name:start -->` and `<!-- name:end -->`. */
export function replaceSection(document: string, name: string, content: string): string {
  const start = `<!-- ${name}:start -->`;
  const end = `<!-- ${name}:end -->`;
  const from = document.indexOf(start);
  const to = document.indexOf(end);
  if (from < 0 || to < from) throw new Error(`the document has no section ${name}`);
  return `${document.slice(0, from + start.length)}\n${content}\n${document.slice(to)}`;
}
