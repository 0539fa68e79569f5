import { parseClusterSpec, quorumOf, resolveAutoscaling } from '../../../functions/shared/cluster-spec';

const base = { name: 'demo', adminCidr: '203.0.113.0/24' };

function fieldError(input: unknown): string {
  try {
    parseClusterSpec(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('parseClusterSpec', () => {
  it('fills in the blog network layout and pinned software by default', () => {
    // Act
    const spec = parseClusterSpec(base);
    // Assess
    expect(spec).toMatchObject({
      name: 'demo',
      masters: 1,
      slaves: 2,
      vpcCidr: '172.28.128.0/22',
      publicSubnetCidr: '172.28.128.0/24',
      privateSubnetCidr: '172.28.129.0/24',
      keepOnFailure: false,
      software: { mesosVersion: '1.11.0-0.7.1.ubuntu2404', marathonVersion: '1.11.30' },
    });
  });

  it.each([
    [{ ...base, name: 'Demo' }, /^name: must be a lowercase DNS label/],
    [{ ...base, name: 'ab' }, /^name: /],
    [{ ...base, name: 'a'.repeat(33) }, /^name: /],
    [{ ...base, masters: 2 }, /^masters: must be 1, 3 or 5/],
    [{ ...base, slaves: 201 }, /^slaves: must be at most 200/],
    [{ ...base, slaves: -1 }, /^slaves: must be at least 0/],
    [{ ...base, slaves: 1.5 }, /^slaves: must be a whole number/],
    [{ ...base, slaves: '3' }, /^slaves: must be a number/],
    [{ name: 'demo' }, /^adminCidr: is required/],
    [{ ...base, adminCidr: '0.0.0.0/0' }, /^adminCidr: opens the Mesos and Marathon UIs/],
    [{ ...base, adminCidr: '300.1.1.1/8' }, /^adminCidr: must be an IPv4 CIDR/],
    [{ ...base, masterInstanceType: 'p4d.24xlarge' }, /^masterInstanceType: must be one of/],
    [{ ...base, publicSubnetCidr: '10.0.0.0/24' }, /^publicSubnetCidr: must lie inside vpcCidr/],
    [{ ...base, privateSubnetCidr: '172.28.128.128/25' }, /^privateSubnetCidr: must not overlap/],
    [{ ...base, vpcCidr: '10.0.0.0/8' }, /^vpcCidr: must have a prefix length between/],
    [{ ...base, software: { mesosVersion: '1; reboot' } }, /^software.mesosVersion: must be a package version/],
    [{ ...base, extra: true }, /^extra: is not a field of the cluster spec/],
    [{ ...base, software: { mesosVersio: '1.11' } }, /^software.mesosVersio: is not a field of the cluster spec/],
    [
      { ...base, software: { packageRepository: `https://example.com/${'a'.repeat(300)}` } },
      /^software.packageRepository: must be at most 256 characters/,
    ],
    [{ ...base, software: { marathonVersion: '1'.repeat(65) } }, /^software.marathonVersion: must be at most 64 characters/],
    [{ ...base, availabilityZone: `eu-${'west-'.repeat(10)}1a` }, /^availabilityZone: must be at most 32 characters/],
    [
      { ...base, adminCidr: '198.51.100.7/24' },
      /^adminCidr: has host bits set: 198.51.100.7\/24 is not a network address; did you mean 198.51.100.0\/24\?/,
    ],
    [{ ...base, vpcCidr: '172.28.128.1/22' }, /^vpcCidr: has host bits set/],
    [{ ...base, adminCidr: '0.0.0.0/1' }, /^adminCidr: is a \/1: it opens the Mesos and Marathon UIs to a large part of the internet/],
    [{ ...base, adminCidr: '64.0.0.0/7' }, /^adminCidr: is a \/7/],
    [{ ...base, vpcCidr: '224.0.0.0/16' }, /^vpcCidr: overlaps 224.0.0.0\/4 \(multicast\)/],
    [{ ...base, vpcCidr: '127.0.0.0/16' }, /^vpcCidr: overlaps 127.0.0.0\/8 \(loopback\)/],
    [{ ...base, vpcCidr: '169.254.0.0/22' }, /^vpcCidr: overlaps 169.254.0.0\/16 \(link-local\)/],
    [{ ...base, vpcCidr: '0.0.0.0/16' }, /^vpcCidr: overlaps 0.0.0.0\/8/],
  ])('refuses %j naming the field and the rule', (input, message) => {
    // Act / Assess
    expect(fieldError(input)).toMatch(message);
  });

  it('accepts an admin range of a /8 and a wider one only with allowPublicAdmin', () => {
    // Act
    const eight = parseClusterSpec({ ...base, adminCidr: '10.0.0.0/8' });
    const half = parseClusterSpec({ ...base, adminCidr: '0.0.0.0/1', allowPublicAdmin: true });
    // Assess
    expect([eight.adminCidr, half.adminCidr]).toEqual(['10.0.0.0/8', '0.0.0.0/1']);
  });

  it('accepts a public admin CIDR only when asked to', () => {
    // Act
    const spec = parseClusterSpec({ ...base, adminCidr: '0.0.0.0/0', allowPublicAdmin: true });
    // Assess
    expect(spec.adminCidr).toBe('0.0.0.0/0');
  });

  it('computes the majority quorum', () => {
    expect([1, 3, 5].map(quorumOf)).toEqual([1, 2, 3]);
  });
});

describe('autoscaling', () => {
  it('defaults the bounds around the slave count and the thresholds, step and cooldown', () => {
    // Act
    const spec = parseClusterSpec(base);
    // Assess
    expect(spec.autoscaling).toEqual({
      minSlaves: 1,
      maxSlaves: 10,
      scaleOutAbovePercent: 75,
      scaleInBelowPercent: 25,
      step: 2,
      cooldownSeconds: 300,
    });
  });

  it.each([
    [0, 0, 10],
    [12, 1, 12],
    [200, 1, 200],
  ])('bounds a cluster of %i slaves to [%i, %i] by default', (slaves, min, max) => {
    // Act
    const spec = parseClusterSpec({ ...base, slaves });
    // Assess
    expect([spec.autoscaling.minSlaves, spec.autoscaling.maxSlaves]).toEqual([min, max]);
  });

  it('keeps the settings given and defaults the others', () => {
    // Act
    const spec = parseClusterSpec({ ...base, slaves: 3, autoscaling: { minSlaves: 2, maxSlaves: 6, step: 1, cooldownSeconds: 600 } });
    // Assess
    expect(spec.autoscaling).toEqual({
      minSlaves: 2,
      maxSlaves: 6,
      scaleOutAbovePercent: 75,
      scaleInBelowPercent: 25,
      step: 1,
      cooldownSeconds: 600,
    });
  });

  it.each([
    [{ slaves: 2, autoscaling: { minSlaves: 3 } }, /^autoscaling.minSlaves: must be at most slaves \(2\)/],
    [{ slaves: 5, autoscaling: { maxSlaves: 4 } }, /^autoscaling.maxSlaves: must be at least slaves \(5\)/],
    [{ autoscaling: { maxSlaves: 201 } }, /^autoscaling.maxSlaves: must be at most 200/],
    [{ autoscaling: { minSlaves: -1 } }, /^autoscaling.minSlaves: must be at least 0/],
    [{ autoscaling: { step: 0 } }, /^autoscaling.step: must be at least 1/],
    [{ autoscaling: { step: 51 } }, /^autoscaling.step: must be at most 50/],
    [{ autoscaling: { step: 1.5 } }, /^autoscaling.step: must be a whole number/],
    [{ autoscaling: { cooldownSeconds: 59 } }, /^autoscaling.cooldownSeconds: must be at least 60/],
    [{ autoscaling: { scaleOutAbovePercent: 101 } }, /^autoscaling.scaleOutAbovePercent: must be at most 100/],
    [{ autoscaling: { scaleInBelowPercent: 80 } }, /^autoscaling.scaleInBelowPercent: must be below scaleOutAbovePercent \(75\)/],
    [{ autoscaling: { scaleInBelowPercent: 50, scaleOutAbovePercent: 50 } }, /^autoscaling.scaleInBelowPercent: must be below/],
    [{ autoscaling: { minslaves: 1 } }, /^autoscaling.minslaves: is not a field of the cluster spec/],
    [{ autoscaling: 'on' }, /^autoscaling: must be a object/],
  ])('refuses %j naming the field', (extra, message) => {
    // Act / Assess
    expect(fieldError({ ...base, ...extra })).toMatch(message);
  });

  it('resolves the settings of a slave count outside a parse (the scale plan)', () => {
    // Act
    const settings = resolveAutoscaling(4, { maxSlaves: 8 });
    // Assess
    expect(settings).toMatchObject({ minSlaves: 1, maxSlaves: 8, step: 2 });
  });
});

describe('timeouts', () => {
  it('defaults every wait budget', () => {
    // Act
    const spec = parseClusterSpec(base);
    // Assess
    expect(spec.timeouts).toEqual({
      nodesOnlineMinutes: 15,
      natGatewayMinutes: 15,
      masterSetupMinutes: 30,
      slaveSetupMinutes: 20,
      imageMinutes: 40,
      agentsMinutes: 10,
    });
  });

  it('keeps the budgets given and defaults the others', () => {
    // Act
    const spec = parseClusterSpec({ ...base, timeouts: { masterSetupMinutes: 60 } });
    // Assess
    expect(spec.timeouts).toMatchObject({ masterSetupMinutes: 60, nodesOnlineMinutes: 15 });
  });

  it.each([
    [{ masterSetupMinutes: 0 }, 'timeouts.masterSetupMinutes: must be at least 1'],
    [{ imageMinutes: 1.5 }, 'timeouts.imageMinutes: must be a whole number'],
    [{ agentsMinutes: 91 }, 'timeouts.agentsMinutes: must be at most 90'],
    [{ slowMinutes: 3 }, 'timeouts.slowMinutes: is not a field of the cluster spec'],
  ])('refuses %j naming the field and the rule', (timeouts, message) => {
    // Act / Assess
    expect(() => parseClusterSpec({ ...base, timeouts })).toThrow(message);
  });

  it('refuses budgets whose longest chain would outlast the execution timeout', () => {
    // Act / Assess
    expect(() => parseClusterSpec({ ...base, timeouts: { imageMinutes: 60 } })).toThrow(
      'timeouts: 2 × nodesOnlineMinutes + slaveSetupMinutes + imageMinutes + agentsMinutes add up to 120 min; they must stay within 100 min'
    );
  });
});
