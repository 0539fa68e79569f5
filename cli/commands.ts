/**
 * The CLI commands: create, get, list, delete, simulator inventory|reset, demo. Each
 * returns its exit code: 0 success, 1 the workflow failed, 2 bad input or refused.
 */
import { rmSync } from 'node:fs';
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { createStart, isClusterId, nameOfClusterId } from '../functions/shared/cluster-id';
import { type ClusterSpec, parseClusterSpec } from '../functions/shared/cluster-spec';
import { describeCluster, findClusterIdsByName } from '../functions/shared/describe-cluster';
import { findAlarms } from '../functions/shared/discovery-alarms';
import { ERROR_NAMES } from '../functions/shared/errors';
import { invokeStep } from '../functions/shared/step';
import { TAG_ID, TAG_NAME, TAG_ROLE, TAG_STATUS, tagValue } from '../functions/shared/tags';
import { validateSpecStep } from '../functions/validate-spec/validate-spec';
import type { InventoryItem } from '../simulator';
import { type AwsSettings, type CloudSession, homeFiles, type Mode, withCloud } from './cloud';
import { configText } from './config-file';
import { type CreatePlan, planCreate, planText } from './dry-run';
import { type FaultArg, FaultSyntaxError, parseFault } from './faults';
import { type ClusterRecord, type ExecutionRecord, INTERRUPTED_CODE, Journal, recoveryHint } from './journal';
import { acquireLock, isCreateOf, type LockHolder, SIMULATED_CLOUD_LOCK } from './lock';
import { NumberFlagError, parseWholeNumber } from './numbers';
import { PhaseProgress } from './phases';
import { ProgressPrinter } from './progress';
import { failureOf, statusAfter } from './run-outcome';
import type { AslMachine, RunEvent, RunResult } from './runner/local-runner';
import { runMachine } from './runner/local-runner';
import { type CreateFlags, sourcedMessage, specInputOf, validatedSpecOf } from './spec-input';
import { colourOn, type Style, styleOf } from './style';
import { didYouMean } from './suggest';
import { clusterView, secondsText, viewText } from './view';

/** Where the CLI writes, and its environment (injectable for tests). */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Whether stderr (progress, summary) is a terminal: colour and a live status line. @default false */
  readonly stderrIsTTY?: boolean;
}

export type OutputFormat = 'text' | 'json';

/** Options every cloud command takes. */
export interface CommonFlags {
  readonly simulate?: boolean;
  readonly local?: boolean;
  readonly latencyModel?: string;
  readonly output?: string;
  readonly region?: string;
  readonly profile?: string;
}

/** A Region name: `eu-west-1`, `us-gov-west-1`, `cn-north-1`. */
const REGION_RE = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

/**
 * The --region and --profile of a command: passed to the clients of --local (unset, the
 * SDK's standard chain decides: AWS_REGION, AWS_PROFILE, the shared config); --region is
 * the Region of a new simulated cloud, which needs no credentials (--profile is refused).
 */
export function awsOf(flags: CommonFlags, mode: Mode): AwsSettings {
  if (flags.region !== undefined && !REGION_RE.test(flags.region)) {
    throw new UsageError(`--region: must be a Region name such as eu-west-1, got '${flags.region}'`);
  }
  if (flags.profile !== undefined && mode === 'simulate') {
    throw new UsageError('--profile: the simulated cloud takes no credentials; it applies to --local and the remote mode');
  }
  return { region: flags.region, profile: flags.profile };
}

/** A refusal or a bad input: printed as `error: <message>`, exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Exit codes. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export interface Context {
  readonly io: CliIo;
  readonly home: string;
  /** Stops the running execution when aborted (SIGINT/SIGTERM, or a `delete` of the cluster being created). */
  readonly signal?: AbortSignal;
  /** The command's arguments (after the program name), for `create --no-wait` to start itself in the background. */
  readonly argv?: readonly string[];
  /** How progress is shown: `verbose` (--verbose) prints every state and retry instead of one line per phase. */
  readonly display?: { verbose: boolean };
}

/** The colours of stderr: on a terminal without NO_COLOR. */
export function stderrStyle(ctx: Context): Style {
  return styleOf(colourOn(ctx.io.stderrIsTTY === true, ctx.io.env));
}

/**
 * The progress of a run in text mode: one line per phase (PhaseProgress), or with
 * --verbose every state, retry and failure (ProgressPrinter).
 */
export function progressOf(ctx: Context): (event: RunEvent) => void {
  const write = (text: string) => line(ctx.io.stderr, text);
  if (ctx.display?.verbose) return new ProgressPrinter(write).onEvent;
  const live = ctx.io.stderrIsTTY ? (text: string) => ctx.io.stderr(text) : undefined;
  return new PhaseProgress(write, stderrStyle(ctx), live).onEvent;
}

function line(write: (text: string) => void, text = ''): void {
  write(`${text}\n`);
}

/** The mode of the flags: the simulated cloud unless --local; both is a usage error. */
export function modeOf(flags: CommonFlags): Mode {
  if (flags.simulate && flags.local) throw new UsageError('--simulate and --local exclude each other');
  return flags.local ? 'local' : 'simulate';
}

export function outputOf(flags: CommonFlags): OutputFormat {
  const output = flags.output ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`--output: must be text or json, got '${output}'`);
  return output;
}

function loadAsl(name: 'create-cluster' | 'teardown-cluster'): AslMachine {
  // Loaded on demand: the workflow module pulls in aws-cdk-lib, which --help does not need.
  const { exportAsl } = require('../workflow/export') as typeof import('../workflow/export');
  return exportAsl(name) as unknown as AslMachine;
}

/** Records a finished run in the cluster record. */
function recordRun(record: ClusterRecord, execution: ExecutionRecord, result: RunResult, session: CloudSession, kind: 'create' | 'delete') {
  const failure = failureOf(result, kind);
  execution.status = result.status;
  execution.endedAt = new Date(result.endedAt).toISOString();
  execution.stateTransitions = result.transitions;
  execution.realSeconds = round(result.realMs / 1000);
  if (session.mode === 'simulate') execution.simulatedSeconds = round((result.endedAt - result.startedAt) / 1000);
  if (failure) {
    execution.failureCode = failure.failureCode;
    execution.failureReason = failure.failureReason;
  }
  record.status = statusAfter(result, kind);
  record.failureCode = failure?.failureCode;
  record.failureReason = failure?.failureReason;
  record.updatedAt = execution.endedAt;
}

function round(n: number): number {
  return Math.round(n * 10) / 10;
}

function printSummary(ctx: Context, record: ClusterRecord, execution: ExecutionRecord): void {
  const err = (text: string) => line(ctx.io.stderr, text);
  const style = stderrStyle(ctx);
  err('');
  // The failure code and reason are printed once, in the cluster's description that follows.
  err(`status       ${record.status.endsWith('_COMPLETE') ? style.green(record.status) : style.red(record.status)}`);
  const duration =
    execution.simulatedSeconds !== undefined
      ? `${secondsText(execution.simulatedSeconds)} simulated (${execution.realSeconds ?? 0} s real)`
      : `${execution.realSeconds ?? 0} s`;
  err(`duration     ${duration}`);
  err(`transitions  ${execution.stateTransitions ?? 0}`);
}

/** Prints a cluster: the journal's record joined with the cloud's description (stdout). */
export async function printCluster(
  ctx: Context,
  session: CloudSession,
  record: ClusterRecord | undefined,
  id: string,
  output: OutputFormat
) {
  const [description, alarms] = await Promise.all([describeCluster(id, session.clients), findAlarms(session.clients.cloudwatch, id)]);
  const scalingAlarms = alarms.map((a) => ({ name: a.AlarmName ?? '', state: a.StateValue ?? 'INSUFFICIENT_DATA' }));
  const view = clusterView(record, description, scalingAlarms);
  if (output === 'json') line(ctx.io.stdout, JSON.stringify(view, null, 2));
  else line(ctx.io.stdout, viewText(view));
}

/** Runs one machine for a cluster with live progress, and records it in the journal. */
async function runForCluster(
  ctx: Context,
  session: CloudSession,
  record: ClusterRecord,
  kind: 'create' | 'delete',
  input: unknown,
  output: OutputFormat,
  signal: AbortSignal | undefined = ctx.signal
): Promise<{ record: ClusterRecord; execution: ExecutionRecord; result: RunResult }> {
  const prior = record.executions.filter((e) => e.kind === kind).length;
  const executionName = prior === 0 ? `${kind}-${record.id}` : `${kind}-${record.id}-${prior + 1}`;
  const execution: ExecutionRecord = {
    kind,
    name: executionName,
    status: 'RUNNING',
    startedAt: new Date(Date.now()).toISOString(),
    pid: process.pid,
  };
  record.executions.push(execution);
  record.status = kind === 'create' ? 'CREATE_IN_PROGRESS' : 'DELETE_IN_PROGRESS';
  record.updatedAt = execution.startedAt;
  session.journal.put(record);
  session.checkpoint(true);
  const progress = progressOf(ctx);
  let current: string | undefined;
  const onEvent = (event: RunEvent) => {
    if (output === 'text') progress(event);
    if (event.type === 'StateEntered' && event.stateType === 'Task') current = event.state;
    // The account as of this state, in case the command is killed before it ends.
    if (event.type === 'StateExited' || event.type === 'StateFailed') session.checkpoint();
  };
  if (output === 'text')
    line(ctx.io.stderr, `${kind === 'create' ? 'creating' : 'deleting'} cluster ${record.id} (${session.mode}): ${executionName}`);
  const machineName = kind === 'create' ? 'create-cluster' : 'teardown-cluster';
  const result = await runMachine({
    asl: loadAsl(machineName),
    machineName,
    input,
    executionName,
    clients: session.clients,
    taskTokens: session.taskTokens,
    onEvent,
    clock: session.runClock(),
    signal,
  });
  recordRun(record, execution, result, session, kind);
  execution.pid = undefined;
  if (result.aborted) markInterrupted(record, execution, kind, current);
  session.journal.put(record);
  if (output === 'text') printSummary(ctx, record, execution);
  return { record, execution, result };
}

/**
 * A run stopped by SIGINT or SIGTERM: its failure code says so and its reason says where
 * it stopped and how to go on (resume or delete), instead of the generic STOPPED.
 */
function markInterrupted(record: ClusterRecord, execution: ExecutionRecord, kind: 'create' | 'delete', state: string | undefined): void {
  const at = state ? ` at ${state}` : '';
  execution.failureCode = INTERRUPTED_CODE[kind];
  execution.failureReason = `the ${kind} was interrupted${at}; ${recoveryHint(kind, record.name)}`;
  record.failureCode = execution.failureCode;
  record.failureReason = execution.failureReason;
}

/** Parses the --fault values (exit 2 on a bad one). */
export function faultsOf(values: readonly string[] | undefined): FaultArg[] {
  try {
    return (values ?? []).map(parseFault);
  } catch (err) {
    if (err instanceof FaultSyntaxError) throw new UsageError(`--fault: ${err.message}`);
    throw err;
  }
}

export interface CreateCommandFlags extends CreateFlags, CommonFlags {
  readonly fault?: string[];
  /** Plan only: run Validate Cluster Spec (with its quota pre-flight) in-process and print what a create would build. */
  readonly dryRun?: boolean;
  /** Runs the create machine again for an interrupted or failed create of this cluster (same id and spec). */
  readonly resume?: string;
  /** What an interrupted create (SIGINT, SIGTERM) does with what it created: keep it (default) or roll it back. */
  readonly onInterrupt?: string;
  /** False with `--no-wait`: start the create and return its id (in-process modes: in a background process). */
  readonly wait?: boolean;
}

/** The choices of --on-interrupt. */
export const ON_INTERRUPT = ['keep', 'rollback'] as const;

function onInterruptOf(flags: CreateCommandFlags): (typeof ON_INTERRUPT)[number] {
  const value = flags.onInterrupt ?? 'keep';
  if (!(ON_INTERRUPT as readonly string[]).includes(value)) {
    throw new UsageError(`--on-interrupt: must be keep or rollback, got '${value}'${didYouMean(value, ON_INTERRUPT)}`);
  }
  return value as (typeof ON_INTERRUPT)[number];
}

/**
 * Runs the create of `record`; after an interruption (SIGINT, SIGTERM) either keeps what
 * was created and says how to resume or delete, or (`rollback`) runs the teardown at once.
 */
async function createAndReport(
  ctx: Context,
  session: CloudSession,
  record: ClusterRecord,
  spec: unknown,
  output: OutputFormat,
  onInterrupt: (typeof ON_INTERRUPT)[number]
): Promise<number> {
  const { input } = createStart(record.id, record.name, spec);
  const { result } = await runForCluster(ctx, session, record, 'create', input, output);
  if (result.aborted && onInterrupt === 'rollback') {
    line(ctx.io.stderr, `create interrupted: rolling back cluster ${record.id} (interrupt again to stop the rollback)`);
    // A signal of its own: the interrupt that stopped the create must not stop its rollback.
    const rollback = new AbortController();
    await runForCluster(ctx, session, record, 'delete', { clusterId: record.id, clusterName: record.name }, output, rollback.signal);
  }
  await printCluster(ctx, session, record, record.id, output);
  return result.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
}

/** `create --resume NAME`: the create machine again, with the recorded id and spec; its steps find what exists by tag and token. */
async function resumeCommand(ctx: Context, flags: CreateCommandFlags, name: string): Promise<number> {
  const mode = modeOf(flags);
  const output = outputOf(flags);
  const onInterrupt = onInterruptOf(flags);
  const given = Object.entries(specInputOf({ ...flags, spec: undefined, file: undefined }, undefined)).filter(([key]) => key !== 'name');
  if (flags.spec || flags.file || given.length > 0)
    throw new UsageError('--resume: takes no spec: the cluster is resumed with the spec it was created with');
  const warn = (text: string) => line(ctx.io.stderr, text);
  const cluster = clusterNameOf(ctx.home, mode, name);
  return withCloud(
    { home: ctx.home, mode, aws: awsOf(flags, mode), latencyModel: flags.latencyModel, warn, cluster, seed: `create:${cluster}` },
    async (session) => {
      const record = session.journal.byId(name) ?? session.journal.byName(name);
      if (!record) throw new UsageError(`--resume: no cluster named '${name}' in ${session.journal.file}`);
      if (record.status !== 'CREATE_FAILED') {
        throw new UsageError(
          `--resume: cluster ${record.id} is ${record.status}; only a create that failed or was interrupted can be resumed`
        );
      }
      const taken = (await findClusterIdsByName(record.name, session.clients)).filter((id) => id !== record.id);
      if (taken.length > 0) throw new UsageError(`--resume: cluster name '${record.name}' is now taken by cluster ${taken.join(', ')}`);
      if (output === 'text') line(ctx.io.stderr, `resuming the create of cluster ${record.id}`);
      return createAndReport(ctx, session, record, record.spec, output, onInterrupt);
    }
  );
}

/**
 * The cluster name that `nameOrId` refers to, for its lock: the journal's record of that
 * name or id, else the name part of an id (`blue-1a2b3c` → `blue`), else the text itself.
 */
export function clusterNameOf(home: string, mode: Mode, nameOrId: string): string {
  const files = homeFiles(home);
  const journal = new Journal(mode === 'local' ? files.localJournal : files.journal);
  const record = journal.byName(nameOrId) ?? journal.byId(nameOrId);
  if (record) return record.name;
  return isClusterId(nameOrId) ? nameOfClusterId(nameOrId) : nameOrId;
}

/** `create`: validates the spec, refuses a taken name, runs the create machine. */
export async function createCommand(ctx: Context, flags: CreateCommandFlags): Promise<number> {
  if (flags.wait === false) return noWaitCreate(ctx, flags);
  if (flags.resume !== undefined) return resumeCommand(ctx, flags, flags.resume);
  const mode = modeOf(flags);
  const output = outputOf(flags);
  const onInterrupt = onInterruptOf(flags);
  const faults = faultsOf(flags.fault);
  if (faults.length > 0 && mode === 'local') throw new UsageError('--fault: faults can only be injected into the simulated cloud');
  const { spec, file } = validatedSpecOf(flags);
  // A refusal of the pre-flight names the flag or the file position of the refused field too.
  const refused = (field: string, message: string) => sourcedMessage(field, message, flags, file);
  const warn = (text: string) => line(ctx.io.stderr, text);
  const cloudOptions = {
    home: ctx.home,
    mode,
    aws: awsOf(flags, mode),
    latencyModel: flags.latencyModel,
    faults,
    warn,
    cluster: spec.name,
    seed: `create:${spec.name}`,
  };
  return withCloud(cloudOptions, async (session) => {
    const taken = await findClusterIdsByName(spec.name, session.clients);
    if (taken.length > 0) {
      throw new UsageError(`name: cluster name '${spec.name}' is taken by cluster ${taken.join(', ')}; delete it first`);
    }
    const id = session.newClusterId(spec.name);
    if (flags.dryRun) return dryRun(ctx, session, id, spec, output, refused);
    // The pre-flight in-process first: what Validate Cluster Spec would refuse is bad input
    // (exit 2), and neither the journal nor the cloud gets anything.
    await refusalsAsUsage(() => invokeStep(validateSpecStep, { clusterId: id, spec }, session.clients), refused);
    const now = new Date(Date.now()).toISOString();
    const record: ClusterRecord = {
      id,
      name: spec.name,
      status: 'CREATE_IN_PROGRESS',
      spec,
      createdAt: now,
      updatedAt: now,
      executions: [],
    };
    return createAndReport(ctx, session, record, spec, output, onInterrupt);
  });
}

/** The errors by which Validate Cluster Spec refuses a create. */
const REFUSALS: readonly string[] = [ERROR_NAMES.fatal, ERROR_NAMES.conflict, ERROR_NAMES.validation];

/**
 * `create --no-wait` with --simulate or --local: the workflow runs in the CLI's process, so
 * the create runs in a background process of its own (background.ts); this returns its
 * cluster id and execution once it is recorded, or its refusal (exit 2) if it ends first.
 */
async function noWaitCreate(ctx: Context, flags: CreateCommandFlags): Promise<number> {
  if (flags.dryRun) throw new UsageError('--no-wait: a dry run starts nothing; leave out --no-wait or --dry-run');
  if (!ctx.argv) throw new UsageError('--no-wait: needs the command line of the create to start it in the background');
  const mode = modeOf(flags);
  const output = outputOf(flags);
  // Checked here too, so that bad input is refused before a process is started.
  const name = flags.resume !== undefined ? clusterNameOf(ctx.home, mode, flags.resume) : validatedSpecOf(flags).spec.name;
  const { startBackgroundCreate } = require('./background') as typeof import('./background');
  const started = await startBackgroundCreate({ argv: ctx.argv, home: ctx.home, mode, name, env: ctx.io.env, cwd: ctx.io.cwd });
  if ('code' in started) {
    // It ended before it started its execution (a refusal): its messages are the command's.
    const messages = started.output.split('\n').filter((text) => text.startsWith('error:') || text.startsWith('warning:'));
    if (messages.length > 0) line(ctx.io.stderr, messages.join('\n'));
    return started.code;
  }
  if (output === 'json') line(ctx.io.stdout, JSON.stringify(started, null, 2));
  else {
    line(ctx.io.stdout, started.clusterId);
    line(
      ctx.io.stderr,
      `started ${started.execution} of cluster ${started.clusterId} in the background (pid ${started.pid}, ${mode}); ` +
        `its progress: ${started.log}; see it with \`mesos-cluster get ${started.name}\``
    );
  }
  return EXIT.ok;
}

/**
 * Runs `work`; a refusal of Validate Cluster Spec (the spec, the name, a zone, a quota)
 * becomes bad input (exit 2), a refused field named by where it came from (`sourced`).
 */
async function refusalsAsUsage<T>(work: () => Promise<T>, sourced?: (field: string, message: string) => string): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const error = err as (Error & { field?: unknown }) | undefined;
    const name = error?.name;
    if (name !== undefined && REFUSALS.includes(name)) {
      const field = typeof error?.field === 'string' ? error.field : undefined;
      throw new UsageError(field && sourced ? sourced(field, error?.message ?? '') : (error?.message ?? name));
    }
    throw err;
  }
}

/**
 * `create --dry-run`: the plan of the create, after the in-process Validate Cluster Spec,
 * on stderr; on stdout the cluster config that `create -f` takes (the spec with every
 * default filled in: YAML, or JSON with `--output json`). Creates nothing, records nothing.
 */
async function dryRun(
  ctx: Context,
  session: CloudSession,
  id: string,
  spec: ClusterSpec,
  output: OutputFormat,
  sourced: (field: string, message: string) => string
): Promise<number> {
  const plan: CreatePlan = await refusalsAsUsage(() => planCreate(session.clients, id, spec), sourced);
  for (const text of planText(plan)) line(ctx.io.stderr, text);
  ctx.io.stdout(configText(spec, output));
  return EXIT.ok;
}

/** The cluster a name refers to: the journal's record, or a live cluster found in the cloud by its tags. */
export async function resolveCluster(session: CloudSession, nameOrId: string): Promise<{ id: string; record?: ClusterRecord }> {
  const record = session.journal.byId(nameOrId) ?? session.journal.byName(nameOrId);
  const live = await findClusterIdsByName(record?.name ?? nameOrId, session.clients);
  if (record && (live.length === 0 || live.includes(record.id))) return { id: record.id, record };
  const [id] = live;
  if (id) return { id, record: session.journal.byId(id) };
  const known = session.journal
    .all()
    .filter((c) => c.status !== 'DELETE_COMPLETE')
    .map((c) => c.name);
  throw new UsageError(`no cluster named '${nameOrId}'${didYouMean(nameOrId, known)}`);
}

/** `get NAME`: the journal's status joined with what the cloud holds. */
export async function getCommand(ctx: Context, name: string, flags: CommonFlags): Promise<number> {
  const mode = modeOf(flags);
  const output = outputOf(flags);
  const warn = (text: string) => line(ctx.io.stderr, text);
  return withCloud(
    { home: ctx.home, mode, aws: awsOf(flags, mode), latencyModel: flags.latencyModel, seed: `get:${name}`, warn },
    async (session) => {
      const { id, record } = await resolveCluster(session, name);
      await printCluster(ctx, session, record, id, output);
      return EXIT.ok;
    }
  );
}

/**
 * The live clusters of the cloud, by the tags of their VPCs: what `list` shows even when
 * the journal lost them (moved aside, another machine's home).
 */
async function clustersInCloud(session: CloudSession): Promise<{ id: string; name: string; status: string }[]> {
  const { Vpcs = [] } = await session.clients.ec2.send(
    new DescribeVpcsCommand({ Filters: [{ Name: `tag:${TAG_ROLE}`, Values: ['vpc'] }] })
  );
  return Vpcs.flatMap((vpc) => {
    const id = tagValue(vpc.Tags, TAG_ID);
    const name = tagValue(vpc.Tags, TAG_NAME);
    return id && name ? [{ id, name, status: tagValue(vpc.Tags, TAG_STATUS) ?? 'CREATE_IN_PROGRESS' }] : [];
  });
}

/** `list`: the clusters of the journal (deleted ones with --all), and the clusters the cloud holds by tag that the journal lacks. */
export async function listCommand(ctx: Context, flags: CommonFlags & { all?: boolean }): Promise<number> {
  const mode = modeOf(flags);
  const output = outputOf(flags);
  const warn = (text: string) => line(ctx.io.stderr, text);
  const { records, unrecorded } = await withCloud(
    { home: ctx.home, mode, aws: awsOf(flags, mode), latencyModel: flags.latencyModel, seed: 'list', warn },
    async (session) => {
      const all = session.journal.all();
      const found = await clustersInCloud(session);
      return {
        records: all.filter((c) => flags.all || c.status !== 'DELETE_COMPLETE'),
        unrecorded: found.filter((c) => !session.journal.byId(c.id)),
      };
    }
  );
  const rows = [
    ...records.map((c) => {
      const spec = c.spec as { masters?: number; slaves?: number };
      const last = c.executions.at(-1);
      return {
        id: c.id,
        name: c.name,
        status: c.status as string,
        masters: spec.masters ?? null,
        slaves: c.slaves ?? spec.slaves ?? null,
        ...(c.failureCode ? { failureCode: c.failureCode } : {}),
        createdAt: c.createdAt as string | null,
        lastExecution: last?.name ?? null,
        inJournal: true,
      };
    }),
    ...unrecorded.map((c) => ({
      id: c.id,
      name: c.name,
      status: c.status,
      masters: null,
      slaves: null,
      createdAt: null,
      lastExecution: null,
      inJournal: false,
    })),
  ];
  if (output === 'json') {
    line(ctx.io.stdout, JSON.stringify(rows, null, 2));
    return EXIT.ok;
  }
  if (rows.length === 0) {
    line(ctx.io.stdout, 'no clusters');
    return EXIT.ok;
  }
  const table = [
    ['ID', 'NAME', 'STATUS', 'MASTERS', 'SLAVES', 'CREATED'],
    ...rows.map((r) => [
      r.id,
      r.name,
      r.status,
      String(r.masters ?? '-'),
      String(r.slaves ?? '-'),
      r.createdAt ?? 'not in the journal (found by tag)',
    ]),
  ];
  const widths = table[0]?.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length))) ?? [];
  for (const row of table)
    line(
      ctx.io.stdout,
      row
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')
        .trimEnd()
    );
  return EXIT.ok;
}

/** Deletes a cluster inside an open session: runs the teardown machine. */
async function deleteInSession(ctx: Context, session: CloudSession, nameOrId: string, output: OutputFormat): Promise<RunResult> {
  const { id, record: found } = await resolveCluster(session, nameOrId);
  const now = new Date(Date.now()).toISOString();
  const description = found ? undefined : await describeCluster(id, session.clients);
  const record: ClusterRecord = found ?? {
    id,
    name: description?.name ?? nameOrId,
    status: 'DELETE_IN_PROGRESS',
    spec: {},
    createdAt: now,
    updatedAt: now,
    executions: [],
  };
  const { result } = await runForCluster(ctx, session, record, 'delete', { clusterId: id, clusterName: record.name }, output);
  return result;
}

/** `delete NAME`: runs the teardown machine with live progress. */
export async function deleteCommand(ctx: Context, name: string, flags: CommonFlags): Promise<number> {
  const mode = modeOf(flags);
  const output = outputOf(flags);
  // A create of this cluster still running in another process is stopped first (lock.ts).
  const lock = { stopHolder: (holder: LockHolder) => isCreateOf(holder, name), notify: (text: string) => line(ctx.io.stderr, text) };
  const cluster = clusterNameOf(ctx.home, mode, name);
  const warn = (text: string) => line(ctx.io.stderr, text);
  return withCloud(
    { home: ctx.home, mode, aws: awsOf(flags, mode), latencyModel: flags.latencyModel, seed: `delete:${cluster}`, cluster, lock, warn },
    async (session) => {
      const result = await deleteInSession(ctx, session, name, output);
      const { id, record } = await resolveDeleted(session, name);
      await printCluster(ctx, session, record, id, output);
      return result.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
    }
  );
}

async function resolveDeleted(session: CloudSession, nameOrId: string): Promise<{ id: string; record?: ClusterRecord }> {
  const record = session.journal.byId(nameOrId) ?? session.journal.byName(nameOrId);
  if (record) return { id: record.id, record };
  return resolveCluster(session, nameOrId);
}

/** `simulator inventory`: every live simulated resource. */
export async function inventoryCommand(ctx: Context, flags: { output?: string; latencyModel?: string }): Promise<number> {
  const output = outputOf(flags);
  return withCloud({ home: ctx.home, mode: 'simulate', latencyModel: flags.latencyModel, seed: 'inventory' }, async (session) => {
    const items: InventoryItem[] = session.simulator?.inventory() ?? [];
    if (output === 'json') {
      line(ctx.io.stdout, JSON.stringify(items, null, 2));
      return EXIT.ok;
    }
    if (items.length === 0) {
      line(ctx.io.stdout, 'no simulated resources');
      return EXIT.ok;
    }
    const idWidth = Math.max(...items.map((i) => i.id.length));
    const typeWidth = Math.max(...items.map((i) => i.type.length));
    const stateWidth = Math.max(...items.map((i) => i.state.length));
    for (const item of items) {
      const tags = Object.entries(item.tags)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      line(
        ctx.io.stdout,
        `${item.id.padEnd(idWidth)}  ${item.type.padEnd(typeWidth)}  ${item.state.padEnd(stateWidth)}  ${tags}`.trimEnd()
      );
    }
    return EXIT.ok;
  });
}

/** The flags of `simulator quotas`: each one sets that quota of the simulated account. */
export interface QuotaFlags {
  vpcs?: string;
  elasticIps?: string;
  vcpus?: string;
  natGatewaysPerZone?: string;
  output?: string;
}

/**
 * `simulator quotas`: prints the simulated account's quotas (VPCs, Elastic IPs, running
 * On-Demand Standard vCPUs, NAT gateways per zone), after setting those given as flags, as a
 * quota increase would.
 */
export async function quotasCommand(ctx: Context, flags: QuotaFlags): Promise<number> {
  const output = outputOf(flags);
  const wanted: Partial<Record<'vpcs' | 'elasticIps' | 'vcpus' | 'natGatewaysPerZone', number>> = {};
  const given = [
    ['vpcs', '--vpcs', flags.vpcs],
    ['elasticIps', '--elastic-ips', flags.elasticIps],
    ['vcpus', '--vcpus', flags.vcpus],
    ['natGatewaysPerZone', '--nat-gateways-per-zone', flags.natGatewaysPerZone],
  ] as const;
  for (const [key, flag, value] of given) {
    if (value === undefined) continue;
    try {
      wanted[key] = parseWholeNumber(flag, value, { max: 100_000 });
    } catch (err) {
      if (err instanceof NumberFlagError) throw new UsageError(err.message);
      throw err;
    }
  }
  return withCloud({ home: ctx.home, mode: 'simulate', seed: 'quotas' }, async (session) => {
    const cloud = session.simulator;
    if (!cloud) return EXIT.failed;
    if (Object.keys(wanted).length > 0) cloud.setQuotas(wanted);
    const quotas = cloud.quotas();
    if (output === 'json') line(ctx.io.stdout, JSON.stringify(quotas, null, 2));
    else for (const [key, value] of Object.entries(quotas)) line(ctx.io.stdout, `${key.padEnd(20)} ${value}`);
    return EXIT.ok;
  });
}

/** `simulator reset`: forgets the simulated cloud and the clusters recorded on it. */
export async function resetCommand(ctx: Context): Promise<number> {
  const files = homeFiles(ctx.home);
  const release = await acquireLock(ctx.home, SIMULATED_CLOUD_LOCK, { command: 'reset', wait: true });
  try {
    rmSync(files.simulator, { force: true });
    rmSync(files.journal, { force: true });
  } finally {
    release();
  }
  line(ctx.io.stderr, `simulated cloud reset (removed ${files.simulator} and ${files.journal})`);
  return EXIT.ok;
}

/** The demo cluster: 1 master, 3 slaves, admin CIDR 203.0.113.0/24 (TEST-NET-3). */
export const DEMO_SPEC = { name: 'demo', masters: 1, slaves: 3, adminCidr: '203.0.113.0/24' } as const;

/**
 * `demo` (what `npm start` runs): on the simulated cloud, deletes a cluster named demo
 * left by an earlier run, creates a new one and prints its description.
 */
export async function demoCommand(ctx: Context, flags: { output?: string; latencyModel?: string }): Promise<number> {
  const output = outputOf(flags);
  const spec = parseClusterSpec(DEMO_SPEC);
  return withCloud({ home: ctx.home, mode: 'simulate', latencyModel: flags.latencyModel, seed: 'demo' }, async (session) => {
    const existing = await findClusterIdsByName(spec.name, session.clients);
    for (const id of existing) {
      if (output === 'text') line(ctx.io.stderr, `a cluster named ${spec.name} exists (${id}): deleting it first`);
      const deleted = await deleteInSession(ctx, session, id, output);
      if (deleted.status !== 'SUCCEEDED') return EXIT.failed;
    }
    const id = session.newClusterId(spec.name);
    const now = new Date(Date.now()).toISOString();
    const record: ClusterRecord = {
      id,
      name: spec.name,
      status: 'CREATE_IN_PROGRESS',
      spec,
      createdAt: now,
      updatedAt: now,
      executions: [],
    };
    const { result } = await runForCluster(ctx, session, record, 'create', createStart(id, spec.name, spec).input, output);
    if (output === 'text') line(ctx.io.stderr, '');
    await printCluster(ctx, session, record, id, output);
    return result.status === 'SUCCEEDED' ? EXIT.ok : EXIT.failed;
  });
}
