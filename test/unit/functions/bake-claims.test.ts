/**
 * The claims on an image bake against the simulated Parameter Store, whose create-only
 * PutParameter is atomic as the service's is: the lock's properties with real calls.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { GetParametersByPathCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { BAKE_LEASE_MARGIN_SECONDS, clusterClaims, imageOrClaim, readClaims, releaseClaims } from '../../../functions/shared/bake-claims';
import { SimulatedCloud } from '../../../simulator';
import { type InstalledClock, installClock } from '../simulator/support';

const HASH = 'cd'.repeat(32);
const cluster = (n: number) => ({ clusterId: `c-${n}`, clusterName: `cluster-${n}` });

describe('bake claims', () => {
  let clock: InstalledClock;
  let ec2: EC2Client;
  let ssm: SSMClient;

  beforeEach(() => {
    clock = installClock();
    ({ ec2, ssm } = new SimulatedCloud().clients({ maxAttempts: 1 }));
  });

  afterEach(() => clock.uninstall());

  const look = (n: number, budgetSeconds = 3000) =>
    imageOrClaim({ ec2, ssm }, { imageHash: HASH, cluster: cluster(n), budgetSeconds, now: Date.now() });

  it('gives the bake to exactly one of five clusters that claim it at the same instant', async () => {
    // Act
    const decisions = await Promise.all([1, 2, 3, 4, 5].map((n) => look(n)));

    // Assess
    const owners = decisions.filter((d) => d.state === 'claimed');
    expect(owners).toHaveLength(1);
    const owner = owners[0]?.state === 'claimed' ? owners[0].claim.clusterId : undefined;
    for (const d of decisions.filter((d) => d.state === 'waiting')) {
      expect(d.state === 'waiting' ? d.claim?.clusterId : undefined).toBe(owner);
    }
    expect(await readClaims(ssm, HASH)).toHaveLength(1);
  });

  it('keeps the claim of a cluster that looks again (a retried step), and hands a released one to the next', async () => {
    // Arrange
    await look(1);

    // Act
    const again = await look(1);
    const other = await look(2);
    const released = await releaseClaims(ssm, 'c-1', HASH);
    const next = await look(2);

    // Assess
    expect(again.state).toBe('claimed');
    expect(other.state).toBe('waiting');
    expect(released).toEqual([`/mesos-cluster/image-bakes/${HASH}/000001`]);
    expect(next.state).toBe('claimed');
  });

  it('lets one of two waiters take a claim over once its lease has run out, and removes the spent generation', async () => {
    // Arrange
    await look(1, 600);
    clock.tick((600 + BAKE_LEASE_MARGIN_SECONDS) * 1000 + 1);

    // Act
    const [a, b] = await Promise.all([look(2), look(3)]);

    // Assess
    expect([a.state, b.state].sort()).toEqual(['claimed', 'waiting']);
    const claims = await readClaims(ssm, HASH);
    expect(claims.map((c) => c.generation)).toEqual([2]);
    expect(claims[0]?.expiresAt).toBe(Date.now() + (3000 + BAKE_LEASE_MARGIN_SECONDS) * 1000);
  });

  it("keeps the claim when its own put was answered ParameterAlreadyExists (the SDK's retry of a put whose answer was lost)", async () => {
    // Arrange: the first attempt lands, its answer is lost, and the retry finds the name taken.
    const send = ssm.send.bind(ssm);
    let puts = 0;
    jest.spyOn(ssm, 'send').mockImplementation((async (command: unknown) => {
      const answer = await send(command as never);
      if (command instanceof PutParameterCommand && ++puts === 1) return send(command as never);
      return answer;
    }) as never);

    // Act
    const decision = await look(1);

    // Assess
    expect(puts).toBe(1);
    expect(decision.state).toBe('claimed');
  });

  it('treats a claim whose value cannot be read as run out', async () => {
    // Arrange
    await ssm.send(new PutParameterCommand({ Name: `/mesos-cluster/image-bakes/${HASH}/000007`, Type: 'String', Value: 'not json' }));

    // Act
    const decision = await look(1);

    // Assess
    expect(decision.state).toBe('claimed');
    expect((await readClaims(ssm, HASH)).map((c) => c.generation)).toEqual([8]);
  });

  it("finds and releases a cluster's claims over every recipe, and leaves the others'", async () => {
    // Arrange
    const other = 'ef'.repeat(32);
    await look(1);
    await imageOrClaim({ ec2, ssm }, { imageHash: other, cluster: cluster(1), budgetSeconds: 60, now: Date.now() });
    await imageOrClaim({ ec2, ssm }, { imageHash: 'aa'.repeat(32), cluster: cluster(2), budgetSeconds: 60, now: Date.now() });

    // Act
    const before = await clusterClaims(ssm, 'c-1');
    const released = await releaseClaims(ssm, 'c-1');
    const left = await ssm.send(new GetParametersByPathCommand({ Path: '/mesos-cluster/image-bakes', Recursive: true }));

    // Assess
    expect(before).toHaveLength(2);
    expect(released).toHaveLength(2);
    expect(left.Parameters?.map((p) => p.Name)).toEqual([`/mesos-cluster/image-bakes/${'aa'.repeat(32)}/000001`]);
  });
});
