/**
 * The command line as a process, as users of eksctl or pcluster expect it: --version;
 * unknown flags, commands and values named as typed with "did you mean" (exit 2);
 * --region and --profile for the simulated cloud, --local (the SDK clients' Region and
 * credentials, seen by a local stand-in for the EC2 endpoint) and the API (its SigV4
 * scope); --no-wait against the API and in-process (a background create).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { processHomes, REPO, runCliProcess, runCliProcessAsync } from '../helpers/process';

const newHome = processHomes('mesos-cluster-flags-');
const ADMIN = ['--admin-cidr', '198.51.100.0/24'];

interface Received {
  readonly method: string;
  readonly url: string;
  readonly authorization: string;
  readonly body: string;
}

/** A local HTTP server answering every request with `answer`; records what it received. */
async function standIn(answer: (request: Received) => { status: number; type: string; body: string }) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    let body = '';
    req.on('data', (chunk) => {
      body += String(chunk);
    });
    req.on('end', () => {
      const request = { method: req.method ?? '', url: req.url ?? '', authorization: String(req.headers.authorization ?? ''), body };
      received.push(request);
      const { status, type, body: text } = answer(request);
      res.writeHead(status, { 'content-type': type });
      res.end(text);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, received, close: () => new Promise<void>((done) => server.close(() => done())) };
}

/** Shared AWS config and credentials files with a profile `lab` (keys of no account). */
function awsFiles(home: string): Record<string, string> {
  writeFileSync(join(home, 'credentials'), '[lab]\naws_access_key_id = AKIDLABEXAMPLE\naws_secret_access_key = secret\n');
  writeFileSync(join(home, 'config'), '[profile lab]\nregion = ca-central-1\n');
  return {
    AWS_SHARED_CREDENTIALS_FILE: join(home, 'credentials'),
    AWS_CONFIG_FILE: join(home, 'config'),
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

/** Resolves once process `pid` has ended (the background create, after its last save). */
async function exited(pid: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await new Promise((done) => setTimeout(done, 50));
  }
  throw new Error(`process ${pid} did not end`);
}

const EMPTY_VPCS =
  '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-1</requestId><vpcSet/></DescribeVpcsResponse>';

describe('mesos-cluster flags, as a process', () => {
  it('prints the version of package.json', () => {
    // Act
    const run = runCliProcess(newHome(), ['--version']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')).version}\n`);
  });

  it.each([
    [['create', '--master', '3'], "error: unknown option '--master' (did you mean --masters?)\n"],
    [['creat', '--name', 'blue'], "error: unknown command 'creat' (did you mean create?)\n"],
    [['simulator', 'inventroy'], "error: unknown command 'inventroy' (did you mean inventory?)\n"],
    [['get', 'blue', '--outptu', 'json'], "error: unknown option '--outptu' (did you mean --output?)\n"],
    [
      ['create', '--name', 'blue', ...ADMIN, '--nat-gateways', 'peraz'],
      'error: --nat-gateways: must be single or perAz (did you mean perAz?)\n',
    ],
    [
      ['create', '--name', 'blue', ...ADMIN, '--masters', '2'],
      'error: --masters: must be 1, 3 or 5 (an odd number, for a ZooKeeper majority)\n',
    ],
    [['create', '--admin-cidr', '198.51.100.0/24'], 'error: --name: is required\n'],
    [['get', 'blue', '--region', 'mars'], "error: --region: must be a Region name such as eu-west-1, got 'mars'\n"],
  ])('refuses %j naming what was typed, exit 2', (args, message) => {
    // Act
    const run = runCliProcess(newHome(), args);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(message);
  });

  it('creates the simulated cloud in the --region given, and refuses another Region for it', () => {
    // Prepare
    const home = newHome();

    // Act
    const planned = runCliProcess(home, ['create', '--name', 'blue', ...ADMIN, '--masters', '3', '--region', 'us-east-1', '--dry-run']);
    const other = runCliProcess(home, ['list', '--region', 'eu-west-1']);
    const profile = runCliProcess(home, ['list', '--profile', 'lab']);

    // Assess
    expect(planned.code).toBe(0);
    expect(planned.stderr).toMatch(/zone {7}us-east-1a: .*\n {2}zone {7}us-east-1b: .*\n {2}zone {7}us-east-1c: /);
    expect(other.code).toBe(2);
    expect(other.stderr).toContain('error: --region: the simulated cloud of');
    expect(other.stderr).toContain('is in us-east-1: it models one Region');
    expect(profile.code).toBe(2);
    expect(profile.stderr).toBe('error: --profile: the simulated cloud takes no credentials; it applies to --local and the remote mode\n');
  });

  it('signs the --local calls for the --region and with the keys of the --profile given, else of the standard chain', async () => {
    // Prepare
    const home = newHome();
    const ec2 = await standIn(() => ({ status: 200, type: 'text/xml', body: EMPTY_VPCS }));
    const env = { ...awsFiles(home), AWS_ENDPOINT_URL: ec2.url };

    // Act
    const flagged = await runCliProcessAsync(home, ['list', '--local', '--region', 'us-west-2', '--profile', 'lab'], { env });
    const standard = await runCliProcessAsync(home, ['list', '--local'], { env: { ...env, AWS_PROFILE: 'lab' } });
    await ec2.close();

    // Assess
    expect([flagged.code, standard.code]).toEqual([0, 0]);
    expect(flagged.stdout).toBe('no clusters\n');
    const [first, second] = ec2.received;
    expect(first?.body).toContain('Action=DescribeVpcs');
    expect(first?.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLABEXAMPLE\/\d{8}\/us-west-2\/ec2\/aws4_request,/);
    // AWS_PROFILE and the profile's own Region, as every AWS tool reads them.
    expect(second?.authorization).toMatch(/Credential=AKIDLABEXAMPLE\/\d{8}\/ca-central-1\/ec2\/aws4_request,/);
    expect(ec2.received).toHaveLength(2);
  });

  it('with --no-wait against the API, returns the cluster id once the API started the create, signed for --region and --profile', async () => {
    // Prepare
    const home = newHome();
    const arn = 'arn:aws:states:ap-southeast-2:123456789012:execution:mesos-cluster-create:create-blue-1a2b3c';
    const api = await standIn(() => ({
      status: 202,
      type: 'application/json',
      body: JSON.stringify({
        clusterId: 'blue-1a2b3c',
        name: 'blue',
        status: 'CREATE_IN_PROGRESS',
        executionArn: arn,
        statusUrl: '/clusters/blue-1a2b3c',
      }),
    }));
    const args = [
      'create',
      '--name',
      'blue',
      ...ADMIN,
      '--no-wait',
      '--api-url',
      `${api.url}/prod`,
      '--region',
      'ap-southeast-2',
      '--profile',
      'lab',
    ];

    // Act
    const run = await runCliProcessAsync(home, args, { env: awsFiles(home) });
    await api.close();

    // Assess
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('blue-1a2b3c\n');
    expect(run.stderr).toContain(`started create-blue-1a2b3c (${arn}) of cluster blue-1a2b3c`);
    expect(api.received.map((r) => `${r.method} ${r.url}`)).toEqual(['POST /prod/clusters']);
    expect(JSON.parse(api.received[0]?.body ?? '{}')).toEqual({ name: 'blue', adminCidr: '198.51.100.0/24' });
    expect(api.received[0]?.authorization).toMatch(/Credential=AKIDLABEXAMPLE\/\d{8}\/ap-southeast-2\/execute-api\/aws4_request,/);
  });

  it('with --no-wait on the simulated cloud, returns once a background process has started the create, which completes', async () => {
    // Prepare
    const home = newHome();
    const slowed = { env: { MESOS_CLUSTER_SIMULATION_SPEED: '200' } };

    // Act
    const started = runCliProcess(home, ['create', '--name', 'blue', ...ADMIN, '--slaves', '1', '--no-wait', '--output', 'json'], slowed);
    const journalThen = JSON.parse(readFileSync(join(home, 'clusters.json'), 'utf8'));
    const taken = runCliProcess(home, ['create', '--name', 'blue', ...ADMIN, '--no-wait']);
    const got = runCliProcess(home, ['get', 'blue', '--output', 'json']);

    // Assess
    expect(started.code).toBe(0);
    const start = JSON.parse(started.stdout);
    expect(start).toMatchObject({
      name: 'blue',
      clusterId: expect.stringMatching(/^blue-[0-9a-f]{6}$/),
      execution: `create-${start.clusterId}`,
    });
    expect(journalThen.clusters).toEqual([
      expect.objectContaining({
        id: start.clusterId,
        status: 'CREATE_IN_PROGRESS',
        executions: [expect.objectContaining({ status: 'RUNNING', pid: start.pid })],
      }),
    ]);
    expect(taken.code).toBe(2);
    expect(taken.stderr.match(/error:/g)).toHaveLength(1);
    expect(taken.stderr).toContain(`error: cluster blue is busy: pid ${start.pid} is running create blue`);
    // `get` takes its turn on the simulated cloud after the background create.
    expect(JSON.parse(got.stdout)).toMatchObject({ id: start.clusterId, status: 'CREATE_COMPLETE' });
    expect(readFileSync(start.log, 'utf8')).toMatch(/✓ ready .* 2 steps\n/);
    await exited(start.pid);
  });
});
