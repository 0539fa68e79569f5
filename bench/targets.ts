/**
 * The issue's targets, judged on a benchmark run. Each check says what was measured and,
 * when a target is not met, which rows miss it.
 */
import type { LambdaStartResult } from './lambda-start';
import type { ScenarioResult } from './scenarios';

/** Time to ready ≤ this × the critical-path bound. */
export const READY_RATIO_TARGET = 1.1;
/** Scale-out of +50 within this fraction of +1. */
export const SCALE_SPREAD_TARGET = 0.1;
/** State transitions of a 1 + 3 create with a fresh bake. */
export const CREATE_TRANSITIONS_TARGET = 150;
/** A function's load time ≤ this × that of the bare handler with the same clients. */
export const LOAD_RATIO_TARGET = 1.25;
/** Real seconds of one simulated create. */
export const CREATE_REAL_SECONDS_TARGET = 5;

export type Verdict = 'met' | 'not met' | 'pending';

export interface TargetCheck {
  readonly target: string;
  readonly verdict: Verdict;
  /** What was measured, in short. */
  readonly measured: string;
  /** The rows that miss the target, or why it is pending. */
  readonly misses: string[];
}

/** A set of scenario results under one latency model. */
export interface ModelRun {
  readonly label: string;
  readonly scenarios: readonly ScenarioResult[];
  readonly pending: readonly { readonly id: string; readonly reason: string }[];
}

function fixed(n: number, digits = 2): string {
  return Number.isFinite(n) ? n.toFixed(digits) : 'n/a';
}

/**
 * Time ≤ 1.10 × bound, for every create, scale-out and teardown under every model run. A
 * run that failed, or a scenario skipped because the run before it failed, misses.
 */
export function checkReadyRatio(runs: readonly ModelRun[]): TargetCheck {
  const all = runs.flatMap((run) => run.scenarios.map((s) => ({ run: run.label, s })));
  const misses = all
    .filter(({ s }) => s.metrics.status !== 'SUCCEEDED' || !(s.ratio <= READY_RATIO_TARGET))
    .map(({ run, s }) => `${run}: ${s.id} ${s.metrics.status === 'SUCCEEDED' ? `× ${fixed(s.ratio)}` : s.metrics.status}`);
  const skipped = runs.flatMap((run) =>
    run.pending.filter((p) => p.reason.startsWith('skipped')).map((p) => `${run.label}: ${p.id} skipped`)
  );
  const ok = all.filter(({ s }) => s.metrics.status === 'SUCCEEDED');
  const worst = Math.max(...ok.map(({ s }) => s.ratio));
  const byKind = (kind: ScenarioResult['kind']) => {
    const rows = ok.filter(({ s }) => s.kind === kind);
    return rows.length === 0 ? `${kind} -` : `${kind} worst × ${fixed(Math.max(...rows.map(({ s }) => s.ratio)))}`;
  };
  return {
    target: `time ≤ ${READY_RATIO_TARGET} × critical-path bound (every create, scale-out and teardown, every model)`,
    verdict: misses.length === 0 && skipped.length === 0 && all.length > 0 ? 'met' : 'not met',
    measured: `${all.length} runs under ${runs.length} models, worst × ${fixed(worst)} (${byKind('create')}, ${byKind('scale-out')}, ${byKind('teardown')})`,
    misses: [...misses, ...skipped],
  };
}

/** Every create of every model completes (the heavy-tailed model included). */
export function checkCreatesComplete(runs: readonly ModelRun[]): TargetCheck {
  const creates = runs.flatMap((run) => run.scenarios.filter((s) => s.kind === 'create').map((s) => ({ run: run.label, s })));
  const failed = creates.filter(({ s }) => s.metrics.status !== 'SUCCEEDED');
  return {
    target: 'every create completes under every model (heavy tail × 2 included)',
    verdict: failed.length === 0 && creates.length > 0 ? 'met' : 'not met',
    measured: `${creates.length - failed.length} of ${creates.length} creates completed`,
    misses: failed.map(({ run, s }) => `${run}: ${s.id} ${s.metrics.status}: ${s.metrics.cause ?? s.metrics.error ?? ''}`),
  };
}

/** Scale-out +50 within 10 % of +1 (base model). */
export function checkScaleSpread(base: ModelRun): TargetCheck {
  const one = base.scenarios.find((s) => s.id === 'scale-out +1');
  const fifty = base.scenarios.find((s) => s.id === 'scale-out +50');
  if (!one || !fifty) {
    return {
      target: `scale-out +50 within ${SCALE_SPREAD_TARGET * 100} % of +1`,
      verdict: 'pending',
      measured: '-',
      misses: base.pending.map((p) => `${p.id}: ${p.reason}`),
    };
  }
  const spread = fifty.metrics.simulatedSeconds / one.metrics.simulatedSeconds - 1;
  const ok = one.metrics.status === 'SUCCEEDED' && fifty.metrics.status === 'SUCCEEDED' && spread <= SCALE_SPREAD_TARGET;
  return {
    target: `scale-out +50 within ${SCALE_SPREAD_TARGET * 100} % of +1`,
    verdict: ok ? 'met' : 'not met',
    measured: `+1 ${fixed(one.metrics.simulatedSeconds, 1)} s, +50 ${fixed(fifty.metrics.simulatedSeconds, 1)} s (${spread >= 0 ? '+' : ''}${fixed(spread * 100, 1)} %)`,
    misses: ok ? [] : [`+50 is ${fixed(spread * 100, 1)} % slower than +1`],
  };
}

/** ≤ 150 state transitions for a 1 + 3 create with a fresh bake, under every model run. */
export function checkCreateTransitions(runs: readonly ModelRun[]): TargetCheck {
  const rows = runs.map((run) => ({ run: run.label, create: run.scenarios.find((s) => s.id === 'create 1+3 fresh bake') }));
  const counts = rows.map((r) => r.create?.metrics.transitions ?? Number.NaN);
  const misses = rows
    .filter((r) => !((r.create?.metrics.transitions ?? Number.NaN) <= CREATE_TRANSITIONS_TARGET))
    .map((r) => `${r.run}: ${r.create ? r.create.metrics.transitions : 'no run'}`);
  return {
    target: `≤ ${CREATE_TRANSITIONS_TARGET} state transitions for a 1+3 create with a fresh bake (every model)`,
    verdict: misses.length === 0 && rows.length > 0 ? 'met' : 'not met',
    measured: `${Math.min(...counts)}–${Math.max(...counts)} transitions under ${rows.length} models (base ${counts[0]})`,
    misses,
  };
}

/** Every function loads within 1.25 × its bare handler (the stack's runtime-SDK bundles, CPU time). */
export function checkLoadRatio(start: LambdaStartResult | undefined): TargetCheck {
  const target = `every function loads within ${LOAD_RATIO_TARGET} × a bare handler with the same clients`;
  if (!start) return { target, verdict: 'pending', measured: 'not measured (--no-lambda)', misses: [] };
  const rows = start.functions.flatMap((f) => {
    const load = f.load['runtime-sdk'];
    const bare = f.bareLoad['runtime-sdk'];
    return load && bare ? [{ id: f.id, ratio: load.cpuMs / bare.cpuMs }] : [];
  });
  const misses = rows.filter((r) => !(r.ratio <= LOAD_RATIO_TARGET)).map((r) => `${r.id} × ${fixed(r.ratio)}`);
  const worst = Math.max(...rows.map((r) => r.ratio));
  return {
    target,
    verdict: misses.length === 0 ? 'met' : 'not met',
    measured: `${rows.length} functions, CPU-time median of ${start.runs}, worst × ${fixed(worst)}`,
    misses,
  };
}

/** No bundle carries a client or library its code does not use. */
export function checkUnused(start: LambdaStartResult | undefined): TargetCheck {
  const target = 'no bundle carries a client or library its step does not use';
  if (!start) return { target, verdict: 'pending', measured: 'not measured (--no-lambda)', misses: [] };
  // Grouped by the package and the modules that drag it in: one fix each.
  const groups = new Map<string, string[]>();
  for (const f of start.functions) {
    for (const pkg of f.unused) {
      const key = `${pkg} via ${(f.unusedVia[pkg] ?? []).join(', ') || '?'}`;
      groups.set(key, [...(groups.get(key) ?? []), f.id]);
    }
  }
  const misses = [...groups].map(([key, ids]) => `${key}: ${ids.join(', ')}`);
  const carrying = start.functions.filter((f) => f.unused.length > 0).length;
  return {
    target,
    verdict: misses.length === 0 ? 'met' : 'not met',
    measured: `${start.functions.length - carrying} of ${start.functions.length} bundles carry only what they use`,
    misses,
  };
}

/** A simulated create in ≤ 5 s of real time (every create of the base model). */
export function checkCreateRealTime(base: ModelRun): TargetCheck {
  const creates = base.scenarios.filter((s) => s.kind === 'create');
  const worst = Math.max(...creates.map((s) => s.metrics.realSeconds));
  const misses = creates
    .filter((s) => s.metrics.realSeconds > CREATE_REAL_SECONDS_TARGET)
    .map((s) => `${s.id}: ${fixed(s.metrics.realSeconds)} s`);
  return {
    target: `a simulated create in ≤ ${CREATE_REAL_SECONDS_TARGET} s of real time`,
    verdict: misses.length === 0 && creates.length > 0 ? 'met' : 'not met',
    measured: `slowest create ${fixed(worst)} s`,
    misses,
  };
}
