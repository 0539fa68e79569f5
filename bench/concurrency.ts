/**
 * `npm run bench:concurrency`: many creates at once in one simulated account, as many API
 * requests (or `create --no-wait` commands) start them: the same ASL and steps as every
 * other run, side by side on one virtual clock, under EC2's request throttling (the token
 * buckets of simulator/throttling.ts) and the account's quotas.
 *
 * 1. Quotas raised (VPCs, Elastic IPs, vCPUs enough for all): every create should end
 *    CREATE_COMPLETE. Printed: completed, failed, the throttled answers the steps got (and
 *    retried), what is left after every cluster is torn down (leaked), and the slowest
 *    create's time to ready against a single create's on an empty account.
 * 2. Default quotas (5 VPCs, 5 Elastic IPs, 64 vCPUs, 5 NAT gateways per zone): the creates the account cannot hold.
 *    Printed: completed, refused by the pre-flight (Validate Cluster Spec, nothing created,
 *    with the quota named), failed later (at AWS's own quota error, rolled back), leaked.
 *    The requests arrive `--spacing` seconds apart (default 5): a create in flight is seen
 *    by the next pre-flight once its VPC exists (Create VPC tags it with what the cluster
 *    will hold); requests at the very same instant all pass the pre-flight, and those over
 *    the quota then fail at CreateVpc or AllocateAddress and roll back (`--spacing 0`).
 *
 * Options: --creates N (default 50), --spacing S, --slaves N (default 2).
 */
import './quiet-warnings';
import { Command } from 'commander';
import { type AslMachine, type RunResult, runMachine } from '../cli/runner/local-runner';
import { inVirtualTime } from '../cli/runner/virtual-time';
import { inProcessStepConfig } from '../cli/step-config';
import type { StepClients } from '../functions/shared/step';
import { SimulatedCloud } from '../simulator';
import { simulatedClients } from '../simulator/clients';
import { exportAsl, type MachineName } from '../workflow/export';

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
  throttled = 0;

  clients(): StepClients {
    const clients = simulatedClients(
      {
        handle: async (service, commandName, input) => {
          try {
            return await this.cloud.handle(service, commandName, input);
          } catch (err) {
            if (THROTTLE_CODES.has((err as Error).name)) this.throttled++;
            throw err;
          }
        },
      },
      this.cloud.region
    );
    return { ...clients, config: inProcessStepConfig() };
  }

  run(machine: MachineName, input: unknown, executionName: string, now: number): Promise<RunResult> {
    return runMachine({ asl: aslOf(machine), input, executionName, clients: this.clients(), clock: { now }, machineName: machine });
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

function failureOf(result: RunResult): string {
  return `${result.error ?? ''}: ${result.cause ?? ''}`;
}

async function main(): Promise<void> {
  const program = new Command()
    .option('--creates <n>', 'creates at once', '50')
    .option('--spacing <seconds>', 'seconds between two requests in the default-quota run', '5')
    .option('--slaves <n>', 'slaves per cluster', '2')
    .parse();
  const opts = program.opts<{ creates: string; spacing: string; slaves: string }>();
  const count = Number(opts.creates);
  const spacing = Number(opts.spacing);
  const slaves = Number(opts.slaves);
  if (!Number.isInteger(count) || count < 1 || !Number.isFinite(spacing) || spacing < 0 || !Number.isInteger(slaves) || slaves < 0) {
    throw new Error('--creates and --slaves must be whole numbers (creates >= 1), --spacing a number of seconds >= 0');
  }

  // A single create on an empty account: the reference time.
  const single = new CountingAccount();
  const one = await inVirtualTime(T0, 'concurrency:single', () =>
    single.run('create-cluster', { clusterId: 'solo-000001', spec: spec('solo', slaves) }, 'create-solo-000001', Date.now())
  );
  if (one.value.status !== 'SUCCEEDED') throw new Error(`the single create failed: ${failureOf(one.value)}`);
  const singleSeconds = seconds(one.value);

  // 1. Quotas raised for all of them.
  const raised = new CountingAccount();
  const vcpusPerCluster = 2 + Math.max(1, slaves) * 2;
  raised.cloud.setQuotas({
    vpcs: count + 5,
    elasticIps: count + 5,
    vcpus: count * vcpusPerCluster + 64,
    natGatewaysPerZone: count + 5,
  });
  const started = performance.now();
  const r = await burst(raised, count, 0, slaves);
  const realSeconds = (performance.now() - started) / 1000;
  const rDone = r.value.outcomes.filter((o) => o.result.status === 'SUCCEEDED');
  const rFailed = r.value.outcomes.filter((o) => o.result.status !== 'SUCCEEDED');
  const slowest = Math.max(...r.value.outcomes.map((o) => seconds(o.result)));
  const images = raised.cloud.calls.CreateImage ?? 0;
  const out = (text: string) => process.stdout.write(`${text}\n`);
  out(
    `## ${count} concurrent creates, quotas raised (VPCs, Elastic IPs, NAT gateways per zone ${count + 5}; vCPUs ${count * vcpusPerCluster + 64}), EC2 throttling on`
  );
  out('');
  out('| completed | failed | throttled answers | leaked | slowest create | single create | slowest / single | real time |');
  out('|---|---|---|---|---|---|---|---|');
  out(
    `| ${rDone.length} | ${rFailed.length} | ${r.value.throttledDuringCreates} | ${r.value.leaked.length} | ${slowest.toFixed(1)} s | ${singleSeconds.toFixed(1)} s | ${(slowest / singleSeconds).toFixed(2)} | ${realSeconds.toFixed(1)} s |`
  );
  out('');
  out(
    `CreateImage calls: ${images} (one shared image name per recipe: ${count} creates of one recipe end with one image); teardowns failed: ${r.value.teardownsFailed}`
  );
  for (const f of rFailed.slice(0, 5)) out(`  failed ${f.id}: ${failureOf(f.result)}`);

  // 2. Default quotas.
  const limited = new CountingAccount();
  const d = await burst(limited, count, spacing, slaves);
  const dDone = d.value.outcomes.filter((o) => o.result.status === 'SUCCEEDED');
  const dFailed = d.value.outcomes.filter((o) => o.result.status !== 'SUCCEEDED');
  const refused = dFailed.filter((o) => /^VALIDATE_SPEC_FAILED: .*quota/.test(o.result.cause ?? ''));
  const later = dFailed.filter((o) => !refused.includes(o));
  out('');
  out(`## ${count} creates, default quotas (5 VPCs, 5 Elastic IPs, 64 vCPUs, 5 NAT gateways per zone), requests ${spacing} s apart`);
  out('');
  out('| completed | refused by the pre-flight | failed later (rolled back) | throttled answers | leaked |');
  out('|---|---|---|---|---|');
  out(`| ${dDone.length} | ${refused.length} | ${later.length} | ${d.value.throttledDuringCreates} | ${d.value.leaked.length} |`);
  out('');
  const example = refused[0]?.result.cause;
  if (example) out(`a refusal: ${example}`);
  for (const f of later.slice(0, 3)) out(`  failed later ${f.id}: ${failureOf(f.result)}`);
}

main().catch((err) => {
  process.stderr.write(`bench:concurrency: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});
