/**
 * A real three-node ZooKeeper ensemble with the cluster's zoo.cfg (renderZooCfg), on
 * 127.0.0.1-3: a leader is elected, data written through one node is read through
 * another, and the ensemble survives the loss of its leader. Needs Debian's `zookeeper`
 * package (which .ci/run installs); runs in the normal `npm test`, bounded well under 60 s.
 */
import { waitFor, ZooKeeperEnsemble, type ZooKeeperNode, zkCli } from '../helpers/zookeeper';

const HOSTS = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const ELECTION_TIMEOUT_MS = 20_000;

let ensemble: ZooKeeperEnsemble | undefined;

function started(): ZooKeeperEnsemble {
  if (!ensemble) throw new Error('the ensemble did not start');
  return ensemble;
}

/** Waits until `nodes` report exactly one leader and followers for the rest. */
async function electedLeader(nodes: readonly ZooKeeperNode[]): Promise<ZooKeeperNode> {
  const zk = started();
  return waitFor(
    `a leader among ${nodes.map((n) => zk.server(n)).join(', ')}`,
    async () => {
      const modes = await zk.modes(nodes);
      const leaders = modes.filter((m) => m === 'leader').length;
      const followers = modes.filter((m) => m === 'follower').length;
      return leaders === 1 && followers === nodes.length - 1 ? nodes[modes.indexOf('leader')] : undefined;
    },
    ELECTION_TIMEOUT_MS
  ).catch((err: Error) => {
    throw new Error(`${err.message}\n${zk.diagnostics()}`);
  });
}

beforeAll(async () => {
  ensemble = await ZooKeeperEnsemble.start(HOSTS);
}, 15_000);

afterAll(async () => {
  await ensemble?.destroy();
}, 15_000);

describe('ZooKeeper ensemble with the cluster zoo.cfg', () => {
  let leader: ZooKeeperNode;

  it('elects one leader and two followers', async () => {
    // Prepare
    const zk = started();

    // Act
    leader = await electedLeader(zk.nodes);

    // Assess
    const modes = await zk.modes();
    expect(modes.filter((m) => m === 'leader')).toHaveLength(1);
    expect(modes.filter((m) => m === 'follower')).toHaveLength(2);
    expect(zk.nodes).toContain(leader);
  }, 25_000);

  it('reads through one node the znode written through another', async () => {
    // Prepare
    const zk = started();
    const [first, , third] = zk.nodes;
    if (!first || !third) throw new Error('three nodes expected');

    // Act
    const created = await zkCli(zk.server(first), ['create', '/mesos-cluster-check', 'written-through-node-1']);
    const read = await zkCli(zk.server(third), ['get', '/mesos-cluster-check']);

    // Assess
    expect(created).toContain('Created /mesos-cluster-check');
    expect(read).toContain('written-through-node-1');
  }, 25_000);

  it('keeps serving and elects a new leader when the leader stops', async () => {
    // Prepare
    const zk = started();
    if (!leader) throw new Error('no leader was elected');
    await zk.stop(leader);
    const survivors = zk.running();

    // Act
    const newLeader = await electedLeader(survivors);
    const [a, b] = survivors;
    if (!a || !b) throw new Error('two survivors expected');
    const old = await zkCli(zk.server(a), ['get', '/mesos-cluster-check']);
    await zkCli(zk.server(a), ['create', '/mesos-cluster-after-failover', 'still-serving']);
    const fresh = await zkCli(zk.server(b), ['get', '/mesos-cluster-after-failover']);

    // Assess
    expect(survivors).toHaveLength(2);
    expect(survivors).not.toContain(leader);
    expect(survivors).toContain(newLeader);
    expect(old).toContain('written-through-node-1');
    expect(fresh).toContain('still-serving');
  }, 30_000);
});
