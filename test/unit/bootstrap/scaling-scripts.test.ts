import { execFile, spawnSync } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPTIONAL_SCRIPT_PARAMETERS, renderDocumentScript, SCRIPT_PARAMETERS } from '../../../bootstrap/render-document-script';
import { CLUSTER_METRICS } from '../../../functions/shared/documents';
import { zkUrl } from '../../../functions/shared/render';

const BOOTSTRAP = join(__dirname, '../../../bootstrap');

interface BashResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `snippet` after sourcing `script` with MESOS_CLUSTER_LIB_ONLY=1; values arrive as positional parameters. */
function bash(script: string, snippet: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BashResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `source "${script}"\n${snippet}`, 'test', ...args],
      { cwd: BOOTSTRAP, env: { PATH: process.env.PATH, HOME: process.env.HOME, MESOS_CLUSTER_LIB_ONLY: '1', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr })
    );
  });
}

interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** An HTTP server that records every request and answers with `handler`. */
async function listen(
  handler: (req: Seen, res: ServerResponse) => void,
  host = '127.0.0.1',
  port = 0
): Promise<{ server: Server; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += chunk;
    });
    req.on('end', () => {
      const request = { method: req.method, url: req.url, headers: req.headers, body };
      seen.push(request);
      handler(request, res);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return { server, seen };
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

function json(res: ServerResponse, value: unknown): void {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(value));
}

const servers: Server[] = [];
let root: string;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mesos-cluster-scaling-'));
});

afterEach(async () => {
  rmSync(root, { recursive: true, force: true });
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
});

async function serve(handler: (req: Seen, res: ServerResponse) => void, host = '127.0.0.1', port = 0): Promise<Seen[]> {
  const { server, seen } = await listen(handler, host, port);
  servers.push(server);
  return seen;
}

/** /etc/mesos/zk under the root, naming these masters. */
function writeZk(masters: string[]): void {
  mkdirSync(join(root, 'etc/mesos'), { recursive: true });
  writeFileSync(join(root, 'etc/mesos/zk'), `${zkUrl(masters)}\n`);
}

/** A follower on 127.0.0.1 and the leader on 127.0.0.2 (same port); the leader answers `leader`. */
async function masters(leader: (req: Seen, res: ServerResponse) => void): Promise<{ port: number; leaderSeen: Seen[] }> {
  const follower = await listen((_req, res) => json(res, { 'master/elected': 0 }));
  servers.push(follower.server);
  const port = portOf(follower.server);
  const leaderSeen = await serve(
    (req, res) => {
      if (req.url === '/metrics/snapshot') return json(res, { 'master/elected': 1 });
      leader(req, res);
    },
    '127.0.0.2',
    port
  );
  writeZk(['127.0.0.1', '127.0.0.3', '127.0.0.2']);
  return { port, leaderSeen };
}

describe('lib/cluster.sh', () => {
  it('reports nothing to shellcheck', () => {
    // Prepare / Act
    const result = spawnSync('shellcheck', ['-x', 'lib/cluster.sh'], { cwd: BOOTSTRAP, encoding: 'utf8' });

    // Assess
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('accepts cluster ids and refuses malformed ones', async () => {
    // Prepare
    const good = ['c-1234', 'demo-a1b2c3', '0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0'];
    const bad = ['', 'C-1', 'c-1;reboot', 'c-1\nc-2', '$(id)', '-c1', 'a'.repeat(64)];

    // Act
    const result = await bash('./publish-metrics.sh', 'for id in "$@"; do if is_cluster_id "$id"; then echo ok; else echo no; fi; done', [
      ...good,
      ...bad,
    ]);

    // Assess
    expect(result.stdout.split('\n').slice(0, -1)).toEqual([...good.map(() => 'ok'), ...bad.map(() => 'no')]);
  });

  it('recognizes the elected master in a snapshot, with or without an escaped slash', async () => {
    // Prepare
    const snapshots = [
      '{"master\\/elected":1.0,"master\\/uptime_secs":3.5}',
      '{"master/elected": 1}',
      '{"master/elected":0.0}',
      '{"master/elected":10}',
      '{}',
    ];

    // Act
    const result = await bash(
      './agent-load.sh',
      'for s in "$@"; do if is_elected <<<"$s"; then echo yes; else echo no; fi; done',
      snapshots
    );

    // Assess
    expect(result.stdout).toBe('yes\nyes\nno\nno\nno\n');
  });

  it('fails leading_master when no master is elected', async () => {
    // Prepare
    const seen = await serve((_req, res) => json(res, { 'master/elected': 0 }));
    writeZk(['127.0.0.1']);

    // Act
    const result = await bash('./agent-load.sh', 'leading_master "$1" "$2" || echo none', [root, String(portOf(servers[0] as Server))]);

    // Assess
    expect(result.stdout).toBe('none\n');
    expect(seen.map((r) => r.url)).toEqual(['/metrics/snapshot']);
  });
});

describe('agent-load.sh', () => {
  it('prints the live tasks of every agent of the leading master, by address', async () => {
    // Prepare
    const { port, leaderSeen } = await masters((req, res) => {
      if (req.url !== '/master/state-summary') return json(res, {});
      json(res, {
        slaves: [
          { id: 'S2', pid: 'slave(1)@172.28.129.21:5051', hostname: 'x', TASK_RUNNING: 3, TASK_STAGING: 1, TASK_FINISHED: 9 },
          { id: 'S1', pid: 'slave(1)@172.28.129.5:5051', TASK_RUNNING: 0, TASK_KILLING: 2 },
          { id: 'S3', hostname: '172.28.129.100' },
          { id: 'S4', pid: 'slave(1)@agent.example:5051', hostname: 'agent.example', TASK_RUNNING: 4 },
        ],
      });
    });

    // Act
    const result = await bash('./agent-load.sh', 'agent_load "$1" "$2"', [root, String(port)]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('172.28.129.5 2\n172.28.129.21 4\n172.28.129.100 0\n');
    expect(result.stderr).toContain('skipping agent S4: no IPv4 address');
    expect(leaderSeen.map((r) => r.url)).toEqual(['/metrics/snapshot', '/master/state-summary']);
  });

  it('fails, printing nothing, when no elected master answers', async () => {
    // Prepare
    writeZk(['127.0.0.3']);

    // Act
    const result = await bash('./agent-load.sh', 'agent_load "$1" 1', [root]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('no elected Mesos master answered');
  });
});

describe('drain-agents.sh', () => {
  async function leader(drainStatus = 200) {
    return masters((req, res) => {
      if (req.url === '/master/slaves') {
        return json(res, {
          slaves: [
            { id: 'a1b2-S0', pid: 'slave(1)@172.28.129.20:5051' },
            { id: 'a1b2-S1', pid: 'slave(1)@172.28.129.21:5051' },
            { id: 'a1b2-S2', pid: 'slave(1)@172.28.129.22:5051' },
          ],
        });
      }
      if (req.url === '/api/v1') res.statusCode = drainStatus;
      res.end();
    });
  }

  it('schedules maintenance for the machines and drains their registered agents', async () => {
    // Prepare
    const { port, leaderSeen } = await leader();
    const before = Date.now();

    // Act
    const result = await bash('./drain-agents.sh', 'drain_agents "$1" "$2" "$3"', [
      root,
      String(port),
      '172.28.129.20,172.28.129.22,172.28.129.99',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('scheduled maintenance for 3 machines; draining 2 agents\n');
    const schedule = leaderSeen.find((r) => r.url === '/maintenance/schedule');
    expect(schedule?.method).toBe('POST');
    expect(schedule?.headers['content-type']).toBe('application/json');
    const body = JSON.parse(schedule?.body ?? '{}');
    expect(body.windows).toHaveLength(1);
    expect(body.windows[0].machine_ids).toEqual([
      { hostname: '172.28.129.20', ip: '172.28.129.20' },
      { hostname: '172.28.129.22', ip: '172.28.129.22' },
      { hostname: '172.28.129.99', ip: '172.28.129.99' },
    ]);
    expect(body.windows[0].unavailability.duration).toEqual({ nanoseconds: 3600 * 1e9 });
    expect(body.windows[0].unavailability.start.nanoseconds / 1e6).toBeGreaterThanOrEqual(before - 1000);
    const drains = leaderSeen.filter((r) => r.url === '/api/v1').map((r) => JSON.parse(r.body));
    expect(drains).toEqual([
      { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'a1b2-S0' }, max_grace_period: { nanoseconds: 60e9 } } },
      { type: 'DRAIN_AGENT', drain_agent: { agent_id: { value: 'a1b2-S2' }, max_grace_period: { nanoseconds: 60e9 } } },
    ]);
  });

  it('goes on when Mesos refuses to drain an agent, relying on the maintenance', async () => {
    // Prepare
    const { port } = await leader(400);

    // Act
    const result = await bash('./drain-agents.sh', 'drain_agents "$1" "$2" "$3"', [root, String(port), '172.28.129.21']);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('scheduled maintenance for 1 machines; draining 0 agents\n');
    expect(result.stderr).toContain('could not drain agent a1b2-S1 (172.28.129.21)');
  });

  it('clears the maintenance schedule for an empty list, draining nothing', async () => {
    // Prepare
    const { port, leaderSeen } = await leader();

    // Act
    const result = await bash('./drain-agents.sh', 'drain_agents "$1" "$2" "$3"', [root, String(port), '']);

    // Assess
    expect(result.stdout).toBe('cleared the maintenance schedule\n');
    expect(JSON.parse(leaderSeen.find((r) => r.url === '/maintenance/schedule')?.body ?? '')).toEqual({ windows: [] });
    expect(leaderSeen.map((r) => r.url)).not.toContain('/master/slaves');
  });

  it('refuses malformed agent lists and accepts an empty one', async () => {
    // Prepare
    const bad = [
      '10.0.0.1;reboot',
      '10.0.0.1,$(id)',
      '10.0.0.1\n10.0.0.2',
      '10.0.0.1,10.0.0.1',
      '10.0.0.256',
      Array.from({ length: 51 }, (_, i) => `10.0.1.${i + 1}`).join(','),
    ];

    // Act
    const result = await bash(
      './drain-agents.sh',
      'for v in "$@"; do if (AGENT_IPS=$v validate_drain_env) 2>/dev/null; then echo valid; else echo refused; fi; done',
      [...bad, '', '10.0.0.1,10.0.0.2']
    );

    // Assess
    expect(result.stdout.split('\n').slice(0, -1)).toEqual([...bad.map(() => 'refused'), 'valid', 'valid']);
  });

  it('stops at a malicious AGENT_IPS before calling any master', async () => {
    // Prepare
    const { port, leaderSeen } = await leader();

    // Act
    const result = await bash('./drain-agents.sh', 'MESOS_MASTER_PORT=$1; main', [String(port)], { AGENT_IPS: '10.0.0.1;reboot' });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('invalid AGENT_IPS');
    expect(leaderSeen).toEqual([]);
  });

  it('requires AGENT_IPS to be set', async () => {
    // Prepare / Act
    const result = await bash('./drain-agents.sh', 'validate_drain_env');

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('AGENT_IPS is required');
  });

  it('declares AgentIps as the parameter of its document', () => {
    // Assess
    expect(SCRIPT_PARAMETERS['drain-agents']).toEqual({ AgentIps: 'AGENT_IPS' });
    expect(SCRIPT_PARAMETERS['agent-load']).toEqual({});
  });
});

/** Recomputes a SigV4 signature of a request from the secret, as AWS does. */
function sigV4Valid(req: Seen, secret: string): boolean {
  const auth = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/([^,]+), SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
    String(req.headers.authorization)
  );
  if (!auth) return false;
  const [, , scope = '', signedHeaders = '', signature] = auth;
  const names = signedHeaders.split(';');
  const canonical = [
    req.method,
    '/',
    '',
    names.map((name) => `${name}:${String(req.headers[name]).trim()}\n`).join(''),
    signedHeaders,
    createHash('sha256').update(req.body).digest('hex'),
  ].join('\n');
  const toSign = ['AWS4-HMAC-SHA256', String(req.headers['x-amz-date']), scope, createHash('sha256').update(canonical).digest('hex')].join(
    '\n'
  );
  let key: Buffer = Buffer.from(`AWS4${secret}`);
  for (const part of scope.split('/')) key = createHmac('sha256', key).update(part).digest();
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}

describe('publish-metrics.sh', () => {
  const SNAPSHOT = {
    'master/elected': 1,
    'master/cpus_percent': 0.425,
    'master/mem_percent': 0.8,
    'master/slaves_active': 3,
  };

  it('uses the product metric namespace, dimension and names', () => {
    // Prepare
    const script = readFileSync(join(BOOTSTRAP, 'publish-metrics.sh'), 'utf8');

    // Assess
    expect(script).toContain(`METRICS_NAMESPACE=${CLUSTER_METRICS.namespace}\n`);
    expect(script).toContain(`METRICS_DIMENSION=${CLUSTER_METRICS.dimension}\n`);
    for (const name of [
      CLUSTER_METRICS.allocation,
      CLUSTER_METRICS.cpuAllocation,
      CLUSTER_METRICS.memAllocation,
      CLUSTER_METRICS.activeAgents,
    ]) {
      expect(script).toContain(`"${name}=$`);
    }
  });

  it('reads the figures of the elected master: allocation = max(cpu, mem) in percent', async () => {
    // Prepare / Act
    const result = await bash('./publish-metrics.sh', 'allocation_figures <<<"$1"', [JSON.stringify(SNAPSHOT)]);

    // Assess
    expect(result.stdout).toBe('80.00 42.50 80.00 3\n');
  });

  it('reads nothing from a master that is not elected', async () => {
    // Prepare / Act
    const result = await bash('./publish-metrics.sh', 'allocation_figures <<<"$1"', [JSON.stringify({ ...SNAPSHOT, 'master/elected': 0 })]);

    // Assess
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
  });

  describe('against a fake master, instance metadata and CloudWatch', () => {
    let masterPort: number;
    let imdsEndpoint: string;
    let cloudwatch: Seen[];
    let cloudwatchEndpoint: string;
    let imds: Seen[];
    let elected: number;

    beforeEach(async () => {
      elected = 1;
      const master = await listen((_req, res) => json(res, { ...SNAPSHOT, 'master/elected': elected }));
      servers.push(master.server);
      masterPort = portOf(master.server);
      const metadata = await listen((req, res) => {
        if (req.method === 'PUT' && req.url === '/latest/api/token') return res.end('tok-1');
        if (req.headers['x-aws-ec2-metadata-token'] !== 'tok-1') {
          res.statusCode = 401;
          return res.end();
        }
        if (req.url === '/latest/meta-data/placement/region') return res.end('eu-west-1');
        if (req.url === '/latest/meta-data/iam/security-credentials/') return res.end('mesos-cluster-node');
        if (req.url === '/latest/meta-data/iam/security-credentials/mesos-cluster-node') {
          return json(res, { Code: 'Success', AccessKeyId: 'ASIAFAKE', SecretAccessKey: 'fake-secret', Token: 'session-token' });
        }
        res.statusCode = 404;
        res.end();
      });
      servers.push(metadata.server);
      imds = metadata.seen;
      imdsEndpoint = `http://127.0.0.1:${portOf(metadata.server)}`;
      const cw = await listen((_req, res) => res.end('<PutMetricDataResponse/>'));
      servers.push(cw.server);
      cloudwatch = cw.seen;
      cloudwatchEndpoint = `http://127.0.0.1:${portOf(cw.server)}`;
      mkdirSync(join(root, 'etc/mesos-cluster'), { recursive: true });
      mkdirSync(join(root, 'etc/mesos-master'), { recursive: true });
      writeFileSync(join(root, 'etc/mesos-cluster/cluster-id'), 'c-1234\n');
      writeFileSync(join(root, 'etc/mesos-master/ip'), '127.0.0.1\n');
    });

    const publish = () =>
      bash('./publish-metrics.sh', 'IMDS_ENDPOINT=$1; CLOUDWATCH_ENDPOINT=$2; publish_metrics "$3" "$4"', [
        imdsEndpoint,
        cloudwatchEndpoint,
        root,
        String(masterPort),
      ]);

    it('publishes the four metrics of the leading master in one signed PutMetricData call', async () => {
      // Act
      const result = await publish();

      // Assess
      expect(result.code).toBe(0);
      expect(cloudwatch).toHaveLength(1);
      const [call] = cloudwatch as [Seen];
      const form = Object.fromEntries(new URLSearchParams(call.body));
      expect(form).toEqual({
        Action: 'PutMetricData',
        Version: '2010-08-01',
        Namespace: 'MesosCluster',
        'MetricData.member.1.MetricName': 'AllocationPercent',
        'MetricData.member.1.Value': '80.00',
        'MetricData.member.1.Unit': 'Percent',
        'MetricData.member.1.Dimensions.member.1.Name': 'ClusterId',
        'MetricData.member.1.Dimensions.member.1.Value': 'c-1234',
        'MetricData.member.2.MetricName': 'CpuAllocationPercent',
        'MetricData.member.2.Value': '42.50',
        'MetricData.member.2.Unit': 'Percent',
        'MetricData.member.2.Dimensions.member.1.Name': 'ClusterId',
        'MetricData.member.2.Dimensions.member.1.Value': 'c-1234',
        'MetricData.member.3.MetricName': 'MemAllocationPercent',
        'MetricData.member.3.Value': '80.00',
        'MetricData.member.3.Unit': 'Percent',
        'MetricData.member.3.Dimensions.member.1.Name': 'ClusterId',
        'MetricData.member.3.Dimensions.member.1.Value': 'c-1234',
        'MetricData.member.4.MetricName': 'ActiveAgents',
        'MetricData.member.4.Value': '3',
        'MetricData.member.4.Unit': 'Count',
        'MetricData.member.4.Dimensions.member.1.Name': 'ClusterId',
        'MetricData.member.4.Dimensions.member.1.Value': 'c-1234',
      });
      expect(call.method).toBe('POST');
      expect(call.headers['x-amz-security-token']).toBe('session-token');
      expect(String(call.headers.authorization)).toMatch(
        /^AWS4-HMAC-SHA256 Credential=ASIAFAKE\/\d{8}\/eu-west-1\/monitoring\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token, /
      );
      expect(sigV4Valid(call, 'fake-secret')).toBe(true);
      expect(sigV4Valid(call, 'another-secret')).toBe(false);
      expect(imds[0]).toMatchObject({ method: 'PUT', url: '/latest/api/token' });
    });

    it('publishes nothing on a master that is not the leader', async () => {
      // Prepare
      elected = 0;

      // Act
      const result = await publish();

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('not the leading master');
      expect(cloudwatch).toEqual([]);
      expect(imds).toEqual([]);
    });

    it('publishes nothing without a cluster id', async () => {
      // Prepare
      rmSync(join(root, 'etc/mesos-cluster/cluster-id'));

      // Act
      const result = await publish();

      // Assess
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('no cluster id');
      expect(cloudwatch).toEqual([]);
    });

    it('refuses a malformed cluster id in the file, publishing nothing', async () => {
      // Prepare
      writeFileSync(join(root, 'etc/mesos-cluster/cluster-id'), 'c-1&Namespace=Other\n');

      // Act
      const result = await publish();

      // Assess
      expect(result.stderr).toContain('does not hold a valid cluster id');
      expect(cloudwatch).toEqual([]);
    });

    it('fails when CloudWatch refuses the call', async () => {
      // Prepare
      const refusing = await serve((_req, res) => {
        res.statusCode = 403;
        res.end('<Error><Code>AccessDenied</Code></Error>');
      });
      cloudwatchEndpoint = `http://127.0.0.1:${portOf(servers.at(-1) as Server)}`;

      // Act
      const result = await publish();

      // Assess
      expect(result.code).not.toBe(0);
      expect(result.stderr).toContain('PutMetricData failed');
      expect(refusing).toHaveLength(1);
    });
  });
});

describe('install-metrics-publisher.sh: the metrics timer', () => {
  it('installs the publisher, its oneshot service and a timer on every minute, and the cluster id', async () => {
    // Prepare / Act
    const result = await bash('./install-metrics-publisher.sh', 'install_metrics_publisher "$1" "$2"; echo "$FILES_CHANGED"', [
      root,
      'c-1234',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('4\n');
    const script = join(root, 'usr/local/sbin/mesos-cluster-publish-metrics');
    expect(readFileSync(script, 'utf8')).toBe(renderDocumentScript('publish-metrics'));
    expect(statSync(script).mode & 0o777).toBe(0o755);
    expect(readFileSync(join(root, 'etc/systemd/system/mesos-cluster-metrics.service'), 'utf8')).toContain(
      'Type=oneshot\nExecStart=/usr/local/sbin/mesos-cluster-publish-metrics\n'
    );
    expect(readFileSync(join(root, 'etc/systemd/system/mesos-cluster-metrics.timer'), 'utf8')).toContain(
      '[Timer]\nOnCalendar=*-*-* *:*:00\nAccuracySec=1s\n'
    );
    expect(readFileSync(join(root, 'etc/mesos-cluster/cluster-id'), 'utf8')).toBe('c-1234\n');
  });

  it('changes nothing when it runs a second time', async () => {
    // Prepare
    await bash('./install-metrics-publisher.sh', 'install_metrics_publisher "$1" "$2"', [root, 'c-1234']);

    // Act
    const second = await bash('./install-metrics-publisher.sh', 'install_metrics_publisher "$1" "$2"; echo "$FILES_CHANGED"', [
      root,
      'c-1234',
    ]);

    // Assess
    expect(second.stdout).toBe('0\n');
  });

  it('writes no cluster id when none is given', async () => {
    // Prepare / Act
    const result = await bash('./install-metrics-publisher.sh', 'install_metrics_publisher "$1"', [root]);

    // Assess
    expect(result.code).toBe(0);
    expect(existsSync(join(root, 'etc/mesos-cluster/cluster-id'))).toBe(false);
  });

  it('refuses a malicious CLUSTER_ID', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'validate_master_env && echo valid', [], { CLUSTER_ID: 'c-1; reboot' });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('invalid CLUSTER_ID');
  });

  it('embeds the rendered publisher, as bash renders it from the sources', async () => {
    // Prepare
    const rendered = mkdtempSync(join(tmpdir(), 'mesos-cluster-rendered-master-'));
    writeFileSync(join(rendered, 'install-metrics-publisher.sh'), renderDocumentScript('install-metrics-publisher'));

    // Act
    const fromRendered = await bash(join(rendered, 'install-metrics-publisher.sh'), 'metrics_script_source');
    const fromSources = await bash('./install-metrics-publisher.sh', 'metrics_script_source');
    rmSync(rendered, { recursive: true, force: true });

    // Assess
    expect(fromRendered.stdout).toBe(renderDocumentScript('publish-metrics'));
    expect(fromSources.stdout).toBe(renderDocumentScript('publish-metrics'));
    expect(renderDocumentScript('install-metrics-publisher')).toContain("cat <<'MESOS_CLUSTER_METRICS_EOF'\n#!/usr/bin/env bash\n");
    expect(renderDocumentScript('configure-master')).not.toContain('MESOS_CLUSTER_METRICS_EOF');
  });

  it('refuses a malicious CLUSTER_ID before installing anything', async () => {
    // Prepare / Act
    const result = await bash('./install-metrics-publisher.sh', 'main', [], { CLUSTER_ID: 'c-1; reboot' });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('invalid CLUSTER_ID');
  });

  it('declares ClusterId as an optional parameter of configure-master and install-metrics-publisher', () => {
    // Assess
    expect(OPTIONAL_SCRIPT_PARAMETERS['configure-master']).toEqual(expect.objectContaining({ ClusterId: 'CLUSTER_ID' }));
    expect(OPTIONAL_SCRIPT_PARAMETERS['install-metrics-publisher']).toEqual({ ClusterId: 'CLUSTER_ID' });
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    expect(renderDocumentScript('configure-master')).toContain('${CLUSTER_ID:-}');
  });
});
