/**
 * The CLI's remote mode against a local HTTP server on 127.0.0.1 that plays the deployed
 * API: every request must carry a SigV4 Authorization header for execute-api that
 * re-signing the received request reproduces; the server answers canned responses.
 */

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/main';
import { signRequest } from '../../../cli/remote/sigv4';

interface Received {
  readonly method: string;
  readonly path: string;
  readonly body: string;
  readonly authorization: string;
  readonly signatureValid: boolean;
}

const ID = 'blue-0a1b2c';
const CREATE_ARN = `arn:aws:states:eu-west-1:123456789012:execution:Create:create-${ID}`;
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=AKIDTEST\/\d{8}\/eu-west-1\/execute-api\/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}$/;

const CLUSTER = {
  id: ID,
  name: 'blue',
  status: 'CREATE_COMPLETE',
  mesosUrl: 'http://203.0.113.5:5050',
  marathonUrl: 'http://203.0.113.5:8080',
  masters: [
    {
      instanceId: 'i-m1',
      availabilityZone: 'eu-west-1a',
      privateIp: '172.28.128.10',
      publicIp: '203.0.113.5',
      mesosUrl: 'http://203.0.113.5:5050',
      marathonUrl: 'http://203.0.113.5:8080',
    },
  ],
  slaveCount: 2,
  vpcId: 'vpc-1',
  imageId: 'ami-1',
  currentExecution: null,
  recentExecutions: [
    { kind: 'create', name: `create-${ID}`, executionArn: CREATE_ARN, status: 'SUCCEEDED', startDate: '2026-01-01T10:00:00.000Z' },
  ],
};

const EVENTS_RUNNING = {
  execution: { name: `create-${ID}`, executionArn: CREATE_ARN, status: 'RUNNING' },
  events: [
    { id: 1, timestamp: '2026-01-01T10:00:00.000Z', elapsedMs: 0, type: 'ExecutionStarted' },
    { id: 2, timestamp: '2026-01-01T10:00:01.000Z', elapsedMs: 1000, type: 'StateEntered', state: 'Create VPC', stateType: 'Task' },
    {
      id: 5,
      timestamp: '2026-01-01T10:00:02.000Z',
      elapsedMs: 2000,
      type: 'StateFailed',
      state: 'Create VPC',
      stateType: 'Task',
      error: 'RetryableError',
      cause: 'create-vpc: throttled',
    },
  ],
  lastEventId: 5,
  complete: true,
};
const EVENTS_DONE = {
  execution: { name: `create-${ID}`, executionArn: CREATE_ARN, status: 'SUCCEEDED' },
  events: [
    { id: 6, timestamp: '2026-01-01T10:00:05.500Z', elapsedMs: 5500, type: 'StateExited', state: 'Create VPC', stateType: 'Task' },
    { id: 7, timestamp: '2026-01-01T10:00:06.000Z', elapsedMs: 6000, type: 'StateEntered', state: 'Any Slaves?', stateType: 'Choice' },
    { id: 8, timestamp: '2026-01-01T10:00:06.000Z', elapsedMs: 6000, type: 'StateExited', state: 'Any Slaves?', stateType: 'Choice' },
    { id: 9, timestamp: '2026-01-01T10:00:07.000Z', elapsedMs: 7000, type: 'ExecutionEnded', status: 'SUCCEEDED' },
  ],
  lastEventId: 9,
  complete: true,
};

async function bodyOf(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Re-signs the received request with the same credentials and date: the signature must match. */
async function verify(req: IncomingMessage, body: string, base: string): Promise<boolean> {
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  const m = /^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/.exec(amzDate);
  if (!m) return false;
  const [y, mo, d, h, mi, sec] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const signingDate = new Date(Date.UTC(y, mo - 1, d, h, mi, sec));
  const headers = await signRequest(
    { method: req.method ?? 'GET', url: new URL(req.url ?? '/', base), body: body === '' ? undefined : body },
    { region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' }, signingDate }
  );
  return headers.authorization === req.headers.authorization;
}

describe('mesos-cluster in the remote mode', () => {
  let server: Server;
  let base: string;
  let received: Received[];
  let eventsServed: number;
  const homes: string[] = [];

  beforeAll(async () => {
    server = createServer(async (req, res) => {
      const body = await bodyOf(req);
      const path = req.url ?? '';
      received.push({
        method: req.method ?? '',
        path,
        body,
        authorization: String(req.headers.authorization ?? ''),
        signatureValid: await verify(req, body, base),
      });
      const send = (status: number, json: unknown) => {
        res.writeHead(status, { 'Content-Type': 'application/json' });
        res.end(JSON.stringify(json));
      };
      if (req.method === 'POST' && path === '/v1/clusters') {
        const spec = JSON.parse(body) as { name?: string; masters?: number };
        if (spec.masters === 2) {
          return send(400, {
            error: { code: 'BadRequest', message: 'masters: must be 1, 3 or 5', field: 'masters', rule: 'must be 1, 3 or 5' },
          });
        }
        return send(202, {
          clusterId: ID,
          name: spec.name,
          status: 'CREATE_IN_PROGRESS',
          executionArn: CREATE_ARN,
          statusUrl: `${base}/clusters/${ID}`,
        });
      }
      if (req.method === 'GET' && path.startsWith(`/v1/clusters/${ID}/executions/create-${ID}/events`)) {
        eventsServed += 1;
        return send(200, eventsServed === 1 ? EVENTS_RUNNING : EVENTS_DONE);
      }
      if (req.method === 'GET' && path === `/v1/clusters/${ID}`) return send(200, CLUSTER);
      if (req.method === 'GET' && path.startsWith('/v1/clusters'))
        return send(200, {
          clusters: [{ id: ID, name: 'blue', status: 'CREATE_COMPLETE', vpcId: 'vpc-1', currentExecution: null, createdAt: null }],
        });
      return send(404, { error: { code: 'NotFound', message: `no route ${path}` } });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
    for (const home of homes) rmSync(home, { recursive: true, force: true });
  });

  beforeEach(() => {
    received = [];
    eventsServed = 0;
  });

  async function cli(argv: string[], env: Record<string, string> = {}) {
    const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-remote-'));
    homes.push(home);
    let stdout = '';
    let stderr = '';
    const code = await main(argv, {
      stdout: (t) => {
        stdout += t;
      },
      stderr: (t) => {
        stderr += t;
      },
      env: { MESOS_CLUSTER_HOME: home, MESOS_CLUSTER_POLL_MS: '1', ...env },
      cwd: home,
    });
    return { code, stdout, stderr, home };
  }

  it('creates through the API with signed requests and follows the execution with live progress', async () => {
    // Act
    const run = await cli(['create', '--name', 'blue', '--admin-cidr', '198.51.100.0/24', '--slaves', '2', '--api-url', base]);

    // Assess
    expect(run.code).toBe(0);
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/clusters',
      `GET /v1/clusters/${ID}/executions/create-${ID}/events?after=0`,
      `GET /v1/clusters/${ID}/executions/create-${ID}/events?after=5`,
      `GET /v1/clusters/${ID}`,
    ]);
    expect(JSON.parse(received[0]?.body ?? '{}')).toEqual({ name: 'blue', adminCidr: '198.51.100.0/24', slaves: 2 });
    for (const r of received) {
      expect(r.authorization).toMatch(AUTH);
      expect(AUTH.exec(r.authorization)?.[1]?.split(';')).toEqual(expect.arrayContaining(['host', 'x-amz-date']));
      expect(r.signatureValid).toBe(true);
    }
    expect(run.stderr.split('\n')).toEqual([
      `creating cluster ${ID} (remote): create-${ID}`,
      '[ 00:00:01] ▶ Create VPC',
      '[ 00:00:02] ! Create VPC: RetryableError: create-vpc: throttled',
      '[ 00:00:05] ✓ Create VPC (4.5 s)',
      '[ 00:00:06] · Any Slaves?',
      '',
    ]);
    expect(run.stdout).toContain('status     CREATE_COMPLETE');
    expect(run.stdout).toContain('mesos      http://203.0.113.5:5050');
  });

  it('prints the API refusal with the flag of its field and its rule and exits 2', async () => {
    // Act
    const run = await cli(['create', '--name', 'blue', '--admin-cidr', '198.51.100.0/24', '--masters', '2', '--api-url', base]);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: --masters: must be 1, 3 or 5\n');
    expect(received).toHaveLength(1);
  });

  it('takes the API URL from MESOS_CLUSTER_API_URL and the stack outputs file, and prints JSON', async () => {
    // Prepare
    const home = mkdtempSync(join(tmpdir(), 'mesos-cluster-remote-'));
    homes.push(home);
    writeFileSync(join(home, 'stack-outputs.json'), JSON.stringify({ MesosCluster: { ApiUrl: `${base}/` } }));

    // Act
    const fromEnv = await cli(['get', 'blue', '--output', 'json'], { MESOS_CLUSTER_API_URL: base });
    const fromOutputs = await cli(['list', '--output', 'json'], { MESOS_CLUSTER_HOME: home });

    // Assess
    expect([fromEnv.code, fromOutputs.code]).toEqual([0, 0]);
    expect(JSON.parse(fromEnv.stdout)).toEqual(CLUSTER);
    expect(JSON.parse(fromOutputs.stdout)).toEqual([expect.objectContaining({ id: ID, status: 'CREATE_COMPLETE' })]);
    expect(received.map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /v1/clusters',
      `GET /v1/clusters/${ID}`,
      `GET /v1/clusters/${ID}`,
      'GET /v1/clusters',
    ]);
  });

  it('refuses --remote without an API URL and --api-url with --simulate', async () => {
    // Act
    const noUrl = await cli(['list', '--remote']);
    const both = await cli(['list', '--simulate', '--api-url', base]);
    const scaleOffline = await cli(['scale', 'blue', '--slaves', '3', '--simulate']);

    // Assess
    expect([noUrl.code, both.code, scaleOffline.code]).toEqual([2, 2, 2]);
    expect(noUrl.stderr).toMatch(/^error: --remote: no API URL/);
    expect(both.stderr).toBe('error: --api-url/--remote and --simulate/--local exclude each other\n');
    expect(received).toEqual([]);
  });
});
