/**
 * The scaling commands of the CLI:
 *
 * - `scale NAME --slaves N`: runs the scale machine in-process (the simulated cloud, or
 *   `--local`) with live progress, as the API's POST /clusters/{id}/scale would start it
 *   (`source: 'api'`); through the deployed API when one is known (remote mode).
 * - `simulator load NAME --percent P`: sets the load that the cluster's leading master
 *   reports to CloudWatch on the simulated cloud.
 * - `simulator advance --minutes M`: moves the simulated clock and, as the stack's
 *   EventBridge rules would, runs the scale machine for every scaling alarm that enters
 *   ALARM meanwhile (cli/alarm-events.ts).
 *
 * Exit codes as everywhere: 0 success (a scale with nothing to do included), 1 the workflow
 * failed, 2 bad input or refused (a target past the cluster's bounds, a cluster that is not
 * CREATE_COMPLETE or is being scaled).
 */
import type { PlanScaleOutput } from '../functions/shared/contracts';
import { type AlarmScale, advanceWithAlarms } from './alarm-events';
import { type CloudSession, withCloud } from './cloud';
import {
  awsOf,
  type CommonFlags,
  type Context,
  clusterNameOf,
  EXIT,
  faultsOf,
  modeOf,
  type OutputFormat,
  outputOf,
  printCluster,
  progressOf,
  resolveCluster,
  UsageError,
} from './commands';
import type { ClusterRecord, ExecutionRecord } from './journal';
import { NumberFlagError, parseDecimal, parseWholeNumber } from './numbers';
import { clockOf } from './progress';
import { type RemoteFlags, remoteContextOf } from './remote/dispatch';
import { remoteScale } from './remote/remote-commands';
import { type Failure, failureOf } from './run-outcome';
import { type AslMachine, type RunEvent, type RunResult, runMachine } from './runner/local-runner';
import { secondsText } from './view';

/** The state machine's name in the exported ASL and in execution ARNs. */
const MACHINE = 'scale-cluster';
/** The Fail state error of a refused scale (workflow/scale-cluster.ts SCALE_REFUSED_ERROR). */
const REFUSED = 'SCALE_REFUSED';

/** How a scale run ended, for people and for `--output json`. */
export interface ScaleOutcome {
  /**
   * SCALED: at least one round changed the slave count; UNCHANGED: nothing to do (at the
   * target or a bound, cooldown, alarm no longer firing); SKIPPED: an alarm scale that found
   * another scale running; REFUSED; FAILED; STOPPED.
   */
  readonly status: 'SCALED' | 'UNCHANGED' | 'SKIPPED' | 'REFUSED' | 'FAILED' | 'STOPPED';
  /** The last plan (absent when Plan Scale itself failed or refused). */
  readonly plan?: PlanScaleOutput;
  /** The slave count each recorded round scaled to, in order. */
  readonly scaledTo: number[];
  readonly failure?: Failure;
}

function planOf(event: RunEvent): PlanScaleOutput | undefined {
  return (event.output as { scale?: { plan?: PlanScaleOutput } } | null)?.scale?.plan;
}

/** Reads a finished scale run: its last plan, the rounds it recorded, and how it ended. */
export function scaleOutcome(result: RunResult): ScaleOutcome {
  const exits = result.events.filter((e) => e.type === 'StateExited');
  const plan = exits
    .filter((e) => e.state === 'Plan Scale')
    .map(planOf)
    .filter((p): p is PlanScaleOutput => p !== undefined)
    .at(-1);
  const scaledTo = exits
    .filter((e) => e.state === 'Record Scale')
    .map((e) => planOf(e)?.target)
    .filter((t): t is number => typeof t === 'number');
  const base = { ...(plan ? { plan } : {}), scaledTo };
  if (result.status === 'FAILED') {
    if (result.aborted) return { ...base, status: 'STOPPED', failure: failureOf(result, 'scale') };
    if (result.error === REFUSED)
      return { ...base, status: 'REFUSED', failure: { failureCode: REFUSED, failureReason: result.cause ?? 'refused' } };
    return { ...base, status: 'FAILED', failure: failureOf(result, 'scale') };
  }
  const last = result.events.filter((e) => e.type === 'StateEntered').at(-1)?.state;
  if (last === 'Scale Skipped') {
    const refusal = result.output as { refusal?: { reason?: { errorMessage?: string } } } | undefined;
    const reason = refusal?.refusal?.reason?.errorMessage ?? 'another scale is running';
    return { ...base, status: 'SKIPPED', failure: { failureCode: 'SCALE_SKIPPED', failureReason: reason } };
  }
  return { ...base, status: scaledTo.length > 0 ? 'SCALED' : 'UNCHANGED' };
}

function loadAsl(): AslMachine {
  // Loaded on demand: the workflow module pulls in aws-cdk-lib, which --help does not need.
  const { exportAsl } = require('../workflow/export') as typeof import('../workflow/export');
  return exportAsl(MACHINE) as unknown as AslMachine;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

/** A new execution name in the API's pattern: `scale-<clusterId>-<time in base 36>`. */
function executionNameFor(record: ClusterRecord | undefined, clusterId: string): string {
  const base = `scale-${clusterId}-${Date.now().toString(36)}`;
  const taken = new Set(record?.executions.map((e) => e.name));
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}${i}`;
  return name;
}

/**
 * Runs one scale execution in the session and records it in the cluster's journal record
 * (when there is one): the execution, and the new slave count after a successful scale.
 */
async function runScaleExecution(
  ctx: Context,
  session: CloudSession,
  clusterId: string,
  input: object,
  executionName: string,
  onEvent?: (event: RunEvent) => void
): Promise<{ result: RunResult; outcome: ScaleOutcome; execution: ExecutionRecord }> {
  const record = session.journal.byId(clusterId);
  const execution: ExecutionRecord = {
    kind: 'scale',
    name: executionName,
    status: 'RUNNING',
    startedAt: new Date(Date.now()).toISOString(),
    pid: process.pid,
  };
  if (record) {
    record.executions.push(execution);
    record.updatedAt = execution.startedAt;
    session.journal.put(record);
  }
  const result = await runMachine({
    asl: loadAsl(),
    machineName: MACHINE,
    input,
    executionName,
    clients: session.clients,
    taskTokens: session.taskTokens,
    onEvent: (event) => {
      onEvent?.(event);
      if (event.type === 'StateExited' || event.type === 'StateFailed') session.checkpoint();
    },
    clock: session.runClock(),
    signal: ctx.signal,
  });
  const outcome = scaleOutcome(result);
  execution.status = result.status;
  execution.pid = undefined;
  execution.endedAt = new Date(result.endedAt).toISOString();
  execution.stateTransitions = result.transitions;
  execution.realSeconds = round(result.realMs / 1000);
  if (session.mode === 'simulate') execution.simulatedSeconds = round((result.endedAt - result.startedAt) / 1000);
  if (outcome.failure && outcome.status !== 'SKIPPED') {
    execution.failureCode = outcome.failure.failureCode;
    execution.failureReason = outcome.failure.failureReason;
  }
  // Re-read: a concurrent run of the same session may have written the record meanwhile.
  const current = session.journal.byId(clusterId);
  if (current) {
    const scaled = outcome.scaledTo.at(-1);
    if (scaled !== undefined) current.slaves = scaled;
    current.updatedAt = execution.endedAt;
    session.journal.put(current);
  }
  return { result, outcome, execution };
}

function line(write: (text: string) => void, text = ''): void {
  write(`${text}\n`);
}

function printScaleSummary(ctx: Context, outcome: ScaleOutcome, execution: ExecutionRecord): void {
  const err = (text: string) => line(ctx.io.stderr, text);
  err('');
  err(`result       ${outcome.status}${outcome.scaledTo.length > 0 ? ` (${outcome.scaledTo.join(' → ')} slaves)` : ''}`);
  if (outcome.plan) err(`plan         ${outcome.plan.reason}`);
  if (outcome.failure)
    err(`${outcome.status === 'SKIPPED' ? 'skipped ' : 'failure '}     ${outcome.failure.failureCode}: ${outcome.failure.failureReason}`);
  const duration =
    execution.simulatedSeconds !== undefined
      ? `${secondsText(execution.simulatedSeconds)} simulated (${execution.realSeconds ?? 0} s real)`
      : `${execution.realSeconds ?? 0} s`;
  err(`duration     ${duration}`);
  err(`transitions  ${execution.stateTransitions ?? 0}`);
}

/** Runs a number parser; its NumberFlagError becomes a UsageError (exit 2). */
function numberFlag(parse: () => number): number {
  try {
    return parse();
  } catch (err) {
    if (err instanceof NumberFlagError) throw new UsageError(err.message);
    throw err;
  }
}

/** The --slaves value: a whole number (the cluster's bounds are the scale machine's to check). */
export function slavesOf(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--slaves: is required');
  return numberFlag(() => parseWholeNumber('--slaves', value));
}

export interface ScaleFlags extends CommonFlags, RemoteFlags {
  readonly slaves?: string;
  readonly fault?: string[];
}

/** `scale NAME --slaves N`: through the API when one is known, else in-process with live progress. */
export async function scaleCommand(ctx: Context, name: string, flags: ScaleFlags): Promise<number> {
  const slaves = slavesOf(flags.slaves);
  const rc = remoteContextOf(ctx, flags);
  if (rc) {
    if ((flags.fault ?? []).length > 0) throw new UsageError('--fault: faults can only be injected into the simulated cloud');
    return remoteScale(rc, name, slaves);
  }
  const mode = modeOf(flags);
  const output = outputOf(flags);
  const faults = faultsOf(flags.fault);
  if (faults.length > 0 && mode === 'local') throw new UsageError('--fault: faults can only be injected into the simulated cloud');
  const seed = `scale:${name}:${slaves}`;
  const warn = (text: string) => line(ctx.io.stderr, text);
  const cluster = clusterNameOf(ctx.home, mode, name);
  return withCloud(
    { home: ctx.home, mode, aws: awsOf(flags, mode), latencyModel: flags.latencyModel, faults, seed, warn, cluster },
    async (session) => {
      const { id, record } = await resolveCluster(session, name);
      const executionName = executionNameFor(record, id);
      const input = { clusterId: id, ...(record ? { clusterName: record.name } : {}), targetSlaves: slaves, source: 'api' };
      const progress = { onEvent: progressOf(ctx) };
      if (output === 'text') line(ctx.io.stderr, `scaling cluster ${id} to ${slaves} slaves (${mode}): ${executionName}`);
      const { outcome, execution } = await runScaleExecution(
        ctx,
        session,
        id,
        input,
        executionName,
        output === 'text' ? progress.onEvent : undefined
      );
      if (outcome.status === 'REFUSED') {
        if (output === 'text') printScaleSummary(ctx, outcome, execution);
        line(ctx.io.stderr, `error: ${outcome.failure?.failureReason ?? 'scale refused'}`);
        return EXIT.usage;
      }
      if (output === 'text') printScaleSummary(ctx, outcome, execution);
      await printCluster(ctx, session, session.journal.byId(id), id, output);
      return outcome.status === 'FAILED' || outcome.status === 'STOPPED' ? EXIT.failed : EXIT.ok;
    }
  );
}

export interface LoadFlags {
  readonly percent?: string;
  readonly relativeToSlaves?: string;
  readonly latencyModel?: string;
  readonly output?: string;
}

function percentOf(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--percent: is required');
  return numberFlag(() => parseDecimal('--percent', value, { min: 0, max: 100 }));
}

/** `simulator load NAME --percent P [--relative-to-slaves N]`: the load the cluster's leading master reports from now on. */
export async function loadCommand(ctx: Context, name: string, flags: LoadFlags): Promise<number> {
  const output = outputOf(flags);
  const percent = percentOf(flags.percent);
  let relativeToSlaves: number | undefined;
  if (flags.relativeToSlaves !== undefined) {
    const given = flags.relativeToSlaves;
    relativeToSlaves = numberFlag(() => parseWholeNumber('--relative-to-slaves', given, { min: 1 }));
  }
  return withCloud({ home: ctx.home, mode: 'simulate', latencyModel: flags.latencyModel, seed: `load:${name}` }, async (session) => {
    const { id } = await resolveCluster(session, name);
    const cloud = session.simulator;
    if (!cloud) throw new UsageError('simulator load works on the simulated cloud only');
    cloud.setLoad(id, percent, relativeToSlaves === undefined ? {} : { relativeToSlaves });
    const at = new Date(Date.now()).toISOString();
    const allocation = cloud.allocationPercent(id) ?? null;
    if (output === 'json') {
      line(
        ctx.io.stdout,
        JSON.stringify({ clusterId: id, percent, relativeToSlaves: relativeToSlaves ?? null, allocationPercent: allocation, at }, null, 2)
      );
    } else {
      const relative = relativeToSlaves === undefined ? '' : ` at ${relativeToSlaves} slaves (falls as slaves are added)`;
      const now = allocation === null ? 'no master runs, nothing is published' : `the master reports ${round(allocation)} % now`;
      line(ctx.io.stdout, `load of cluster ${id} set to ${percent} %${relative} from ${at}; ${now}`);
    }
    return EXIT.ok;
  });
}

export interface AdvanceFlags {
  readonly minutes?: string;
  readonly latencyModel?: string;
  readonly output?: string;
}

/** The longest advance: one day of simulated time. */
const MAX_ADVANCE_MINUTES = 24 * 60;

function minutesOf(value: string | undefined): number {
  if (value === undefined) throw new UsageError('--minutes: is required');
  return numberFlag(() => parseDecimal('--minutes', value, { min: 0, aboveMin: true, max: MAX_ADVANCE_MINUTES }));
}

/**
 * `simulator advance --minutes M`: moves the simulated clock by M minutes; every scaling
 * alarm that enters ALARM meanwhile starts the scale machine, as the stack's EventBridge
 * rules do. Waits for the scales it started.
 */
export async function advanceCommand(ctx: Context, flags: AdvanceFlags): Promise<number> {
  const output: OutputFormat = outputOf(flags);
  const minutes = minutesOf(flags.minutes);
  return withCloud({ home: ctx.home, mode: 'simulate', latencyModel: flags.latencyModel, seed: `advance:${minutes}` }, async (session) => {
    const cloud = session.simulator;
    if (!cloud) throw new UsageError('simulator advance works on the simulated cloud only');
    const start = Date.now();
    const say = (text: string) => {
      if (output === 'text') line(ctx.io.stderr, `${clockOf(Date.now() - start)} ${text}`);
    };
    say(`advancing the simulated clock by ${minutes} min from ${new Date(start).toISOString()}`);
    const scales: AlarmScale[] = await advanceWithAlarms({
      cloud,
      durationMs: minutes * 60_000,
      runScale: async (input, executionName, clusterId) => (await runScaleExecution(ctx, session, clusterId, input, executionName)).result,
      onStart: (change, executionName) => say(`${change.alarmName} → ALARM: starting ${executionName}`),
      onEnd: (scale) => {
        const outcome = scaleOutcome(scale.result);
        const scaled = outcome.scaledTo.length > 0 ? ` (${outcome.scaledTo.join(' → ')} slaves)` : '';
        const why = outcome.failure ? `${outcome.failure.failureCode}: ${outcome.failure.failureReason}` : (outcome.plan?.reason ?? '');
        say(`${scale.executionName}: ${outcome.status}${scaled}${why ? ` - ${why}` : ''}`);
      },
    });
    const rows = scales.map((scale) => {
      const outcome = scaleOutcome(scale.result);
      return {
        alarmName: scale.change.alarmName,
        alarmAt: new Date(scale.change.at).toISOString(),
        clusterId: scale.clusterId,
        execution: scale.executionName,
        status: outcome.status,
        scaledTo: outcome.scaledTo,
        reason: outcome.failure?.failureReason ?? outcome.plan?.reason ?? null,
      };
    });
    if (output === 'json') {
      line(
        ctx.io.stdout,
        JSON.stringify({ from: new Date(start).toISOString(), to: new Date(Date.now()).toISOString(), scales: rows }, null, 2)
      );
    } else {
      line(
        ctx.io.stdout,
        `simulated clock now ${new Date(Date.now()).toISOString()}; ${rows.length} alarm scale${rows.length === 1 ? '' : 's'}`
      );
      for (const row of rows) {
        const scaled = row.scaledTo.length > 0 ? ` ${row.scaledTo.join(' → ')} slaves` : '';
        line(ctx.io.stdout, `${row.execution}  ${row.status}${scaled}  ${row.reason ?? ''}`.trimEnd());
      }
    }
    return rows.some((r) => r.status === 'FAILED') ? EXIT.failed : EXIT.ok;
  });
}
