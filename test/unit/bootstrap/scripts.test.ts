import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createNetServer, type Server as NetServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BOOTSTRAP_SCRIPTS, renderDocumentScript, SCRIPT_PARAMETERS } from '../../../bootstrap/render-document-script';
import { DEFAULT_SOFTWARE } from '../../../functions/shared/cluster-spec';
import {
  JOIN_COMMAND,
  mesosQuorum,
  renderJoinUserData,
  renderZooCfg,
  zkUrl,
  zooMyId,
  zooServerLines,
} from '../../../functions/shared/render';

const BOOTSTRAP = join(__dirname, '../../../bootstrap');
const SOURCE_SCRIPTS = [...BOOTSTRAP_SCRIPTS.map((name) => `${name}.sh`), 'lib/common.sh'];

const ONE = ['172.28.128.10'];
const THREE = ['172.28.128.10', '172.28.128.11', '172.28.128.12'];
const FIVE = ['172.28.128.10', '172.28.128.11', '172.28.128.12', '172.28.128.13', '172.28.128.14'];

interface BashResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `snippet` in bash after sourcing `script` (a path relative to bootstrap/, or an
 * absolute one) with MESOS_CLUSTER_LIB_ONLY=1, so only its functions are defined. Values
 * reach the snippet as positional parameters, never inside its text.
 */
function bash(script: string, snippet: string, args: readonly string[] = [], env: NodeJS.ProcessEnv = {}): Promise<BashResult> {
  return new Promise((resolve) => {
    execFile(
      'bash',
      ['-c', `source "${script}"\n${snippet}`, 'test', ...args],
      { cwd: BOOTSTRAP, env: { PATH: process.env.PATH, HOME: process.env.HOME, MESOS_CLUSTER_LIB_ONLY: '1', ...env }, timeout: 20_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      }
    );
  });
}

function requireShellcheck(): void {
  const probe = spawnSync('shellcheck', ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('shellcheck is not installed: run `apt-get install shellcheck` (.ci/run installs it)');
  }
}

function read(root: string, path: string): string {
  return readFileSync(join(root, path), 'utf8');
}

function listen(handler: (req: IncomingMessage, res: ServerResponse) => void, host = '127.0.0.1', port = 0): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer(handler);
    server.once('error', reject);
    server.listen(port, host, () => resolve(server));
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('server has no port');
  return address.port;
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}

let root: string;
let rendered: string;

beforeAll(() => {
  rendered = mkdtempSync(join(tmpdir(), 'mesos-cluster-rendered-'));
  for (const name of BOOTSTRAP_SCRIPTS) writeFileSync(join(rendered, `${name}.sh`), renderDocumentScript(name));
});

afterAll(() => {
  rmSync(rendered, { recursive: true, force: true });
});

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'mesos-cluster-root-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('shellcheck', () => {
  it.each(SOURCE_SCRIPTS)('reports nothing for bootstrap/%s', (script) => {
    // Prepare
    requireShellcheck();

    // Act
    const result = spawnSync('shellcheck', ['-x', script], { cwd: BOOTSTRAP, encoding: 'utf8' });

    // Assess
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it.each([...BOOTSTRAP_SCRIPTS])('reports nothing for the rendered document script %s', (name) => {
    // Prepare
    requireShellcheck();

    // Act
    const result = spawnSync('shellcheck', [`${name}.sh`], { cwd: rendered, encoding: 'utf8' });

    // Assess
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});

describe('renderDocumentScript', () => {
  it.each([...BOOTSTRAP_SCRIPTS])('makes %s self-contained', (name) => {
    // Prepare / Act
    const text = renderDocumentScript(name);

    // Assess
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion, not a template
    const guard = text.indexOf('\n[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"\n');
    expect(text.split('\n')[0]).toBe('#!/usr/bin/env bash');
    expect(guard).toBeGreaterThan(0);
    expect(guard).toBeLessThan(text.indexOf('\nset -euo pipefail\n'));
    // Nothing is read from disk: a library comes inlined, or from an embedded script (`source <(fn)`).
    expect(text).not.toMatch(/^source (?!<\()/m);
    expect(text).not.toContain('# >>> inline');
    expect(text).not.toContain('# >>> sources only');
    expect(text).toContain('imds_get() {');
    expect(spawnSync('bash', ['-n', join(rendered, `${name}.sh`)]).status).toBe(0);
  });

  it('embeds the rendered join script into configure-slave, as bash renders it from the sources', async () => {
    // Prepare
    const join = renderDocumentScript('mesos-cluster-join');

    // Act
    const fromRendered = await bash(join_(rendered, 'configure-slave.sh'), 'join_script_source');
    const fromSources = await bash('./configure-slave.sh', 'join_script_source');

    // Assess
    expect(fromRendered.stdout).toBe(join);
    expect(fromSources.stdout).toBe(join);
    expect(renderDocumentScript('configure-slave')).toContain("cat <<'MESOS_CLUSTER_JOIN_EOF'\n#!/usr/bin/env bash\n");
  });

  it('names the environment of each document parameter', () => {
    // Prepare / Act
    const master = SCRIPT_PARAMETERS['configure-master'];

    // Assess
    expect(Object.values(master)).toEqual([
      'CLUSTER_NAME',
      'MASTER_IPS',
      'MESOS_VERSION',
      'MARATHON_VERSION',
      'PACKAGE_REPOSITORY',
      'PACKAGE_KEY_URL',
    ]);
    for (const env of Object.values(master)) expect(renderDocumentScript('configure-master')).toContain(`$${env}`);
    for (const env of Object.values(SCRIPT_PARAMETERS['configure-slave']))
      expect(renderDocumentScript('configure-slave')).toContain(`$${env}`);
  });

  it('refuses an unknown script name', () => {
    // Prepare / Act / Assess
    expect(() => renderDocumentScript('rm -rf' as never)).toThrow("unknown bootstrap script 'rm -rf'");
  });
});

/** join() under another name: `join` is a local in one test. */
function join_(...parts: string[]): string {
  return join(...parts);
}

describe('config values of the scripts equal render.ts', () => {
  it.each([[ONE], [THREE], [FIVE]])('zk_url, mesos_quorum, zoo_server_lines and render_zoo_cfg agree for %j', async (ips) => {
    // Prepare
    const list = ips.join(',');

    // Act
    const result = await bash(
      './lib/common.sh',
      'zk_url "$1"; echo ---; mesos_quorum "$1"; echo ---; zoo_server_lines "$1"; echo ---; render_zoo_cfg "$1"',
      [list]
    );

    // Assess
    expect(result.code).toBe(0);
    const [zk, quorum, servers, cfg] = result.stdout.split('---\n');
    expect(zk).toBe(`${zkUrl(ips)}\n`);
    expect(quorum).toBe(`${mesosQuorum(ips)}\n`);
    expect(servers).toBe(`${zooServerLines(ips).join('\n')}\n`);
    expect(cfg).toBe(renderZooCfg(ips));
  });

  it.each(FIVE.map((ip) => [ip]))('zoo_myid gives %s the id of zooMyId', async (ip) => {
    // Prepare / Act
    const result = await bash('./lib/common.sh', 'zoo_myid "$1" "$2"', [FIVE.join(','), ip]);

    // Assess
    expect(result.stdout).toBe(`${zooMyId(FIVE, ip)}\n`);
  });

  it.each([
    ['an even count', '10.0.0.1,10.0.0.2'],
    ['no master', ''],
    ['a duplicate', '10.0.0.1,10.0.0.1,10.0.0.2'],
    ['an octet above 255', '10.0.0.256'],
    ['a leading zero', '10.0.0.01'],
    ['a trailing comma', '10.0.0.1,'],
    ['a command', '10.0.0.1;reboot'],
    ['a newline', '10.0.0.1\n10.0.0.2\n10.0.0.3'],
  ])('refuses %s in the master list', async (_what, list) => {
    // Prepare / Act
    const result = await bash('./lib/common.sh', 'zk_url "$1"', [list]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/invalid master list/);
  });
});

describe('configure-master.sh', () => {
  it.each([[ONE], [THREE], [FIVE]])('writes zoo.cfg and myid as render.ts renders them for %j', async (ips) => {
    // Prepare
    const own = ips[ips.length - 1] ?? '';

    // Act
    const result = await bash('./configure-master.sh', 'write_zookeeper_config "$1" "$2" "$3"', [root, ips.join(','), own]);

    // Assess
    expect(result.code).toBe(0);
    expect(read(root, 'etc/zookeeper/conf/zoo.cfg')).toBe(renderZooCfg(ips));
    expect(read(root, 'etc/zookeeper/conf/myid')).toBe(`${zooMyId(ips, own)}\n`);
    expect(read(root, 'var/lib/zookeeper/myid')).toBe(`${zooMyId(ips, own)}\n`);
  });

  it.each([[ONE], [THREE], [FIVE]])('writes the Mesos master flags as render.ts renders them for %j', async (ips) => {
    // Prepare
    const own = ips[0] ?? '';

    // Act
    const result = await bash('./configure-master.sh', 'write_mesos_master_config "$1" "$2" "$3" "$4" "$5"', [
      root,
      ips.join(','),
      own,
      '54.10.20.30',
      'demo-cluster',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(read(root, 'etc/mesos/zk')).toBe(`${zkUrl(ips)}\n`);
    expect(read(root, 'etc/mesos-master/quorum')).toBe(`${mesosQuorum(ips)}\n`);
    expect(read(root, 'etc/mesos-master/ip')).toBe(`${own}\n`);
    expect(read(root, 'etc/mesos-master/hostname')).toBe('54.10.20.30\n');
    expect(read(root, 'etc/mesos-master/cluster')).toBe('demo-cluster\n');
    expect(read(root, 'etc/mesos-master/work_dir')).toBe('/var/lib/mesos/master\n');
    // The environment file the master's unit reads names the ensemble explicitly.
    expect(read(root, 'etc/default/mesos-master')).toBe(
      [
        `MESOS_ZK=${zkUrl(ips)}`,
        `MESOS_QUORUM=${mesosQuorum(ips)}`,
        `MESOS_IP=${own}`,
        'MESOS_HOSTNAME=54.10.20.30',
        'MESOS_HOSTNAME_LOOKUP=false',
        'MESOS_CLUSTER=demo-cluster',
        'MESOS_WORK_DIR=/var/lib/mesos/master',
        '',
      ].join('\n')
    );
  });

  it('keeps a work_dir that the package set', async () => {
    // Prepare
    mkdirSync(join(root, 'etc/mesos-master'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos-master/work_dir'), '/srv/mesos\n');

    // Act
    const result = await bash('./configure-master.sh', 'write_mesos_master_config "$1" "$2" "$3" "$4" "$5"', [
      root,
      THREE.join(','),
      THREE[1] ?? '',
      '54.10.20.30',
      'demo',
    ]);

    // Assess
    expect(result.code).toBe(0);
    expect(read(root, 'etc/mesos-master/work_dir')).toBe('/srv/mesos\n');
  });

  it.each([[ONE], [THREE], [FIVE]])(
    'points Marathon at the masters and its own znode, advertised on the private IP, for %j',
    async (ips) => {
      // Prepare
      const own = ips[ips.length - 1] ?? '';

      // Act
      const result = await bash('./configure-master.sh', 'write_marathon_config "$1" "$2" "$3" "$4"', [
        root,
        ips.join(','),
        own,
        '/usr/lib/jvm/java-11-openjdk-amd64',
      ]);

      // Assess
      expect(result.code).toBe(0);
      expect(read(root, 'etc/default/marathon')).toBe(
        [
          `MARATHON_MASTER=${zkUrl(ips)}`,
          `MARATHON_ZK=${zkUrl(ips).replace(/\/mesos$/, '/marathon')}`,
          `MARATHON_HOSTNAME=${own}`,
          'MARATHON_HTTP_ADDRESS=0.0.0.0',
          'MARATHON_HTTP_PORT=8080',
          'JAVA_HOME=/usr/lib/jvm/java-11-openjdk-amd64',
          '',
        ].join('\n')
      );
      expect(read(root, 'etc/tmpfiles.d/marathon.conf')).toBe('d /run/marathon 0755 marathon marathon -\n');
    }
  );

  it('refuses a Marathon address that is not an IPv4 address', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'write_marathon_config "$1" "$2" "$3"', [root, THREE.join(','), 'ip-172-28-128-10']);

    // Assess
    expect(result.code).not.toBe(0);
    expect(existsSync(join(root, 'etc/default/marathon'))).toBe(false);
  });

  it('changes nothing when it runs a second time', async () => {
    // Prepare
    const snippet =
      'write_zookeeper_config "$1" "$2" "$3"; write_mesos_master_config "$1" "$2" "$3" "$4" demo; write_marathon_config "$1" "$2" "$3"; echo "$FILES_CHANGED"';
    const args = [root, THREE.join(','), THREE[2] ?? '', '54.10.20.30'];
    const first = await bash('./configure-master.sh', snippet, args);
    const zooCfg = read(root, 'etc/zookeeper/conf/zoo.cfg');

    // Act
    const second = await bash('./configure-master.sh', snippet, args);

    // Assess
    expect(first.stdout).toBe('12\n');
    expect(second.stdout).toBe('0\n');
    expect(read(root, 'etc/zookeeper/conf/zoo.cfg')).toBe(zooCfg);
  });

  it('refuses an own address that is not in the master list, writing nothing', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'write_zookeeper_config "$1" "$2" "$3"', [root, THREE.join(','), '10.9.9.9']);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('10.9.9.9 is not one of the masters');
    expect(existsSync(join(root, 'etc'))).toBe(false);
  });

  it('refuses an even master count, writing nothing', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'write_zookeeper_config "$1" "$2" "$3"', [root, '10.0.0.1,10.0.0.2', '10.0.0.1']);

    // Assess
    expect(result.code).not.toBe(0);
    expect(existsSync(join(root, 'etc'))).toBe(false);
  });

  const VALID_ENV = {
    CLUSTER_NAME: 'demo-cluster',
    MASTER_IPS: THREE.join(','),
    MESOS_VERSION: DEFAULT_SOFTWARE.mesosVersion,
    MARATHON_VERSION: DEFAULT_SOFTWARE.marathonVersion,
    PACKAGE_REPOSITORY: DEFAULT_SOFTWARE.packageRepository,
    PACKAGE_KEY_URL: DEFAULT_SOFTWARE.packageKeyUrl,
  };

  it('accepts the default software of the cluster spec', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'validate_master_env && echo valid', [], VALID_ENV);

    // Assess
    expect(result.stdout).toBe('valid\n');
  });

  it.each([
    ['CLUSTER_NAME', '$(touch /tmp/x)'],
    ['CLUSTER_NAME', 'Demo'],
    ['MASTER_IPS', '10.0.0.1;reboot'],
    ['MASTER_IPS', '10.0.0.1,10.0.0.2'],
    ['MESOS_VERSION', '1.11.0 && reboot'],
    ['MARATHON_VERSION', '1.11.30`id`'],
    ['PACKAGE_REPOSITORY', 'http://rpm.aventer.biz/Ubuntu/noble'],
    ['PACKAGE_REPOSITORY', 'https://rpm.aventer.biz/Ubuntu/noble noble main\ndeb https://evil.example/ x main'],
    ['PACKAGE_KEY_URL', 'https://user:pw@www.aventer.biz/key.asc'],
    ['PACKAGE_KEY_URL', ''],
  ])('refuses %s=%j', async (name, value) => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'validate_master_env && echo valid', [], { ...VALID_ENV, [name]: value });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(name);
  });
});

describe('mesos-cluster-join.sh', () => {
  it.each([[zkUrl(ONE)], [zkUrl(THREE)], [zkUrl(FIVE)], [/'(zk:\/\/[^']+)'/.exec(renderJoinUserData(THREE))?.[1] ?? 'missing']])(
    'accepts %s',
    async (url) => {
      // Prepare / Act
      const result = await bash('./mesos-cluster-join.sh', 'is_zk_url "$1" && echo valid', [url]);

      // Assess
      expect(result.stdout).toBe('valid\n');
    }
  );

  it.each([
    ['zk://1.2.3.4:2181/mesos; rm -rf /'],
    ['zk://1.2.3.4:2181/mesos\nrm -rf /'],
    ['zk://1.2.3.4:2181/mesos$(touch /tmp/pwned)'],
    ['zk://1.2.3.4:2181,/mesos'],
    ['zk://1.2.3.4:2181,,5.6.7.8:2181/mesos'],
    ['zk://1.2.3.4/mesos'],
    ['zk://1.2.3.4:0/mesos'],
    ['zk://1.2.3.4:99999/mesos'],
    ['zk://1.2.3.400:2181/mesos'],
    ['zk://master.example:2181/mesos'],
    ['zk://1.2.3.4:2181/marathon'],
    ['http://1.2.3.4:2181/mesos'],
    [''],
  ])('refuses %j', async (url) => {
    // Prepare / Act
    const result = await bash('./mesos-cluster-join.sh', 'is_zk_url "$1" && echo valid', [url]);

    // Assess
    expect(result.stdout).toBe('');
    expect(result.code).not.toBe(0);
  });

  it('stops at a malicious argument before doing anything', async () => {
    // Prepare
    const canary = join(root, 'canary');

    // Act
    const result = await bash('./mesos-cluster-join.sh', 'main "$@"', [`zk://1.2.3.4:2181/mesos; touch ${canary}`]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('invalid zk URL');
    expect(existsSync(canary)).toBe(false);
  });

  it.each([[ONE], [THREE], [FIVE]])(
    'writes the agent environment: the masters of %j explicitly, cgroup v2 on, systemd support off, Docker only',
    async (ips) => {
      // Prepare / Act
      const result = await bash('./mesos-cluster-join.sh', 'write_agent_join_config "$1" "$2" "$3"', [root, zkUrl(ips), '172.28.129.20']);

      // Assess
      expect(result.code).toBe(0);
      expect(read(root, 'etc/mesos/zk')).toBe(`${zkUrl(ips)}\n`);
      expect(read(root, 'etc/default/mesos-agent')).toBe(
        [
          `MESOS_MASTER=${zkUrl(ips)}`,
          'MESOS_IP=172.28.129.20',
          'MESOS_HOSTNAME=172.28.129.20',
          'MESOS_HOSTNAME_LOOKUP=false',
          'MESOS_WORK_DIR=/var/lib/mesos',
          'MESOS_CONTAINERIZERS=docker',
          'MESOS_ENABLE_CGROUPSV2=true',
          'MESOS_SYSTEMD_ENABLE_SUPPORT=false',
          'MESOS_DOCKER_SOCKET=/var/run/docker.sock',
          'MESOS_EXECUTOR_REGISTRATION_TIMEOUT=5mins',
          '',
        ].join('\n')
      );
    }
  );

  it('removes the flag files of an older image that the environment file replaces, keeping the work_dir', async () => {
    // Prepare
    mkdirSync(join(root, 'etc/mesos-agent'), { recursive: true });
    const files: [string, string][] = [
      ['containerizers', 'docker,mesos'],
      ['ip', '10.0.0.9'],
      ['hostname', '10.0.0.9'],
      ['work_dir', '/srv/mesos'],
    ];
    for (const [name, value] of files) writeFileSync(join(root, 'etc/mesos-agent', name), `${value}\n`);

    // Act
    const result = await bash('./mesos-cluster-join.sh', 'write_agent_join_config "$1" "$2" "$3"', [root, zkUrl(ONE), '172.28.129.21']);

    // Assess
    expect(result.code).toBe(0);
    for (const name of ['containerizers', 'ip', 'hostname']) expect(existsSync(join(root, 'etc/mesos-agent', name))).toBe(false);
    expect(read(root, 'etc/mesos-agent/work_dir')).toBe('/srv/mesos\n');
    expect(read(root, 'etc/default/mesos-agent')).toContain('MESOS_WORK_DIR=/srv/mesos\n');
  });

  describe('waiting for the agent', () => {
    let bin: string;
    beforeEach(() => {
      // A systemctl and journalctl that report an agent restarting in a loop.
      bin = join(root, 'bin');
      mkdirSync(bin);
      writeFileSync(join(bin, 'systemctl'), '#!/bin/sh\ncase "$1" in is-active) echo activating; exit 3;; show) echo 7;; esac\n', {
        mode: 0o755,
      });
      writeFileSync(join(bin, 'journalctl'), '#!/bin/sh\necho "Failed to create a containerizer: cgroups"\n', { mode: 0o755 });
    });

    it('reports success once the agent answers its own /health', async () => {
      // Prepare
      let asked = '';
      const agent = await listen((req, res) => {
        asked = req.url ?? '';
        res.writeHead(200).end();
      });

      // Act
      const result = await bash('./mesos-cluster-join.sh', 'MESOS_AGENT_PORT=$2; wait_for_agent "$1" mesos-agent && echo healthy', [
        '127.0.0.1',
        String(portOf(agent)),
      ]);
      await close(agent);

      // Assess
      expect(result.stdout).toBe('healthy\n');
      expect(asked).toBe('/health');
    });

    it('fails with the reason when the agent never answers', async () => {
      // Prepare
      const agent = await listen((_req, res) => res.writeHead(503).end());
      const port = String(portOf(agent));

      // Act
      const result = await bash(
        './mesos-cluster-join.sh',
        'MESOS_AGENT_PORT=$2; AGENT_HEALTH_TIMEOUT=1; SERVICE_WAIT_INTERVAL=1; wait_for_agent "$1" mesos-agent && echo healthy',
        ['127.0.0.1', port],
        { PATH: `${bin}:${process.env.PATH}` }
      );
      await close(agent);

      // Assess
      expect(result.code).not.toBe(0);
      expect(result.stdout).toBe('');
      expect(result.stderr).toContain(`the Mesos agent did not answer http://127.0.0.1:${port}/health within 1s`);
      expect(result.stderr).toContain('unit mesos-agent is activating after 7 restarts');
      expect(result.stderr).toContain('Failed to create a containerizer: cgroups');
    });
  });

  it('changes nothing when it joins the same masters again', async () => {
    // Prepare
    const snippet = 'write_agent_join_config "$1" "$2" "$3"; echo "$FILES_CHANGED"';
    await bash('./mesos-cluster-join.sh', snippet, [root, zkUrl(THREE), '172.28.129.20']);

    // Act
    const second = await bash('./mesos-cluster-join.sh', snippet, [root, zkUrl(THREE), '172.28.129.20']);

    // Assess
    expect(second.stdout).toBe('0\n');
  });
});

describe('configure-slave.sh', () => {
  it('writes the work_dir and no flag that the join script puts in the environment file', async () => {
    // Prepare
    mkdirSync(join(root, 'etc/mesos-slave'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos-slave/containerizers'), 'docker,mesos\n');

    // Act
    const result = await bash('./configure-slave.sh', 'write_agent_config "$1"', [root]);

    // Assess
    expect(result.code).toBe(0);
    expect(existsSync(join(root, 'etc/mesos-slave/containerizers'))).toBe(false);
    expect(existsSync(join(root, 'etc/mesos-slave/executor_registration_timeout'))).toBe(false);
    expect(read(root, 'etc/mesos-slave/work_dir')).toBe('/var/lib/mesos\n');
  });

  it('installs the self-contained join script where the user data runs it', async () => {
    // Prepare / Act
    const result = await bash(join_(rendered, 'configure-slave.sh'), 'install_join_script "$1"', [root]);

    // Assess
    expect(result.code).toBe(0);
    const installed = join(root, JOIN_COMMAND);
    expect(readFileSync(installed, 'utf8')).toBe(renderDocumentScript('mesos-cluster-join'));
    expect(statSync(installed).mode & 0o777).toBe(0o755);
  });

  it('leaves no agent identity, machine id or upgrade timer in the image', async () => {
    // Prepare
    mkdirSync(join(root, 'etc/mesos-slave'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos-slave/work_dir'), '/srv/mesos\n');
    for (const dir of ['srv/mesos/meta/slaves', 'var/lib/mesos/meta/slaves', 'var/lib/dbus'])
      mkdirSync(join(root, dir), { recursive: true });
    symlinkSync('0f1e-S0', join(root, 'srv/mesos/meta/slaves/latest'));
    symlinkSync('0f1e-S1', join(root, 'var/lib/mesos/meta/slaves/latest'));
    writeFileSync(join(root, 'etc/machine-id'), '3c8a5e0f6b9d4f0aa1e2b3c4d5e6f708\n');
    writeFileSync(join(root, 'var/lib/dbus/machine-id'), '3c8a5e0f6b9d4f0aa1e2b3c4d5e6f708\n');

    // Act
    const result = await bash('./configure-slave.sh', 'write_bake_files "$1"', [root]);

    // Assess
    expect(result.code).toBe(0);
    expect(() => lstatSync(join(root, 'srv/mesos/meta/slaves/latest'))).toThrow();
    expect(() => lstatSync(join(root, 'var/lib/mesos/meta/slaves/latest'))).toThrow();
    expect(read(root, 'etc/machine-id')).toBe('');
    expect(existsSync(join(root, 'var/lib/dbus/machine-id'))).toBe(false);
    expect(read(root, 'etc/apt/apt.conf.d/20auto-upgrades')).toBe(
      'APT::Periodic::Update-Package-Lists "0";\nAPT::Periodic::Unattended-Upgrade "0";\n'
    );
  });

  it.each([
    ['CLUSTER_NAME', 'x; reboot'],
    ['MESOS_VERSION', '1.11.0 reboot'],
    ['PACKAGE_REPOSITORY', 'https://rpm.aventer.biz/Ubuntu/noble?x=$(id)'],
  ])('refuses %s=%j', async (name, value) => {
    // Prepare
    const env = {
      CLUSTER_NAME: 'demo',
      MESOS_VERSION: DEFAULT_SOFTWARE.mesosVersion,
      PACKAGE_REPOSITORY: DEFAULT_SOFTWARE.packageRepository,
      PACKAGE_KEY_URL: DEFAULT_SOFTWARE.packageKeyUrl,
      [name]: value,
    };

    // Act
    const result = await bash('./configure-slave.sh', 'validate_slave_env && echo valid', [], env);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain(name);
  });
});

describe('lib/common.sh', () => {
  it.each([
    ['1.11.0-0.7.1.ubuntu2404', '1.11.0-0.7.1.ubuntu2404'],
    ['1.11.30', '1.11.30-2.0'],
  ])('pick_version resolves the pinned %s to the repository version %s', async (want, expected) => {
    // Prepare: apt-cache madison lists the newest first.
    const candidates = '1.11.30-2.0\n1.11.30-1\n1.11.0-0.7.1.ubuntu2404\n1.11.0-0.7.0\n';

    // Act
    const result = await bash('./lib/common.sh', 'pick_version "$1" <<<"$2"', [want, candidates]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${expected}\n`);
  });

  it('pick_version fails when the pinned version is not in the repository', async () => {
    // Prepare
    const candidates = '1.11.30-1\n1.11.0-0.7.0\n';

    // Act
    const result = await bash('./lib/common.sh', 'pick_version "$1" <<<"$2"', ['1.11.3', candidates]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
  });

  it('url_host takes the host of the package repository for the apt pin', async () => {
    // Prepare / Act
    const result = await bash('./lib/common.sh', 'url_host "$1"', ['https://rpm.aventer.biz:443/Ubuntu/noble']);

    // Assess
    expect(result.stdout).toBe('rpm.aventer.biz\n');
  });

  describe('with a fake instance metadata service', () => {
    let imds: Server;
    const seen: Array<{ method?: string; url?: string; token?: string | string[] }> = [];
    let publicIp: string | undefined;

    beforeAll(async () => {
      imds = await listen((req, res) => {
        seen.push({ method: req.method, url: req.url, token: req.headers['x-aws-ec2-metadata-token'] });
        if (req.method === 'PUT' && req.url === '/latest/api/token') {
          res.end('token-123');
        } else if (req.headers['x-aws-ec2-metadata-token'] !== 'token-123') {
          res.statusCode = 401;
          res.end();
        } else if (req.url === '/latest/meta-data/local-ipv4') {
          res.end('172.28.129.20');
        } else if (req.url === '/latest/meta-data/public-ipv4' && publicIp) {
          res.end(publicIp);
        } else {
          res.statusCode = 404;
          res.end();
        }
      });
    });

    afterAll(async () => {
      await close(imds);
    });

    beforeEach(() => {
      seen.length = 0;
      publicIp = undefined;
    });

    it('imds_get reads metadata with an IMDSv2 session token', async () => {
      // Prepare
      const endpoint = `http://127.0.0.1:${portOf(imds)}`;

      // Act
      const result = await bash('./lib/common.sh', 'IMDS_ENDPOINT=$1; own_private_ip', [endpoint]);

      // Assess
      expect(result.stdout).toBe('172.28.129.20\n');
      expect(seen).toEqual([
        { method: 'PUT', url: '/latest/api/token', token: undefined },
        { method: 'GET', url: '/latest/meta-data/local-ipv4', token: 'token-123' },
      ]);
    });

    it('own_public_ip_or gives the public address when there is one', async () => {
      // Prepare
      publicIp = '54.10.20.30';

      // Act
      const result = await bash('./lib/common.sh', 'IMDS_ENDPOINT=$1; own_public_ip_or 172.28.128.10', [
        `http://127.0.0.1:${portOf(imds)}`,
      ]);

      // Assess
      expect(result.stdout).toBe('54.10.20.30\n');
    });

    it('own_public_ip_or falls back to the private address without a public one', async () => {
      // Prepare / Act
      const result = await bash('./lib/common.sh', 'IMDS_ENDPOINT=$1; own_public_ip_or 172.28.128.10', [
        `http://127.0.0.1:${portOf(imds)}`,
      ]);

      // Assess
      expect(result.stdout).toBe('172.28.128.10\n');
      expect(seen.map((r) => r.url)).toContain('/latest/meta-data/public-ipv4');
    });
  });
});

describe('count-agents.sh', () => {
  const servers: Server[] = [];

  afterEach(async () => {
    await Promise.all(servers.splice(0).map(close));
  });

  function metrics(elected: number, active: number) {
    return (req: IncomingMessage, res: ServerResponse) => {
      if (req.url !== '/metrics/snapshot') {
        res.statusCode = 404;
        res.end();
        return;
      }
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ 'master/elected': elected, 'master/slaves_active': active, 'master/slaves_connected': active + 1 }));
    };
  }

  it('prints the active agents of the elected master among those in /etc/mesos/zk', async () => {
    // Prepare: a follower on 127.0.0.1, the leader on 127.0.0.2, nothing on 127.0.0.3.
    const follower = await listen(metrics(0, 0), '127.0.0.1');
    servers.push(follower);
    const port = portOf(follower);
    servers.push(await listen(metrics(1, 3), '127.0.0.2', port));
    mkdirSync(join(root, 'etc/mesos'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos/zk'), `${zkUrl(['127.0.0.1', '127.0.0.3', '127.0.0.2'])}\n`);

    // Act
    const result = await bash('./count-agents.sh', 'count_active_agents "$1" "$2"', [root, String(port)]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('3\n');
    expect(result.stderr).toContain('master 127.0.0.3 did not answer');
  });

  it('prints 0 while no master is elected', async () => {
    // Prepare
    const follower = await listen(metrics(0, 2), '127.0.0.1');
    servers.push(follower);
    mkdirSync(join(root, 'etc/mesos'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos/zk'), `${zkUrl(['127.0.0.1'])}\n`);

    // Act
    const result = await bash('./count-agents.sh', 'count_active_agents "$1" "$2"', [root, String(portOf(follower))]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('0\n');
    expect(result.stderr).toContain('no elected Mesos master answered');
  });

  it('fails on a machine that is not a configured master', async () => {
    // Prepare / Act
    const result = await bash('./count-agents.sh', 'count_active_agents "$1" 5050', [root]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('/etc/mesos/zk is missing');
  });
});

describe('the package mirror on the node (lib/common.sh)', () => {
  const KEY = 'pool/noble/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb';
  const CONTENT = 'a .deb as the mirror holds it\n';
  const SHA = createHash('sha256').update(CONTENT).digest('hex');

  function placeDownload(content: string): void {
    const dir = join(root, 'var/lib/mesos-cluster/packages');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb'), content);
  }

  it('gives the path of a downloaded package whose SHA256 is the recorded one', async () => {
    // Prepare
    placeDownload(CONTENT);

    // Act
    const result = await bash('./configure-master.sh', 'verify_mirrored_package "$1" "aventer-mesos 1.11.0" "$2" "$3"', [root, KEY, SHA]);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${root}/var/lib/mesos-cluster/packages/aventer-mesos_1.11.0-0.7.1.ubuntu2404_amd64.deb\n`);
  });

  it('refuses a tampered package, naming it and the expected hash', async () => {
    // Prepare
    placeDownload('a .deb that someone replaced\n');

    // Act
    const result = await bash('./configure-master.sh', 'verify_mirrored_package "$1" "aventer-mesos 1.11.0" "$2" "$3"', [root, KEY, SHA]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('PackageChecksumMismatch: aventer-mesos 1.11.0 has sha256');
    expect(result.stderr).toContain(`the manifest expects ${SHA} (${KEY})`);
  });

  it('refuses a package that was not downloaded, naming it and the expected hash', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'verify_mirrored_package "$1" "marathon 1.11.30" "$2" "$3"', [
      root,
      'pool/noble/marathon_1.11.30_all.deb',
      SHA,
    ]);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('PackageMissing: marathon 1.11.30 is not in the package mirror (pool/noble/marathon_1.11.30_all.deb)');
    expect(result.stderr).toContain(`expected sha256 ${SHA}`);
  });

  const MIRROR_ENV = {
    CLUSTER_NAME: 'demo-cluster',
    MASTER_IPS: THREE.join(','),
    MESOS_VERSION: DEFAULT_SOFTWARE.mesosVersion,
    MARATHON_VERSION: DEFAULT_SOFTWARE.marathonVersion,
    PACKAGE_REPOSITORY: DEFAULT_SOFTWARE.packageRepository,
    PACKAGE_KEY_URL: DEFAULT_SOFTWARE.packageKeyUrl,
    PACKAGE_SOURCE: 'mirror',
    MESOS_PACKAGE_KEY: KEY,
    MESOS_PACKAGE_SHA256: SHA,
    MARATHON_PACKAGE_KEY: 'pool/noble/marathon_1.11.30_all.deb',
    MARATHON_PACKAGE_SHA256: SHA,
  };

  it('accepts the mirror parameters of configure-master', async () => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'validate_master_env && echo "valid $PACKAGE_SOURCE"', [], MIRROR_ENV);

    // Assess
    expect(result.stdout).toBe('valid mirror\n');
  });

  it.each([
    ['PACKAGE_SOURCE', 'somewhere'],
    ['MESOS_PACKAGE_KEY', '../../etc/passwd'],
    ['MESOS_PACKAGE_KEY', 'pool/noble/x.deb; reboot'],
    ['MARATHON_PACKAGE_SHA256', 'ABC'],
    ['MARATHON_PACKAGE_KEY', ''],
  ])('refuses %s=%j', async (name, value) => {
    // Prepare / Act
    const result = await bash('./configure-master.sh', 'validate_master_env && echo valid', [], { ...MIRROR_ENV, [name]: value });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain(name);
  });

  it('reads an empty PACKAGE_SOURCE as the vendor repository, needing no mirror parameters', async () => {
    // Prepare
    const { MESOS_PACKAGE_KEY: _k, MESOS_PACKAGE_SHA256: _s, ...env } = MIRROR_ENV;

    // Act
    const result = await bash('./configure-slave.sh', 'validate_slave_env && echo "valid $PACKAGE_SOURCE"', [], {
      ...env,
      PACKAGE_SOURCE: '',
    });

    // Assess
    expect(result.stdout).toBe('valid vendor\n');
  });
});

describe('ZooKeeper probes of the rolling restart (lib/common.sh)', () => {
  /** A fake ZooKeeper that answers `srvr` with the given mode. */
  function fakeZooKeeper(host: string, mode: string): Promise<NetServer> {
    return new Promise((resolve, reject) => {
      const server = createNetServer((socket) => {
        socket.once('data', (data) => {
          socket.end(data.toString() === 'srvr' ? `Zookeeper version: 3.8.4\nMode: ${mode}\nNode count: 5\n` : '');
        });
      });
      server.once('error', reject);
      server.listen(0, host, () => resolve(server));
    });
  }
  const portOfNet = (server: NetServer) => (server.address() as { port: number }).port;
  const closeNet = (server: NetServer) => new Promise<void>((resolve) => server.close(() => resolve()));

  it('zk_mode reads the mode of a serving ZooKeeper', async () => {
    // Prepare
    const zk = await fakeZooKeeper('127.0.0.1', 'follower');

    // Act
    const result = await bash('./configure-master.sh', 'zk_mode 127.0.0.1 "$1"', [String(portOfNet(zk))]);
    await closeNet(zk);

    // Assess
    expect(result.stdout).toBe('follower\n');
  });

  it('zk_mode fails for a ZooKeeper that is not serving, or not there', async () => {
    // Prepare
    const zk = await fakeZooKeeper('127.0.0.1', 'This ZooKeeper instance is not currently serving requests');
    const port = String(portOfNet(zk));

    // Act
    const notServing = await bash('./configure-master.sh', 'zk_mode 127.0.0.1 "$1" || echo no', [port]);
    await closeNet(zk);
    const gone = await bash('./configure-master.sh', 'zk_mode 127.0.0.1 "$1" || echo no', [port]);

    // Assess
    expect(notServing.stdout).toBe('no\n');
    expect(gone.stdout).toBe('no\n');
  });

  it('others_serve holds only when every other master is a leader or a follower', async () => {
    // Prepare: three masters on 127.0.0.1-3, one port; this is the first.
    const leader = await fakeZooKeeper('127.0.0.2', 'leader');
    const port = portOfNet(leader);
    const follower = await listenNetOn('127.0.0.3', port, 'follower');

    // Act
    const both = await bash('./configure-master.sh', 'others_serve "$1" 127.0.0.1 "$2" && echo yes || echo no', [
      '127.0.0.1,127.0.0.2,127.0.0.3',
      String(port),
    ]);
    await closeNet(follower);
    const one = await bash('./configure-master.sh', 'others_serve "$1" 127.0.0.1 "$2" && echo yes || echo no', [
      '127.0.0.1,127.0.0.2,127.0.0.3',
      String(port),
    ]);
    await closeNet(leader);

    // Assess
    expect(both.stdout).toBe('yes\n');
    expect(one.stdout).toBe('no\n');
  });

  function listenNetOn(host: string, port: number, mode: string): Promise<NetServer> {
    return new Promise((resolve, reject) => {
      const server = createNetServer((socket) => {
        socket.once('data', () => socket.end(`Mode: ${mode}\n`));
      });
      server.once('error', reject);
      server.listen(port, host, () => resolve(server));
    });
  }
});

describe('marathon-smoke-test.sh', () => {
  /** A fake Marathon on 127.0.0.1 that answers the smoke test app's routes from `apps`. */
  interface Request {
    method: string;
    url: string;
    body: string;
  }
  async function fakeMarathon(answer: (req: Request) => [number, unknown]): Promise<{ server: Server; requests: Request[] }> {
    const requests: Request[] = [];
    const server = await listen((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const request = { method: req.method ?? '', url: req.url ?? '', body };
        requests.push(request);
        const [status, payload] = answer(request);
        res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(payload));
      });
    });
    return { server, requests };
  }
  function masterRoot(): void {
    mkdirSync(join(root, 'etc/mesos-master'), { recursive: true });
    writeFileSync(join(root, 'etc/mesos-master/ip'), '127.0.0.1\n');
  }
  const run = (server: Server, snippet: string) =>
    bash('./marathon-smoke-test.sh', `MARATHON_PORT=$2; base=$(marathon_url "$1"); ${snippet}`, [root, String(portOf(server))]);

  it('defines a valid app: a real image, a port, one small instance', async () => {
    // Prepare / Act
    const result = await bash('./marathon-smoke-test.sh', 'printf %s "$SMOKE_APP_JSON"');

    // Assess
    const app = JSON.parse(result.stdout) as {
      id: string;
      instances: number;
      mem: number;
      container: { type: string; docker: { image: string }; portMappings: { containerPort: number }[] };
    };
    expect(app.id).toBe('/mesos-cluster-smoke-test');
    expect(app.instances).toBe(1);
    expect(app.container.type).toBe('DOCKER');
    expect(app.container.docker.image).toBe('nginx:1.27-alpine');
    expect(app.container.portMappings[0]?.containerPort).toBe(80);
  });

  it('deploys the app to the Marathon of this master with one PUT', async () => {
    // Prepare
    masterRoot();
    const { server, requests } = await fakeMarathon(() => [201, { deploymentId: 'd-1' }]);

    // Act
    const result = await run(server, 'deploy_app "$base"');
    await close(server);

    // Assess
    expect(result.code).toBe(0);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.method).toBe('PUT');
    expect(requests[0]?.url).toBe('/v2/apps/mesos-cluster-smoke-test');
    expect((JSON.parse(requests[0]?.body ?? '{}') as { id?: string }).id).toBe('/mesos-cluster-smoke-test');
  });

  it('fails with Marathon’s answer when it refuses the app', async () => {
    // Prepare
    masterRoot();
    const { server } = await fakeMarathon(() => [422, { message: 'Object is not valid' }]);

    // Act
    const result = await run(server, 'deploy_app "$base"');
    await close(server);

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('Marathon refused the smoke test app (HTTP 422)');
  });

  it.each([
    [{ app: { instances: 1, tasksRunning: 1, tasksStaged: 0 } }, 200, 'running 1\n'],
    [
      { app: { instances: 1, tasksRunning: 0, tasksStaged: 1, lastTaskFailure: { message: 'Failed to launch container:\n pull' } } },
      200,
      'deploying 1 0\nlast failure: Failed to launch container: pull\n',
    ],
    [{ message: 'App not found' }, 404, 'absent\n'],
  ])('prints the status of %j', async (payload, status, printed) => {
    // Prepare
    masterRoot();
    const { server } = await fakeMarathon(() => [status, payload]);

    // Act
    const result = await run(server, 'status_app "$base"');
    await close(server);

    // Assess
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(printed);
  });

  it('removes the app, forcing a running deployment; an absent app counts as removed', async () => {
    // Prepare
    masterRoot();
    const { server, requests } = await fakeMarathon(() => (requests.length === 1 ? [200, {}] : [404, {}]));

    // Act
    const first = await run(server, 'remove_app "$base"');
    const second = await run(server, 'remove_app "$base"');
    await close(server);

    // Assess
    expect(first.code).toBe(0);
    expect(second.code).toBe(0);
    expect(requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      'DELETE /v2/apps/mesos-cluster-smoke-test?force=true',
      'DELETE /v2/apps/mesos-cluster-smoke-test?force=true',
    ]);
  });

  it('refuses an unknown action before calling Marathon', async () => {
    // Prepare / Act
    const result = await bash('./marathon-smoke-test.sh', 'main', [], { SMOKE_TEST_ACTION: 'deploy; reboot' });

    // Assess
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('invalid SMOKE_TEST_ACTION');
  });
});
