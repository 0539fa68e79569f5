/**
 * Renders the Mesos/ZooKeeper configuration values that the bootstrap scripts receive as
 * parameters. Plain functions, shared by the steps and the tests of bootstrap/.
 */
import { quorumOf } from './cluster-spec-rules';

/** Masters must be an odd count so that a ZooKeeper majority survives one loss. */
export function assertOddMasters(masterIps: readonly string[]): void {
  if (masterIps.length === 0 || masterIps.length % 2 === 0) {
    throw new Error(`an odd, non-zero number of masters is required, got ${masterIps.length}`);
  }
}

/** `zk://10.0.0.1:2181,10.0.0.2:2181/mesos`: the value of /etc/mesos/zk. */
export function zkUrl(masterIps: readonly string[], clientPort = 2181): string {
  assertOddMasters(masterIps);
  return `zk://${masterIps.map((ip) => `${ip}:${clientPort}`).join(',')}/mesos`;
}

/** The value of /etc/mesos-master/quorum: a majority of the masters. */
export function mesosQuorum(masterIps: readonly string[]): number {
  assertOddMasters(masterIps);
  return quorumOf(masterIps.length);
}

/** `server.N=host:2888:3888` lines of zoo.cfg; N is the 1-based position of the master. */
export function zooServerLines(masterIps: readonly string[], peerPort = 2888, electionPort = 3888): string[] {
  assertOddMasters(masterIps);
  return masterIps.map((ip, i) => `server.${i + 1}=${ip}:${peerPort}:${electionPort}`);
}

/** The ZooKeeper myid of a master: its 1-based position in the master list. */
export function zooMyId(masterIps: readonly string[], ownIp: string): number {
  const index = masterIps.indexOf(ownIp);
  if (index < 0) throw new Error(`${ownIp} is not one of the masters ${masterIps.join(', ')}`);
  return index + 1;
}

/** Options of renderZooCfg; the defaults are the cluster's. */
export interface ZooCfgOptions {
  /** @default '/var/lib/zookeeper' */
  readonly dataDir?: string;
  /** @default 2181 */
  readonly clientPort?: number;
  /** Quorum port of the `server.N` lines. @default 2888 */
  readonly peerPort?: number;
  /** Leader election port of the `server.N` lines. @default 3888 */
  readonly electionPort?: number;
}

/**
 * The whole zoo.cfg of an ensemble (or of a single master). ZooKeeper's AdminServer is
 * off because it listens on 8080, Marathon's port; the four-letter words `srvr`, `ruok`
 * and `mntr` stay on for health checks.
 */
export function renderZooCfg(masterIps: readonly string[], opts: ZooCfgOptions = {}): string {
  const lines = [
    'tickTime=2000',
    `dataDir=${opts.dataDir ?? '/var/lib/zookeeper'}`,
    `clientPort=${opts.clientPort ?? 2181}`,
    'initLimit=10',
    'syncLimit=5',
    'admin.enableServer=false',
    '4lw.commands.whitelist=srvr,ruok,mntr',
  ];
  if (masterIps.length > 1) lines.push(...zooServerLines(masterIps, opts.peerPort, opts.electionPort));
  return `${lines.join('\n')}\n`;
}

/** Marker of the join user data; the simulated cloud reads the zk URL after it. */
export const JOIN_COMMAND = '/usr/local/sbin/mesos-cluster-join';

/**
 * User data of a slave launched from the baked AMI: the join script (baked into the
 * image) points the agent at this cluster's masters and starts it.
 */
export function renderJoinUserData(masterIps: readonly string[]): string {
  return `#!/bin/bash\nset -euo pipefail\nexec ${JOIN_COMMAND} '${zkUrl(masterIps)}'\n`;
}
