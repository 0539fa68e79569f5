/**
 * `npm run bench:concurrency`: many creates at once in one simulated account, the same ASL
 * and steps as every other run, side by side on one virtual clock, under EC2's request
 * throttling (the token buckets of simulator/throttling.ts) and the account's quotas. Each
 * run goes two ways:
 *
 * - in-process: the create machine started directly, as `mesos-cluster create` runs it;
 * - through the API: POST /clusters to the API's own handler and route code, its Step
 *   Functions client answered by a local stand-in (bench/step-functions.ts) that runs the
 *   machines' ASL against the same account; each client then polls GET /clusters/{id}
 *   every `--poll` seconds until the create ends, and DELETE /clusters/{id} (polled the
 *   same way) removes what completed.
 *
 * 1. Quotas raised (VPCs, Elastic IPs, vCPUs enough for all): every create should end
 *    CREATE_COMPLETE. Printed: completed, failed, the throttled answers the steps got (and
 *    retried) and, through the API, those the API functions' own calls got, what is left
 *    after every cluster is torn down (leaked), and the slowest create's time to ready
 *    against a single create's on an empty account.
 * 2. Default quotas (5 VPCs, 5 Elastic IPs, 64 vCPUs, 5 NAT gateways per zone): the creates the account cannot hold.
 *    Printed: completed, refused by the pre-flight (Validate Cluster Spec, nothing created,
 *    with the quota named), failed later (at AWS's own quota error, rolled back), leaked.
 *    Through the API the request itself is accepted (202: the API starts the execution and
 *    the pre-flight is the machine's first state); the refusal is the execution's failure,
 *    which GET /clusters/{id} shows as CREATE_FAILED with failure code VALIDATE_SPEC_FAILED
 *    and the quota in the reason.
 *    The requests arrive `--spacing` seconds apart (default 5): a create in flight is seen
 *    by the next pre-flight once its VPC exists (Create VPC tags it with what the cluster
 *    will hold); requests at the very same instant all pass the pre-flight, and those over
 *    the quota then fail at CreateVpc or AllocateAddress and roll back (`--spacing 0`).
 *
 * Options: --creates N (default 50), --spacing S, --slaves N (default 2), --poll S (default 30).
 */
import './quiet-warnings';
import { Command } from 'commander';
import { connectCommandSignals } from '../cli/runner/command-signals';
import { type AslMachine, type RunResult, runMachine } from '../cli/runner/local-runner';
import type { TaskTokens } from '../cli/runner/task-tokens';
import { inVirtualTime } from '../cli/runner/virtual-time';
import { inProcessStepConfig } from '../cli/step-config';
import type { ClusterView } from '../functions/api/shared/cluster-status';
import { logger } from '../functions/shared/logger';
import type { StepClients } from '../functions/shared/step';
import { SimulatedCloud } from '../simulator';
import { type SimulatedClients, simulatedClients } from '../simulator/clients';
import { exportAsl, type MachineName } from '../workflow/export';
import { ApiPath } from './api-path';

const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);
const THROTTLE_CODES = new Set(['RequestLimitExceeded', 'ThrottlingException', 'Throttling', 'TooManyRequestsException']);
const ADMIN = '203.0.113.0/24';

const aslCache = new Map<string, AslMachine>();
function aslOf(machine: MachineName): AslMachine {
  let asl = aslCache.get(machine);
  if (!asl) {
    asl = exportAsl(machine) as unknown as AslMachine;
    aslCache.set(machine, asl);
  }
  return asl;
}

/**
 * A simulated account whose answers are counted: every throttled answer a step got. Each
 * execution gets SDK clients of its own, as each Lambda function's container has its own
 * (with its own client-side retry quota), not one set shared by every execution.
 */
class CountingAccount {
  readonly cloud = new SimulatedCloud();
  /** Throttled answers to the steps' calls. */
  throttled = 0;
  /** Throttled answers to the API functions' own calls (their EC2 Describe calls). */
  apiThrottled = 0;

  #counted(count: () => void): SimulatedClients {
    return simulatedClients(
      {
        handle: async (service, commandName, input) => {
          try {
            return await this.cloud.handle(service, commandName, input);
          } catch (err) {
            if (THROTTLE_CODES.has((err as Error).name)) count();
            throw err;
          }
        },
      },
      this.cloud.region
    );
  }

  clients(): StepClients {
    return {
      ...this.#counted(() => {
        this.throttled++;
      }),
      config: inProcessStepConfig(),
    };
  }

  /** The clients of the API functions (one set, as one warm container per route would have). */
  apiClients(): SimulatedClients {
    return this.#counted(() => {
      this.apiThrottled++;
    });
  }

  /** The task tokens of every run against this account: the command signals' relay answers them. */
  readonly taskTokens: TaskTokens = connectCommandSignals(this.cloud, this.clients());

  run(machine: MachineName, input: unknown, executionName: string, now: number): Promise<RunResult> {
    return runMachine({
      asl: aslOf(machine),
      input,
      executionName,
      clients: this.clients(),
      clock: { now },
      machineName: machine,
      taskTokens: this.taskTokens,
    });
  }
}

interface Outcome {
  readonly name: string;
  readonly id: string;
  readonly result: RunResult;
}

function spec(name: string, slaves: number) {
  return { name, masters: 1, slaves, adminCidr: ADMIN };
}

function seconds(result: RunResult): number {
  return (result.endedAt - result.startedAt) / 1000;
}

/** Runs `count` creates, the i-th starting i × spacing seconds after the first, and tears the completed ones down. */
async function burst(account: CountingAccount, count: number, spacingSeconds: number, slaves: number) {
  return inVirtualTime(T0, `concurrency:${count}:${spacingSeconds}`, async () => {
    const outcomes = await Promise.all(
      Array.from({ length: count }, async (_, i): Promise<Outcome> => {
        const name = `c${String(i + 1).padStart(3, '0')}`;
        const id = `${name}-000001`;
        if (spacingSeconds > 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, i * spacingSeconds * 1000));
        const result = await account.run('create-cluster', { clusterId: id, spec: spec(name, slaves) }, `create-${id}`, Date.now());
        return { name, id, result };
      })
    );
    const throttledDuringCreates = account.throttled;
    const completed = outcomes.filter((o) => o.result.status === 'SUCCEEDED');
    const teardowns = await Promise.all(
      completed.map((o) => account.run('teardown-cluster', { clusterId: o.id, clusterName: o.name }, `delete-${o.id}`, Date.now()))
    );
    const leaked = account.cloud.inventory().filter((item) => item.type !== 'alarm' || item.tags['mesos-cluster:id'] !== undefined);
    return { outcomes, throttledDuringCreates, teardownsFailed: teardowns.filter((t) => t.status !== 'SUCCEEDED').length, leaked };
  });
}

interface ApiOutcome {
  readonly name: string;
  readonly id: string;
  /** The status code of POST /clusters. */
  readonly accepted: number;
  /** GET /clusters/{id} once the create ended. */
  readonly final?: ClusterView;
  /** Seconds from the execution's start to its end (the stand-in's start and stop dates). */
  readonly seconds?: number;
  /** What was tagged with the cluster's id when its create had failed (nothing, for a refusal). */
  readonly leftByFailure: number;
}

/**
 * The same burst through the API: POST /clusters, GET every `pollSeconds` until the create
 * ends, then DELETE /clusters/{id} of each completed cluster and GET until it is deleted.
 */
async function apiBurst(account: CountingAccount, count: number, spacingSeconds: number, slaves: number, pollSeconds: number) {
  return inVirtualTime(T0, `concurrency-api:${count}:${spacingSeconds}`, async () => {
    const api = new ApiPath({
      stepClients: () => account.clients(),
      taskTokens: account.taskTokens,
      ec2: account.apiClients().ec2,
      newClusterId: (name) => `${name}-000001`,
    });
    const outcomes = await Promise.all(
      Array.from({ length: count }, async (_, i): Promise<ApiOutcome> => {
        const name = `c${String(i + 1).padStart(3, '0')}`;
        if (spacingSeconds > 0 && i > 0) await new Promise((resolve) => setTimeout(resolve, i * spacingSeconds * 1000));
        const post = await api.create(spec(name, slaves));
        const id = post.body.clusterId ?? `${name}-000001`;
        if (post.statusCode !== 202) return { name, id, accepted: post.statusCode, leftByFailure: 0 };
        const final = await api.waitWhile(id, ['CREATE_IN_PROGRESS'], pollSeconds);
        const execution = api.stepFunctions.executions().find((e) => e.executionArn === post.body.executionArn);
        const seconds = execution?.stopDate ? (execution.stopDate.getTime() - execution.startDate.getTime()) / 1000 : undefined;
        const leftByFailure =
          final.body.status === 'CREATE_FAILED'
            ? account.cloud.inventory().filter((item) => item.tags['mesos-cluster:id'] === id).length
            : 0;
        return { name, id, accepted: post.statusCode, final: final.body, seconds, leftByFailure };
      })
    );
    const throttledDuringCreates = account.throttled;
    const apiThrottledDuringCreates = account.apiThrottled;
    const completed = outcomes.filter((o) => o.final?.status === 'CREATE_COMPLETE');
    const deletes = await Promise.all(
      completed.map(async (o) => {
        const answer = await api.delete(o.id);
        if (answer.statusCode !== 202) return `DELETE answered ${answer.statusCode}`;
        return (await api.waitWhile(o.id, ['DELETE_IN_PROGRESS'], pollSeconds)).body.status;
      })
    );
    await api.stepFunctions.settled();
    const leaked = account.cloud.inventory().filter((item) => item.type !== 'alarm' || item.tags['mesos-cluster:id'] !== undefined);
    return {
      outcomes,
      throttledDuringCreates,
      apiThrottledDuringCreates,
      apiThrottledInAll: account.apiThrottled,
      unavailable: api.unavailable,
      deletesFailed: deletes.filter((status) => status !== 'DELETE_COMPLETE').length,
      leaked,
    };
  });
}

/** The quotas that let `count` clusters of `slaves` slaves exist at once. */
function raiseQuotas(account: CountingAccount, count: number, slaves: number): void {
  const vcpusPerCluster = 2 + Math.max(1, slaves) * 2;
  account.cloud.setQuotas({
    vpcs: count + 5,
    elasticIps: count + 5,
    vcpus: count * vcpusPerCluster + 64,
    natGatewaysPerZone: count + 5,
  });
}

/** Template slaves the account has launched (terminated ones included): one per bake. */
function templateSlaves(cloud: SimulatedCloud): number {
  const { instances = {} } = cloud.toJSON() as { instances?: Record<string, { tags: Record<string, string> }> };
  return Object.values(instances).filter((i) => i.tags['mesos-cluster:role'] === 'template-slave').length;
}

function failureOf(result: RunResult): string {
  return `${result.error ?? ''}: ${result.cause ?? ''}`;
}

const QUOTA_REFUSAL = /^VALIDATE_SPEC_FAILED: .*quota/;

async function main(): Promise<void> {
  const program = new Command()
    .option('--creates <n>', 'creates at once', '50')
    .option('--spacing <seconds>', 'seconds between two requests in the default-quota run', '5')
    .option('--slaves <n>', 'slaves per cluster', '2')
    .option('--poll <seconds>', 'seconds between two GET /clusters/{id} of one API client', '30')
    .parse();
  const opts = program.opts<{ creates: string; spacing: string; slaves: string; poll: string }>();
  const count = Number(opts.creates);
  const spacing = Number(opts.spacing);
  const slaves = Number(opts.slaves);
  const poll = Number(opts.poll);
  if (
    !Number.isInteger(count) ||
    count < 1 ||
    !Number.isFinite(spacing) ||
    spacing < 0 ||
    !Number.isInteger(slaves) ||
    slaves < 0 ||
    !Number.isFinite(poll) ||
    poll <= 0
  ) {
    throw new Error('--creates and --slaves must be whole numbers (creates >= 1), --spacing a number of seconds >= 0, --poll > 0');
  }
  // The API functions log one JSON line per request; they are not the bench's output.
  logger.setLogLevel('SILENT');

  // A single create on an empty account: the reference time.
  const single = new CountingAccount();
  const one = await inVirtualTime(T0, 'concurrency:single', () =>
    single.run('create-cluster', { clusterId: 'solo-000001', spec: spec('solo', slaves) }, 'create-solo-000001', Date.now())
  );
  if (one.value.status !== 'SUCCEEDED') throw new Error(`the single create failed: ${failureOf(one.value)}`);
  const singleSeconds = seconds(one.value);
  const out = (text: string) => process.stdout.write(`${text}\n`);
  const vcpusPerCluster = 2 + Math.max(1, slaves) * 2;

  // 1. Quotas raised for all of them, in-process and through the API.
  const raised = new CountingAccount();
  raiseQuotas(raised, count, slaves);
  let started = performance.now();
  const r = await burst(raised, count, 0, slaves);
  const realSeconds = (performance.now() - started) / 1000;
  const rDone = r.value.outcomes.filter((o) => o.result.status === 'SUCCEEDED');
  const rFailed = r.value.outcomes.filter((o) => o.result.status !== 'SUCCEEDED');
  const slowest = Math.max(...r.value.outcomes.map((o) => seconds(o.result)));
  const images = raised.cloud.calls.CreateImage ?? 0;

  const raisedApi = new CountingAccount();
  raiseQuotas(raisedApi, count, slaves);
  started = performance.now();
  const ra = await apiBurst(raisedApi, count, 0, slaves, poll);
  const apiRealSeconds = (performance.now() - started) / 1000;
  const raDone = ra.value.outcomes.filter((o) => o.final?.status === 'CREATE_COMPLETE');
  const raFailed = ra.value.outcomes.filter((o) => o.final?.status !== 'CREATE_COMPLETE');
  const apiSlowest = Math.max(...ra.value.outcomes.map((o) => o.seconds ?? Number.NaN));

  out(
    `## ${count} concurrent creates, quotas raised (VPCs, Elastic IPs, NAT gateways per zone ${count + 5}; vCPUs ${count * vcpusPerCluster + 64}), EC2 throttling on`
  );
  out('');
  out(
    '| path | completed | failed | throttled answers (steps) | throttled answers (API) | leaked | slowest create | single create | slowest / single | real time |'
  );
  out('|---|---|---|---|---|---|---|---|---|---|');
  out(
    `| in-process | ${rDone.length} | ${rFailed.length} | ${r.value.throttledDuringCreates} | - | ${r.value.leaked.length} | ${slowest.toFixed(1)} s | ${singleSeconds.toFixed(1)} s | ${(slowest / singleSeconds).toFixed(2)} | ${realSeconds.toFixed(1)} s |`
  );
  out(
    `| API (POST, GET every ${poll} s, DELETE) | ${raDone.length} | ${raFailed.length} | ${ra.value.throttledDuringCreates} | ${ra.value.apiThrottledDuringCreates} | ${ra.value.leaked.length} | ${apiSlowest.toFixed(1)} s | ${singleSeconds.toFixed(1)} s | ${(apiSlowest / singleSeconds).toFixed(2)} | ${apiRealSeconds.toFixed(1)} s |`
  );
  out('');
  out(
    `template slaves launched: ${templateSlaves(raised.cloud)} in-process, ${templateSlaves(raisedApi.cloud)} through the API (one bake per recipe: the first create claims it, the others wait for its image); CreateImage calls: ${images} in-process, ${raisedApi.cloud.calls.CreateImage ?? 0} through the API; teardowns failed: ${r.value.teardownsFailed} in-process, ${ra.value.deletesFailed} through the API`
  );
  out(
    `API functions: ${ra.value.apiThrottledDuringCreates} throttled answers to their EC2 calls during the creates, ${ra.value.apiThrottledInAll} with the deletes; ${ra.value.unavailable} GETs answered 503 (throttled after the SDK's retries) and were asked again after Retry-After`
  );
  for (const f of rFailed.slice(0, 5)) out(`  failed ${f.id}: ${failureOf(f.result)}`);
  for (const f of raFailed.slice(0, 5)) {
    out(
      `  failed through the API ${f.id}: ${f.accepted !== 202 ? `POST answered ${f.accepted}` : `${f.final?.failureCode}: ${f.final?.failureReason}`}`
    );
  }

  // 2. Default quotas.
  const limited = new CountingAccount();
  const d = await burst(limited, count, spacing, slaves);
  const dDone = d.value.outcomes.filter((o) => o.result.status === 'SUCCEEDED');
  const dFailed = d.value.outcomes.filter((o) => o.result.status !== 'SUCCEEDED');
  const refused = dFailed.filter((o) => QUOTA_REFUSAL.test(o.result.cause ?? ''));
  const later = dFailed.filter((o) => !refused.includes(o));

  const limitedApi = new CountingAccount();
  const da = await apiBurst(limitedApi, count, spacing, slaves, poll);
  const daDone = da.value.outcomes.filter((o) => o.final?.status === 'CREATE_COMPLETE');
  const daFailed = da.value.outcomes.filter((o) => o.final?.status !== 'CREATE_COMPLETE');
  const daRefused = daFailed.filter((o) => QUOTA_REFUSAL.test(`${o.final?.failureCode}: ${o.final?.failureReason}`));
  const daLater = daFailed.filter((o) => !daRefused.includes(o));
  const leftByRefusals = daRefused.reduce((sum, o) => sum + o.leftByFailure, 0);

  out('');
  out(`## ${count} creates, default quotas (5 VPCs, 5 Elastic IPs, 64 vCPUs, 5 NAT gateways per zone), requests ${spacing} s apart`);
  out('');
  out('| path | completed | refused by the pre-flight | failed later (rolled back) | throttled answers (steps) | leaked |');
  out('|---|---|---|---|---|---|');
  out(
    `| in-process | ${dDone.length} | ${refused.length} | ${later.length} | ${d.value.throttledDuringCreates} | ${d.value.leaked.length} |`
  );
  out(
    `| API | ${daDone.length} | ${daRefused.length} | ${daLater.length} | ${da.value.throttledDuringCreates} | ${da.value.leaked.length} |`
  );
  out('');
  const example = refused[0]?.result.cause;
  if (example) out(`a refusal: ${example}`);
  const apiExample = daRefused[0]?.final;
  if (apiExample) {
    out(
      `through the API: POST answered ${daRefused[0]?.accepted}, then GET /clusters/${apiExample.id}: ${apiExample.status}, ${apiExample.failureCode}: ${apiExample.failureReason}`
    );
  }
  out(`resources tagged with a refused cluster's id when its create had failed: ${leftByRefusals}`);
  for (const f of later.slice(0, 3)) out(`  failed later ${f.id}: ${failureOf(f.result)}`);
  for (const f of daLater.slice(0, 3)) out(`  failed later through the API ${f.id}: ${f.final?.failureCode}: ${f.final?.failureReason}`);
}

main().catch((err) => {
  process.stderr.write(`bench:concurrency: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
