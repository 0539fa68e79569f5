import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeNatGatewaysCommand } from '@aws-sdk/client-ec2';
import { loadLatencyModel, SimulatedCloud } from '../../../simulator';
import defaults from '../../../simulator/latency-model.json';
import { addNat, buildNetwork, type InstalledClock, installClock } from './support';

describe('simulator latency model', () => {
  let dir: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'latency-'));
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('defaults to the typical values of the research doc', () => {
    // Act
    const model = loadLatencyModel();

    // Assess
    expect(model).toEqual(defaults);
    expect(model).toMatchObject({
      natGatewayAvailableMs: 100_000,
      natGatewayDeleteMs: 40_000,
      instanceRunningMs: 15_000,
      ssmOnlineMs: 90_000,
      instanceTerminateMs: 30_000,
      imageAvailableMs: 300_000,
      consistencyWindowMs: 1000,
      commandDurationsMs: { 'configure-master': 180_000, 'configure-slave': 120_000, 'count-agents': 3000 },
      throttling: true,
    });
  });

  it('merges a file that overrides a subset of fields, nested ones key by key', () => {
    // Prepare
    const file = join(dir, 'fast.json');
    writeFileSync(
      file,
      JSON.stringify({ natGatewayAvailableMs: 5000, commandDurationsMs: { 'configure-master': 1000 }, throttling: false })
    );

    // Act
    const model = loadLatencyModel(file);

    // Assess
    expect(model.natGatewayAvailableMs).toBe(5000);
    expect(model.commandDurationsMs).toEqual({
      'configure-master': 1000,
      'configure-slave': 120_000,
      'count-agents': 3000,
      'agent-load': 3000,
      'drain-agents': 3000,
      'marathon-smoke-test': 3000,
    });
    expect(model.throttling).toBe(false);
    expect(model.instanceRunningMs).toBe(15_000);
  });

  it.each([
    [{ natGatewayAvailableMs: -1 }, /non-negative/],
    [{ noSuchField: 1 }, /unknown field 'noSuchField'/],
    [{ throttling: 'no' }, /boolean/],
    [{ jitter: 1.5 }, /below 1/],
    [{ commandDurationsMs: { 'configure-mastr': 1 } }, /commandDurationsMs: unknown document 'configure-mastr' \(one of configure-master/],
    [
      { throttleBuckets: { ssm: { max: 0, refillPerSecond: 1 } } },
      /throttleBuckets.ssm must be \{ max, refillPerSecond \} with positive numbers/,
    ],
    [[1, 2], /expected a JSON object/],
  ])('rejects the invalid model %j', (partial, message) => {
    // Prepare
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(partial));

    // Act
    const load = () => loadLatencyModel(file);

    // Assess
    expect(load).toThrow(message);
    expect(load).toThrow(expect.objectContaining({ name: 'LatencyModelError' }));
  });

  it('refuses a file it cannot read or that is not JSON, naming the file', () => {
    // Prepare
    const file = join(dir, 'broken.json');
    writeFileSync(file, '{ "jitter": ');
    // Act / Assess
    expect(() => loadLatencyModel(file)).toThrow(/latency model .*broken.json: is not JSON/);
    expect(() => loadLatencyModel(join(dir, 'missing.json'))).toThrow(/latency model .*missing.json: cannot read the file \(ENOENT\)/);
  });

  describe('with jitter', () => {
    let clock: InstalledClock;

    beforeEach(() => {
      clock = installClock();
    });

    afterEach(() => clock.uninstall());

    /** Seconds until a new NAT gateway becomes available under a jittered model. */
    async function natReadyAfter(seed: number): Promise<number> {
      const cloud = new SimulatedCloud({ seed, latencyModel: { ...loadLatencyModel(), jitter: 0.3, throttling: false } });
      const { ec2 } = cloud.clients({ maxAttempts: 1 });
      const net = await buildNetwork(ec2, clock);
      const { natGatewayId } = await addNat(ec2, clock, net);
      for (let seconds = 1; seconds < 200; seconds++) {
        clock.tick(1000);
        const out = await ec2.send(new DescribeNatGatewaysCommand({ NatGatewayIds: [natGatewayId] }));
        if (out.NatGateways?.[0]?.State === 'available') return seconds;
      }
      throw new Error('the NAT gateway never became available');
    }

    it('draws deterministic latencies from the seed, within the jitter fraction', async () => {
      // Act
      const first = await natReadyAfter(11);
      clock.uninstall();
      clock = installClock();
      const again = await natReadyAfter(11);

      // Assess
      expect(again).toBe(first);
      expect(first).toBeGreaterThanOrEqual(69);
      expect(first).toBeLessThanOrEqual(130);
    });
  });
});
