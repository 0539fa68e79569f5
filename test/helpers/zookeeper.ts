/**
 * Runs a real ZooKeeper ensemble from Debian/Ubuntu's `zookeeper` package on loopback
 * addresses, without systemd: one `QuorumPeerMain` JVM per node, each in its own temp dir.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderZooCfg, zooMyId } from '../../functions/shared/render';

/** The server jar of the package; its manifest names the dependency jars. */
export const ZOOKEEPER_JAR = '/usr/share/java/zookeeper.jar';
/** The package's command-line client. */
export const ZKCLI = '/usr/share/zookeeper/bin/zkCli.sh';

/** Small, fast-starting JVMs: the nodes hold a handful of znodes. */
const JVM_FLAGS = ['-Xmx96m', '-XX:+UseSerialGC', '-XX:TieredStopAtLevel=1', '-Djava.net.preferIPv4Stack=true'];

/** Throws a clear error when the package (or Java) is missing. */
export function requireZooKeeper(): void {
  const missing = [ZOOKEEPER_JAR, ZKCLI].filter((path) => !existsSync(path));
  if (missing.length > 0) {
    throw new Error(
      `ZooKeeper is not installed (missing ${missing.join(', ')}): run \`apt-get install --no-install-recommends zookeeper\` (.ci/run installs it)`
    );
  }
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A port that is free on every one of `hosts` (and not one of `taken`). */
export async function freePort(hosts: readonly string[], taken: readonly number[] = []): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = 20000 + Math.floor(Math.random() * 30000);
    if (taken.includes(port)) continue;
    const free = await Promise.all(hosts.map((host) => canListen(host, port)));
    if (free.every(Boolean)) return port;
  }
  throw new Error(`no port free on ${hosts.join(', ')} after 50 attempts`);
}

/** Sends a four-letter word (`srvr`, `ruok`, ...) and returns the answer. */
export function fourLetterWord(host: string, port: number, word: string, timeoutMs = 2000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let answer = '';
    socket.setTimeout(timeoutMs, () => socket.destroy(new Error(`${word} to ${host}:${port} timed out`)));
    socket.on('data', (chunk) => {
      answer += chunk.toString('utf8');
    });
    socket.on('error', reject);
    socket.on('close', () => resolve(answer));
    socket.connect(port, host, () => socket.end(word));
  });
}

/** The `Mode:` of a `srvr` answer: leader, follower or standalone. */
export function modeOf(srvr: string): string | undefined {
  return /^Mode: (\w+)$/m.exec(srvr)?.[1];
}

/** Polls `probe` until it returns a value other than undefined, at most `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, intervalMs = 250): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() >= deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** Runs one zkCli command against `server` (host:port); resolves with its stdout and stderr. */
export function zkCli(server: string, args: readonly string[], timeoutMs = 15000): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      ZKCLI,
      ['-server', server, ...args],
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: { ...process.env, CLIENT_JVMFLAGS: JVM_FLAGS.join(' ') } },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`zkCli ${args.join(' ')} on ${server} failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve(`${stdout}${stderr}`);
      }
    );
  });
}

/** One running node of the ensemble. */
export interface ZooKeeperNode {
  readonly id: number;
  readonly host: string;
  readonly clientPort: number;
  readonly dir: string;
  process?: ChildProcess;
  output: string;
}

/** Ports shared by every node (each node listens on its own loopback address). */
export interface EnsemblePorts {
  readonly clientPort: number;
  readonly peerPort: number;
  readonly electionPort: number;
}

/**
 * A ZooKeeper ensemble whose zoo.cfg is the cluster's (renderZooCfg), one node per
 * loopback address, so every node uses the same ports as the masters do.
 */
export class ZooKeeperEnsemble {
  private constructor(
    readonly root: string,
    readonly nodes: ZooKeeperNode[]
  ) {}

  /** Writes the configs and starts one JVM per host. */
  static async start(hosts: readonly string[]): Promise<ZooKeeperEnsemble> {
    requireZooKeeper();
    const clientPort = await freePort(hosts);
    const peerPort = await freePort(hosts, [clientPort]);
    const electionPort = await freePort(hosts, [clientPort, peerPort]);
    const root = mkdtempSync(join(tmpdir(), 'mesos-cluster-zk-'));
    const nodes = hosts.map((host): ZooKeeperNode => {
      const id = zooMyId(hosts, host);
      const dir = join(root, `node${id}`);
      const dataDir = join(dir, 'data');
      mkdirSync(dataDir, { recursive: true });
      writeFileSync(join(dataDir, 'myid'), `${id}\n`);
      // The cluster's zoo.cfg; on one machine each node also binds its client port to its own address.
      const cfg = `${renderZooCfg(hosts, { dataDir, clientPort, peerPort, electionPort })}clientPortAddress=${host}\n`;
      writeFileSync(join(dir, 'zoo.cfg'), cfg);
      return { id, host, clientPort, dir, output: '' };
    });
    const ensemble = new ZooKeeperEnsemble(root, nodes);
    for (const node of nodes) ensemble.startNode(node);
    return ensemble;
  }

  private startNode(node: ZooKeeperNode): void {
    const child = spawn(
      'java',
      [...JVM_FLAGS, '-cp', ZOOKEEPER_JAR, 'org.apache.zookeeper.server.quorum.QuorumPeerMain', join(node.dir, 'zoo.cfg')],
      { stdio: ['ignore', 'pipe', 'pipe'] }
    );
    const keep = (chunk: Buffer) => {
      node.output = (node.output + chunk.toString('utf8')).slice(-4000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    node.process = child;
  }

  /** `host:clientPort` of a node, for clients. */
  server(node: ZooKeeperNode): string {
    return `${node.host}:${node.clientPort}`;
  }

  /** The `Mode:` each running node reports (undefined while it does not serve). */
  async modes(nodes: readonly ZooKeeperNode[] = this.running()): Promise<Array<string | undefined>> {
    return Promise.all(
      nodes.map((node) =>
        fourLetterWord(node.host, node.clientPort, 'srvr').then(
          (answer) => modeOf(answer),
          () => undefined
        )
      )
    );
  }

  /** Nodes whose JVM still runs. */
  running(): ZooKeeperNode[] {
    return this.nodes.filter((node) => node.process && node.process.exitCode === null && node.process.signalCode === null);
  }

  /** Kills one node's JVM and waits until it is gone. */
  async stop(node: ZooKeeperNode): Promise<void> {
    const child = node.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 5000);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill('SIGKILL');
    });
  }

  /** Kills every node and removes the temp dirs. Safe to call twice. */
  async destroy(): Promise<void> {
    await Promise.all(this.nodes.map((node) => this.stop(node)));
    rmSync(this.root, { recursive: true, force: true });
  }

  /** Recent output of every node, for failure messages. */
  diagnostics(): string {
    return this.nodes.map((node) => `node ${node.id} (${this.server(node)}):\n${node.output || '(no output)'}`).join('\n');
  }
}
