/**
 * The CLI's client of the deployed cluster API: every call signed with SigV4, JSON in and
 * out; an error response becomes a RemoteApiError carrying the status and the API's error.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { defaultCredentials, regionOfUrl, signRequest } from './sigv4';

/** The environment variable with the API URL. */
export const API_URL_ENV = 'MESOS_CLUSTER_API_URL';
/** The stack outputs file that `cdk deploy --outputs-file <home>/stack-outputs.json` writes. */
export const OUTPUTS_FILE = 'stack-outputs.json';

/** An error answer of the API. */
export class RemoteApiError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly field?: string;
  readonly rule?: string;

  constructor(statusCode: number, body: unknown) {
    const error = (body as { error?: { code?: string; message?: string; field?: string; rule?: string } } | null)?.error;
    const plain = (body as { message?: string } | null)?.message;
    super(error?.message ?? plain ?? `the API answered ${statusCode}`);
    this.name = 'RemoteApiError';
    this.statusCode = statusCode;
    this.code = error?.code ?? String(statusCode);
    this.field = error?.field;
    this.rule = error?.rule;
  }
}

/**
 * The API URL: `--api-url`, else $MESOS_CLUSTER_API_URL, else the `ApiUrl` output in
 * `<home>/stack-outputs.json` (from `cdk deploy --outputs-file`). Undefined when none is set.
 */
export function resolveApiUrl(options: {
  flag?: string;
  env: Readonly<Record<string, string | undefined>>;
  home: string;
}): string | undefined {
  if (options.flag) return options.flag;
  if (options.env[API_URL_ENV]) return options.env[API_URL_ENV];
  const file = join(options.home, OUTPUTS_FILE);
  if (!existsSync(file)) return undefined;
  const outputs = JSON.parse(readFileSync(file, 'utf8')) as Record<string, Record<string, string>>;
  const stackName = options.env.MESOS_CLUSTER_STACK_NAME ?? 'MesosCluster';
  const url = outputs[stackName]?.ApiUrl ?? Object.values(outputs).find((o) => o.ApiUrl)?.ApiUrl;
  if (!url) throw new Error(`${file} has no ApiUrl output (of stack ${stackName})`);
  return url;
}

export interface ClusterApiClientOptions {
  readonly baseUrl: string;
  /** The signing Region. @default the Region in the URL, else AWS_REGION */
  readonly region?: string;
  /** @default the standard credential chain (of `profile`, if given) */
  readonly credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** A named profile of the shared config and credentials files. */
  readonly profile?: string;
  /** @default globalThis.fetch */
  readonly fetch?: typeof fetch;
}

/** Calls the cluster API. */
export class ClusterApiClient {
  private readonly base: URL;
  private readonly region: string;
  private readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  private readonly fetchFn: typeof fetch;

  constructor(options: ClusterApiClientOptions) {
    this.base = new URL(options.baseUrl.endsWith('/') ? options.baseUrl : `${options.baseUrl}/`);
    const region = options.region ?? regionOfUrl(this.base) ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
    if (!region) throw new Error('the API Region is unknown: use an execute-api URL or set AWS_REGION');
    this.region = region;
    this.credentials = options.credentials ?? defaultCredentials(options.profile);
    this.fetchFn = options.fetch ?? fetch;
  }

  /** Sends one signed request; resolves to the JSON body of a 2xx answer. */
  async call<T>(method: string, path: string, body?: unknown, query: Record<string, string> = {}): Promise<T> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers = await signRequest({ method, url, body: text }, { region: this.region, credentials: this.credentials });
    const response = await this.fetchFn(url, { method, headers, body: text });
    const raw = await response.text();
    let json: unknown = null;
    try {
      json = raw ? JSON.parse(raw) : null;
    } catch {
      json = { message: raw };
    }
    if (!response.ok) throw new RemoteApiError(response.status, json);
    return json as T;
  }

  createCluster(spec: unknown) {
    return this.call<{ clusterId: string; name: string; status: string; executionArn: string; statusUrl: string }>(
      'POST',
      '/clusters',
      spec
    );
  }

  listClusters(all: boolean) {
    return this.call<{ clusters: Record<string, unknown>[] }>('GET', '/clusters', undefined, all ? { all: 'true' } : {});
  }

  getCluster(id: string) {
    return this.call<RemoteCluster>('GET', `/clusters/${encodeURIComponent(id)}`);
  }

  deleteCluster(id: string) {
    return this.call<{ clusterId: string; status: string; executionArn: string; alreadyRunning?: boolean }>(
      'DELETE',
      `/clusters/${encodeURIComponent(id)}`
    );
  }

  scaleCluster(id: string, slaves: number) {
    return this.call<{ clusterId: string; status: string; executionArn: string; targetSlaves: number }>(
      'POST',
      `/clusters/${encodeURIComponent(id)}/scale`,
      { slaves }
    );
  }

  executionEvents(id: string, execution: string, after: number) {
    return this.call<RemoteEvents>(
      'GET',
      `/clusters/${encodeURIComponent(id)}/executions/${encodeURIComponent(execution)}/events`,
      undefined,
      { after: String(after) }
    );
  }
}

/** GET /clusters/{id} (see docs/api.md). */
export interface RemoteCluster {
  readonly id: string;
  readonly name: string;
  readonly status: string;
  readonly failureCode?: string;
  readonly failureReason?: string;
  readonly mesosUrl: string | null;
  readonly marathonUrl: string | null;
  readonly masters: { instanceId: string; publicIp: string | null; privateIp: string; mesosUrl: string | null }[];
  readonly slaveCount: number;
  readonly currentExecution: { name: string; status: string } | null;
  readonly recentExecutions: { kind: string; name: string; status: string; startDate: string }[];
}

/** One progress event of GET /clusters/{id}/executions/{execution}/events. */
export interface RemoteEvent {
  readonly id: number;
  readonly elapsedMs: number;
  readonly type: 'ExecutionStarted' | 'StateEntered' | 'StateExited' | 'StateFailed' | 'ExecutionEnded';
  readonly state?: string;
  readonly stateType?: string;
  readonly error?: string;
  readonly cause?: string;
  readonly status?: string;
}

export interface RemoteEvents {
  readonly execution: { name: string; executionArn: string; status: string };
  readonly events: RemoteEvent[];
  readonly lastEventId: number;
}
