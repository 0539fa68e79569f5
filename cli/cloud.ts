/**
 * Where a CLI command runs: the simulated cloud (default; state in <home>/simulator.json,
 * virtual time) or `--local` (real SDK clients with the standard credential chain and
 * endpoint settings, real time). A command's body runs inside `withCloud`, which loads
 * the cloud and journal, and for the simulated cloud runs the body in virtual time and
 * saves the simulator (with its clock) afterwards.
 */
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SSMClient } from '@aws-sdk/client-ssm';
import { clusterIdFor } from '../functions/shared/cluster-id';
import type { StepClients } from '../functions/shared/step';
import { loadLatencyModel, SimulatedCloud, type SimulatorState } from '../simulator';
import { type FaultArg, unfiredFaults } from './faults';
import { Journal } from './journal';
import { acquireLock, clusterLock, type LockHolder, type LockOptions, SIMULATED_CLOUD_LOCK } from './lock';
import { connectCommandSignals, inProcessStepFunctions } from './runner/command-signals';
import { hexSuffix } from './runner/seeded-random';
import { TaskTokens } from './runner/task-tokens';
import { inVirtualTime } from './runner/virtual-time';
import { readJsonObject, StateFileError, simulatorRecovery } from './state-files';
import { IN_PROCESS_DOCUMENTS, inProcessStepConfig } from './step-config';

export type Mode = 'simulate' | 'local';

/** The simulated cloud's clock when no state has been saved yet: a fixed instant, so runs repeat. */
export const SIMULATION_EPOCH = Date.UTC(2030, 0, 1, 9, 0, 0);

/** The CLI's home: env MESOS_CLUSTER_HOME, else ./.mesos-cluster. */
export function homeDir(env: Readonly<Record<string, string | undefined>>, cwd: string): string {
  return resolve(cwd, env.MESOS_CLUSTER_HOME || '.mesos-cluster');
}

/** The files of a home directory. */
export function homeFiles(home: string) {
  return {
    simulator: join(home, 'simulator.json'),
    journal: join(home, 'clusters.json'),
    localJournal: join(home, 'clusters-local.json'),
  };
}

/** The Region and named profile of the AWS clients (`--region`, `--profile`); unset: the standard chain's. */
export interface AwsSettings {
  readonly region?: string;
  readonly profile?: string;
}

/**
 * A --region that the saved simulated cloud is not in: it models one Region, the one it
 * was created in (exit 2).
 */
export class SimulatedRegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SimulatedRegionError';
  }
}

export interface CloudOptions {
  readonly home: string;
  readonly mode: Mode;
  /** `--region` / `--profile`: the clients of --local; the Region of a new simulated cloud. */
  readonly aws?: AwsSettings;
  /** A latency model file for the simulated cloud. */
  readonly latencyModel?: string;
  /** Faults injected for this command only (simulated cloud). */
  readonly faults?: readonly FaultArg[];
  /** Where to report an injected fault that never fired (stderr). */
  readonly warn?: (text: string) => void;
  /** Seed words of the command, so that the same command on the same state repeats exactly. */
  readonly seed: string;
  /** The cluster name the command acts on: its lock is held for the whole command. */
  readonly cluster?: string;
  /** How the cluster lock treats a running command (see lock.ts); the holder is named after `seed`. */
  readonly lock?: Pick<LockOptions, 'stopHolder' | 'notify'>;
}

/** What a command body gets. */
export interface CloudSession {
  readonly mode: Mode;
  readonly clients: StepClients;
  readonly journal: Journal;
  /** The simulated cloud (undefined with --local). */
  readonly simulator?: SimulatedCloud;
  /** The task tokens of the runs' callback tasks, which the steps' Step Functions client settles. */
  readonly taskTokens: TaskTokens;
  /** A new cluster id `<name>-<6 lowercase hex>`: derived from the simulator's state, or random with --local. */
  newClusterId(name: string): string;
  /** The virtual clock of runMachine (simulated cloud), or undefined for real time. */
  runClock(): { now: number } | undefined;
  /**
   * Saves the simulated cloud now (atomically), at most every CHECKPOINT_MS of real time
   * unless `force`: called as a run goes, so that a command killed half-way leaves the
   * account as it was at its last state (nothing for --local, where AWS keeps the state).
   */
  checkpoint(force?: boolean): void;
}

/** Real milliseconds between two saves of the simulated cloud during a run. */
const CHECKPOINT_MS = 25;

/** The simulator options of the CLI: the product's SSM documents, and a latency model file if given. */
function simulatorOptions(latencyModel?: string, region?: string) {
  return {
    region,
    latencyModel: latencyModel ? loadLatencyModel(latencyModel) : undefined,
    documents: {
      [IN_PROCESS_DOCUMENTS.configureMaster]: 'configure-master',
      [IN_PROCESS_DOCUMENTS.configureSlave]: 'configure-slave',
      [IN_PROCESS_DOCUMENTS.countAgents]: 'count-agents',
      [IN_PROCESS_DOCUMENTS.agentLoad]: 'agent-load',
      [IN_PROCESS_DOCUMENTS.drainAgents]: 'drain-agents',
      [IN_PROCESS_DOCUMENTS.marathonSmokeTest]: 'marathon-smoke-test',
    } as const,
  };
}

/** Marks the runs that killed commands left RUNNING as interrupted, and says so. */
function warnStale(journal: Journal, options: CloudOptions): void {
  for (const stale of journal.markStaleRuns()) options.warn?.(`warning: ${stale.failureReason}`);
}

/** The saved simulated account, checked to be one (StateFileError naming the file otherwise). */
function readSimulatorState(file: string): Record<string, unknown> | undefined {
  const saved = readJsonObject(file, simulatorRecovery(file));
  if (saved && (saved.version !== 1 || typeof saved.now !== 'number' || typeof saved.region !== 'string')) {
    throw new StateFileError(file, 'is not a saved simulated cloud (version 1 with its clock and Region)', simulatorRecovery(file));
  }
  return saved;
}

function restoreCloud(file: string, saved: Record<string, unknown>, opts: ReturnType<typeof simulatorOptions>): SimulatedCloud {
  try {
    const cloud = SimulatedCloud.fromJSON(saved as unknown as SimulatorState, opts);
    // Every collection of a fresh cloud must come back as a collection of the same kind.
    const fresh = new SimulatedCloud(opts).toJSON() as unknown as Record<string, unknown>;
    for (const [key, value] of Object.entries(fresh)) {
      const got = saved[key];
      if (got === undefined || typeof value !== 'object' || value === null) continue;
      if (typeof got !== 'object' || got === null || Array.isArray(got) !== Array.isArray(value)) {
        throw new Error(`its ${key} is not ${Array.isArray(value) ? 'a list' : 'an object'}`);
      }
    }
    return cloud;
  } catch (err) {
    throw new StateFileError(file, `holds a simulated cloud that cannot be restored (${(err as Error).message})`, simulatorRecovery(file), {
      cause: err,
    });
  }
}

/**
 * Runs a command body against the cloud of the chosen mode, holding the locks it needs
 * (see lock.ts): the lock of its cluster name, if it acts on one (refused while another
 * command holds it), and on the simulated cloud the simulated account's lock (awaited:
 * commands on the simulated cloud take turns). With the simulated cloud the body runs in
 * virtual time starting at the saved clock; the state (and the clock) is saved as the
 * body goes (`checkpoint`) and when it ends, even if it throws, each time atomically.
 * Faults given for the command are removed before the last save, so that they do not
 * outlive it. Runs that a killed command left RUNNING in the journal are marked
 * interrupted first (`markStaleRuns`).
 */
export async function withCloud<T>(options: CloudOptions, body: (session: CloudSession) => Promise<T>): Promise<T> {
  mkdirSync(options.home, { recursive: true });
  const releases: (() => void)[] = [];
  try {
    // Taken in real time, before any state is read; the cluster first, the cloud last.
    if (options.cluster)
      releases.push(await acquireLock(options.home, clusterLock(options.cluster), { command: options.seed, ...options.lock }));
    if (options.mode === 'simulate') {
      const onWait = (holder: LockHolder) =>
        options.warn?.(`waiting for the simulated cloud: pid ${holder.pid} is running ${holder.command.replace(':', ' ')}`);
      releases.push(await acquireLock(options.home, SIMULATED_CLOUD_LOCK, { command: options.seed, wait: true, onWait }));
    }
    return await withCloudLocked(options, body);
  } finally {
    for (const release of releases.reverse()) release();
  }
}

async function withCloudLocked<T>(options: CloudOptions, body: (session: CloudSession) => Promise<T>): Promise<T> {
  const files = homeFiles(options.home);
  if (options.mode === 'local') {
    const journal = new Journal(files.localJournal);
    // Unset, the SDK takes AWS_REGION / AWS_PROFILE and the shared config, as every AWS tool does.
    const aws = { region: options.aws?.region, profile: options.aws?.profile };
    // The machines run here: their task tokens are this process's, not the account's Step Functions'.
    const taskTokens = new TaskTokens();
    const session: CloudSession = {
      mode: 'local',
      clients: {
        ec2: new EC2Client({ ...aws, maxAttempts: 6 }),
        ssm: new SSMClient({ ...aws, maxAttempts: 6 }),
        cloudwatch: new CloudWatchClient({ ...aws }),
        quotas: new ServiceQuotasClient({ ...aws, maxAttempts: 6 }),
        dynamodb: new DynamoDBClient({ ...aws, maxAttempts: 6 }),
        sfn: inProcessStepFunctions(taskTokens, aws.region ?? 'us-east-1'),
        config: inProcessStepConfig(),
      },
      taskTokens,
      journal,
      newClusterId: (name) => clusterIdFor(name),
      runClock: () => undefined,
      checkpoint: () => undefined,
    };
    warnStale(journal, options);
    return body(session);
  }

  const saved = readSimulatorState(files.simulator);
  const region = options.aws?.region;
  if (saved && region && saved.region !== region) {
    throw new SimulatedRegionError(
      `--region: the simulated cloud of ${options.home} is in ${String(saved.region)}: it models one Region, the one it was created in; ` +
        `leave out --region, or use another MESOS_CLUSTER_HOME (or \`mesos-cluster simulator reset\`) to simulate ${region}`
    );
  }
  const now = typeof saved?.now === 'number' ? saved.now : SIMULATION_EPOCH;
  const simulatorOpts = simulatorOptions(options.latencyModel, region);
  const journal = new Journal(files.journal);
  warnStale(journal, options);
  const seed = `${now}:${options.seed}`;
  const { value } = await inVirtualTime(now, seed, async () => {
    // Loaded inside virtual time: a fresh cloud starts its clock at SIMULATION_EPOCH.
    const cloud = saved ? restoreCloud(files.simulator, saved, simulatorOpts) : new SimulatedCloud(simulatorOpts);
    const clients = { ...cloud.clients(), config: inProcessStepConfig() };
    const session: CloudSession = {
      mode: 'simulate',
      clients,
      // Wired as the stack wires EventBridge and Step Functions: the command signals reach the runs.
      taskTokens: connectCommandSignals(cloud, clients),
      journal,
      simulator: cloud,
      newClusterId: (name) => {
        for (let i = 0; ; i++) {
          const id = clusterIdFor(name, hexSuffix(`${seed}:${name}:${i}`));
          if (!journal.byId(id)) return id;
        }
      },
      runClock: () => ({ now: Date.now() }),
      checkpoint: (force) => {
        const real = performance.now();
        if (!force && real - lastSave < CHECKPOINT_MS) return;
        cloud.save(files.simulator);
        lastSave = performance.now();
      },
    };
    let lastSave = performance.now();
    const injected = options.faults ?? [];
    for (const fault of injected) cloud.injectFault({ ...fault });
    try {
      return await body(session);
    } finally {
      if (injected.length > 0) {
        const unfired = unfiredFaults(cloud.faults());
        if (unfired.length > 0) {
          options.warn?.(`warning: --fault ${unfired.join(', ')} never fired: the command made no such call (the fault had no effect)`);
        }
        cloud.clearFaults();
      }
      cloud.save(files.simulator);
    }
  });
  return value;
}
