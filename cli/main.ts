/**
 * The `mesos-cluster` command line. `main(argv, io)` parses the arguments, runs the
 * command and returns the exit code: 0 success, 1 the workflow failed (or an unexpected
 * error), 2 bad input or refused. `cli/bin.js` calls it with process.argv.
 */
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_SPEC } from '../functions/shared/cluster-spec';
import { homeDir, SimulatedRegionError } from './cloud';
import {
  type CliIo,
  type Context,
  createCommand,
  deleteCommand,
  demoCommand,
  EXIT,
  getCommand,
  inventoryCommand,
  listCommand,
  quotasCommand,
  resetCommand,
  UsageError,
} from './commands';
import { LockBusyError } from './lock';
import { mirrorCommand } from './mirror-command';
import { remoteContextOf, runRemote } from './remote/dispatch';
import { RemoteRefusal } from './remote/remote-commands';
import { advanceCommand, loadCommand, scaleCommand } from './scale-commands';
import { SpecInputError } from './spec-input';
import { StateFileError } from './state-files';

export type { CliIo } from './commands';

const MODES_HELP = `
Modes:
  --simulate  (default) run the workflow in-process against the simulated cloud, in virtual
              time; its state is kept in <home>/simulator.json.
  --local     run the workflow in-process against a real AWS endpoint (an account, or
              LocalStack with AWS_ENDPOINT_URL), with the standard credential chain.
  --remote    The remote mode: call the deployed stack's API, signed with SigV4 from the
              standard credential chain; the default when an API URL is known (--api-url,
              $MESOS_CLUSTER_API_URL, or the ApiUrl output in <home>/stack-outputs.json).

Config: create -f cluster.yaml (YAML or JSON, the cluster spec; see examples/cluster.yaml);
        create --dry-run prints the plan and a config that -f takes back.
Home: $MESOS_CLUSTER_HOME, else ./.mesos-cluster (journal clusters.json, simulator.json).
Exit codes: 0 success, 1 workflow failed, 2 bad input or refused.`;

/** The version of package.json. */
function packageVersion(): string {
  return (require('../package.json') as { version: string }).version;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

function withModeOptions(command: Command): Command {
  return command
    .option('--simulate', 'run against the simulated cloud (default)')
    .option('--local', 'run in-process against a real AWS endpoint (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE)')
    .option('--latency-model <file>', 'latency model JSON for the simulated cloud (fields of simulator/latency-model.json)')
    .option('--api-url <url>', "call the deployed stack's API at this URL (SigV4)")
    .option('--remote', "call the deployed stack's API (URL from --api-url, $MESOS_CLUSTER_API_URL or <home>/stack-outputs.json)")
    .option(
      '--region <region>',
      "AWS Region of --local and the API (default: AWS_REGION or the profile's); of a new simulated cloud (default eu-west-1)"
    )
    .option(
      '--profile <name>',
      'named profile of the shared AWS config and credentials files for --local and the API (default: AWS_PROFILE)'
    )
    .addOption(new Option('--output <format>', 'text or json').default('text'));
}

const VERBOSE_HELP = 'show every state, retry and failure of the run (default: one line per phase)';

function buildProgram(ctx: Context, setExit: (code: number) => void): Command {
  const program = new Command('mesos-cluster')
    .description('Create, inspect and delete Apache Mesos clusters on AWS, run as a Step Functions workflow.')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => ctx.io.stdout(text),
      writeErr: (text) => ctx.io.stderr(text),
      // One line: the flag or command as typed, and the nearest known one.
      outputError: (text, write) => write(text.replace(/\n\(Did you mean (.+)\?\)\n?$/, ' (did you mean $1?)\n')),
    })
    .version(packageVersion(), '-V, --version', 'print the version of mesos-cluster')
    .showSuggestionAfterError()
    .addHelpText('after', MODES_HELP)
    .hook('preAction', (_program, action) => {
      if (ctx.display) ctx.display.verbose = action.opts().verbose === true;
    });

  withModeOptions(
    program
      .command('create')
      .description('create a cluster: VPC, subnets, NAT gateway, masters, slave image and slaves')
      .option('--name <name>', 'cluster name: a lowercase DNS label of 3 to 32 characters')
      .option('--masters <n>', `number of masters: 1, 3 or 5 (default ${DEFAULT_SPEC.masters})`)
      .option('--slaves <n>', `number of slaves (default ${DEFAULT_SPEC.slaves})`)
      .option('--admin-cidr <cidr>', 'who may reach the Mesos and Marathon UIs (required)')
      .option('--vpc-cidr <cidr>', `VPC CIDR (default ${DEFAULT_SPEC.vpcCidr})`)
      .option('--public-subnet-cidr <cidr>', `public subnet CIDR (default ${DEFAULT_SPEC.publicSubnetCidr})`)
      .option('--private-subnet-cidr <cidr>', `private subnet CIDR (default ${DEFAULT_SPEC.privateSubnetCidr})`)
      .option('--availability-zone <az>', 'one availability zone for the whole cluster')
      .option(
        '--availability-zones <list>',
        'comma-separated zones to spread masters and slaves over (default: one zone per master, capped by the Region)'
      )
      .option('--nat-gateways <mode>', 'single (one NAT gateway, default) or perAz (one per zone)')
      .option('--fresh-image', 'bake a new slave image even if one with the same software is available')
      .option('--master-instance-type <type>', `master instance type (default ${DEFAULT_SPEC.masterInstanceType})`)
      .option('--slave-instance-type <type>', `slave instance type (default ${DEFAULT_SPEC.slaveInstanceType})`)
      .option('--allow-public-admin', 'allow an admin CIDR of 0.0.0.0/0')
      .option('--keep-on-failure', 'keep the resources of a failed create (for inspection)')
      .option(
        '-f, --file <file>',
        'cluster config file, YAML or JSON: the fields of the cluster spec (examples/cluster.yaml); the flags override them'
      )
      .option('--spec <file>', 'the same as -f/--file')
      .option('--verbose', VERBOSE_HELP)
      .option(
        '--dry-run',
        'check the spec, the name, the zones and the quotas in-process; print the plan (stderr) and the cluster config for -f (stdout); create nothing'
      )
      .option(
        '--no-wait',
        'start the create and print its cluster id; in-process modes run it in a background process (log in <home>/logs)'
      )
      .option('--resume <name>', 'run an interrupted or failed create of this cluster again, with its recorded id and spec')
      .option(
        '--on-interrupt <action>',
        'on Ctrl-C (SIGINT) or SIGTERM: keep what was created (resume or delete later) or rollback',
        'keep'
      )
      .option(
        '--fault <OPERATION=ERRORCODE[:COUNT]>',
        'inject a fault into the simulated cloud (repeatable; without COUNT it persists)',
        collect,
        []
      )
  ).action(async (flags) => {
    if (flags.dryRun && flags.wait === false) throw new UsageError('--no-wait: a dry run starts nothing; leave out --no-wait or --dry-run');
    if (flags.dryRun && remoteContextOf(ctx, flags)) {
      throw new UsageError(
        '--dry-run: runs in-process against the simulated cloud or --local, not the remote API; pass --simulate or --local'
      );
    }
    setExit((flags.dryRun ? undefined : await runRemote(ctx, 'create', flags)) ?? (await createCommand(ctx, flags)));
  });

  withModeOptions(program.command('get').description('describe a cluster').argument('<name>', 'cluster name or id')).action(
    async (name: string, flags) => setExit((await runRemote(ctx, 'get', flags, name)) ?? (await getCommand(ctx, name, flags)))
  );

  withModeOptions(
    program.command('list').description('list the clusters of the journal').option('--all', 'include deleted clusters')
  ).action(async (flags) => setExit((await runRemote(ctx, 'list', flags)) ?? (await listCommand(ctx, flags))));

  withModeOptions(
    program
      .command('delete')
      .description('delete a cluster and everything tagged with its id')
      .argument('<name>', 'cluster name or id')
      .option('--verbose', VERBOSE_HELP)
  ).action(async (name: string, flags) =>
    setExit((await runRemote(ctx, 'delete', flags, name)) ?? (await deleteCommand(ctx, name, flags)))
  );

  withModeOptions(
    program
      .command('scale')
      .description("scale a cluster to an exact slave count within its autoscaling bounds (live progress; the API's in remote mode)")
      .argument('<name>', 'cluster name or id')
      .option('--slaves <n>', 'the slave count to scale to')
      .option('--verbose', VERBOSE_HELP)
      .option(
        '--fault <OPERATION=ERRORCODE[:COUNT]>',
        'inject a fault into the simulated cloud (repeatable; without COUNT it persists)',
        collect,
        []
      )
  ).action(async (name: string, flags) => setExit(await scaleCommand(ctx, name, flags)));

  program
    .command('mirror')
    .description("fill the package mirror bucket with the manifest's .deb files, each checked against its recorded SHA256")
    .option('--from <dir>', 'folder with the .deb files (needed for every package the bucket lacks)')
    .option('--record', 'record the SHA256 and file name of unrecorded packages from the files in --from into the manifest')
    .option('--bucket <name>', 'the bucket (default: $MESOS_CLUSTER_PACKAGE_BUCKET, the stack output, or the simulated one)')
    .option('--manifest <file>', 'the package manifest (default: functions/shared/package-manifest.json)')
    .option('--simulate', "fill the simulated stack's bucket (default)")
    .option('--local', "fill a deployed stack's bucket with the standard credential chain")
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .action(async (flags) => setExit(await mirrorCommand(ctx, flags)));

  const simulator = program.command('simulator').description('inspect, load, advance or reset the simulated cloud');
  simulator
    .command('inventory')
    .description('every live simulated resource: id, type, state, tags')
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .action(async (flags) => setExit(await inventoryCommand(ctx, flags)));
  simulator
    .command('load')
    .description("set the load (Mesos allocation, percent) a cluster's leading master reports from now on")
    .argument('<name>', 'cluster name or id')
    .option('--percent <p>', 'allocation percent, 0 to 100')
    .option('--relative-to-slaves <n>', 'the percent holds at n slaves and falls as slaves are added (a fixed demand)')
    .option('--latency-model <file>', 'latency model JSON for the simulated cloud')
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .action(async (name: string, flags) => setExit(await loadCommand(ctx, name, flags)));
  simulator
    .command('advance')
    .description('move the simulated clock; each scaling alarm that enters ALARM starts the scale machine, as EventBridge would')
    .option('--minutes <m>', 'simulated minutes to move the clock by (at most one day)')
    .option('--latency-model <file>', 'latency model JSON for the simulated cloud')
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .action(async (flags) => setExit(await advanceCommand(ctx, flags)));
  simulator
    .command('quotas')
    .description("print the simulated account's quotas; the flags set them, as a quota increase would")
    .option('--vpcs <n>', 'VPCs per Region (default 5)')
    .option('--elastic-ips <n>', 'Elastic IP addresses (default 5)')
    .option('--vcpus <n>', 'running On-Demand Standard instances, in vCPUs (default 64)')
    .option('--nat-gateways-per-zone <n>', 'NAT gateways per availability zone (default 5)')
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .action(async (flags) => setExit(await quotasCommand(ctx, flags)));
  simulator
    .command('reset')
    .description('forget the simulated cloud and the clusters recorded on it')
    .action(async () => setExit(await resetCommand(ctx)));

  program
    .command('demo')
    .description('create a demo cluster (1 master, 3 slaves) on the simulated cloud, replacing an earlier one')
    .option('--latency-model <file>', 'latency model JSON for the simulated cloud')
    .addOption(new Option('--output <format>', 'text or json').default('text'))
    .option('--verbose', VERBOSE_HELP)
    .action(async (flags) => setExit(await demoCommand(ctx, flags)));

  return program;
}

/** Runs the CLI with `argv` (the arguments after the program name); resolves to the exit code. */
export async function main(argv: readonly string[], io: Partial<CliIo> = {}): Promise<number> {
  const fullIo: CliIo = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    env: io.env ?? process.env,
    cwd: io.cwd ?? process.cwd(),
    stderrIsTTY: io.stderrIsTTY ?? (io.stderr ? false : process.stderr.isTTY === true),
  };
  // SIGINT/SIGTERM (Ctrl-C, or a `delete` of the cluster being created) stop the running
  // execution: it is recorded and the simulated cloud saved; a second signal kills as usual.
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const display = { verbose: false };
  const ctx: Context = { io: fullIo, home: homeDir(fullIo.env, fullIo.cwd), signal: stop.signal, argv, display };
  let exitCode: number = EXIT.ok;
  const program = buildProgram(ctx, (code) => {
    exitCode = code;
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
    if (
      err instanceof UsageError ||
      err instanceof LockBusyError ||
      err instanceof RemoteRefusal ||
      err instanceof StateFileError ||
      err instanceof SpecInputError ||
      err instanceof SimulatedRegionError
    ) {
      fullIo.stderr(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    const error = err as Error;
    fullIo.stderr(`error: ${error?.message ?? String(err)}\n`);
    if (fullIo.env.MESOS_CLUSTER_DEBUG) fullIo.stderr(`${error?.stack ?? ''}\n`);
    return EXIT.failed;
  } finally {
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}
