/**
 * Which commands go to the deployed API: without --simulate/--local, a command is remote
 * when an API URL is known (--api-url, $MESOS_CLUSTER_API_URL, or the ApiUrl output in
 * <home>/stack-outputs.json); --remote insists on it. Otherwise the CLI keeps its offline
 * default, the simulated cloud.
 */
import { type Context, outputOf, UsageError } from '../commands';
import { sourcedMessage, specSourceOf } from '../spec-input';
import { ClusterApiClient, resolveApiUrl } from './api-client';
import { type RemoteContext, remoteCreate, remoteDelete, remoteGet, remoteList } from './remote-commands';

/** The flags that choose the remote mode. */
export interface RemoteFlags {
  readonly simulate?: boolean;
  readonly local?: boolean;
  readonly remote?: boolean;
  readonly apiUrl?: string;
  readonly output?: string;
  readonly region?: string;
  readonly profile?: string;
  /** `create --no-wait`: return once the API has started the execution. */
  readonly wait?: boolean;
}

/** The remote context of a command, or undefined when it runs in-process. */
export function remoteContextOf(ctx: Context, flags: RemoteFlags): RemoteContext | undefined {
  if (flags.simulate || flags.local) {
    if (flags.apiUrl || flags.remote) throw new UsageError('--api-url/--remote and --simulate/--local exclude each other');
    return undefined;
  }
  const url = resolveApiUrl({ flag: flags.apiUrl, env: ctx.io.env, home: ctx.home });
  if (!url) {
    if (flags.remote) {
      throw new UsageError(
        '--remote: no API URL; pass --api-url, set MESOS_CLUSTER_API_URL, or deploy with --outputs-file <home>/stack-outputs.json'
      );
    }
    return undefined;
  }
  const pollMs = Number(ctx.io.env.MESOS_CLUSTER_POLL_MS ?? 5000);
  const client = new ClusterApiClient({ baseUrl: url, region: flags.region, profile: flags.profile });
  return { io: ctx.io, client, output: outputOf(flags), pollMs };
}

/** Runs a command against the API when the flags say so; undefined means "run it in-process". */
export async function runRemote(
  ctx: Context,
  command: 'create' | 'get' | 'list' | 'delete',
  flags: RemoteFlags & Record<string, unknown>,
  name?: string
): Promise<number | undefined> {
  const rc = remoteContextOf(ctx, flags);
  if (!rc) return undefined;
  switch (command) {
    case 'create':
      if (Array.isArray(flags.fault) && flags.fault.length > 0)
        throw new UsageError('--fault: faults can only be injected into the simulated cloud');
      {
        // The API validates; a field it refuses is named by the flag or file position it came from.
        const createFlags = flags as Parameters<typeof specSourceOf>[0];
        const { input, file } = specSourceOf(createFlags);
        return remoteCreate(rc, input, (field, message) => sourcedMessage(field, message, createFlags, file), flags.wait === false);
      }
    case 'get':
      return remoteGet(rc, name ?? '');
    case 'list':
      return remoteList(rc, flags.all === true);
    case 'delete':
      return remoteDelete(rc, name ?? '');
  }
}
