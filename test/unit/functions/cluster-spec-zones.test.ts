import { isMultiZone, parseClusterSpec, zoneSubnetCidrs } from '../../../functions/shared/cluster-spec';

const base = { name: 'demo', adminCidr: '203.0.113.0/24' };

function fieldError(input: unknown): string {
  try {
    parseClusterSpec(input);
  } catch (err) {
    return (err as Error).message;
  }
  throw new Error('expected a ValidationError');
}

describe('cluster spec: zones, NAT gateways and the slave image', () => {
  it('defaults to no named zone, one NAT gateway and a cached image', () => {
    // Act
    const spec = parseClusterSpec(base);
    // Assess
    expect(spec).toMatchObject({ availabilityZones: [], natGateways: 'single', freshImage: false });
    expect(isMultiZone(spec)).toBe(false);
  });

  it('spreads 3 or 5 masters over zones unless one zone is named', () => {
    // Act
    const three = parseClusterSpec({ ...base, masters: 3 });
    const five = parseClusterSpec({ ...base, masters: 5, natGateways: 'perAz' });
    const pinned = parseClusterSpec({ ...base, masters: 3, availabilityZone: 'eu-west-1b' });
    // Assess
    expect(isMultiZone(three)).toBe(true);
    expect(five).toMatchObject({ natGateways: 'perAz' });
    expect(isMultiZone(five)).toBe(true);
    expect(pinned.availabilityZones).toEqual(['eu-west-1b']);
    expect(isMultiZone(pinned)).toBe(false);
  });

  it('accepts its own output again (the workflow re-validates the spec the CLI and API validated)', () => {
    // Prepare
    const once = parseClusterSpec({ ...base, masters: 3, vpcCidr: '10.20.0.0/16', availabilityZones: ['eu-west-1a', 'eu-west-1c'] });
    // Act
    const twice = parseClusterSpec(once);
    // Assess
    expect(twice).toEqual(once);
  });

  it('carves a multi-zone cluster subnets from a custom vpcCidr without asking for subnet CIDRs', () => {
    // Act
    const spec = parseClusterSpec({ ...base, masters: 3, vpcCidr: '10.20.0.0/16' });
    // Assess
    expect(spec.vpcCidr).toBe('10.20.0.0/16');
    expect(zoneSubnetCidrs(spec.vpcCidr, 0)).toEqual({ privateCidr: '10.20.0.0/19', publicCidr: '10.20.224.0/22' });
    expect(zoneSubnetCidrs(spec.vpcCidr, 4)).toEqual({ privateCidr: '10.20.128.0/19', publicCidr: '10.20.240.0/22' });
  });

  it('carves the default /22 into /25 private and /28 public subnets per zone', () => {
    // Act
    const zones = [0, 1, 2, 3, 4].map((i) => zoneSubnetCidrs('172.28.128.0/22', i));
    // Assess
    expect(zones).toEqual([
      { privateCidr: '172.28.128.0/25', publicCidr: '172.28.131.128/28' },
      { privateCidr: '172.28.128.128/25', publicCidr: '172.28.131.144/28' },
      { privateCidr: '172.28.129.0/25', publicCidr: '172.28.131.160/28' },
      { privateCidr: '172.28.129.128/25', publicCidr: '172.28.131.176/28' },
      { privateCidr: '172.28.130.0/25', publicCidr: '172.28.131.192/28' },
    ]);
  });

  it('refuses to carve a sixth zone or a VPC smaller than /22', () => {
    // Act / Assess
    expect(() => zoneSubnetCidrs('172.28.128.0/22', 5)).toThrow(/^availabilityZones: zone 6: at most 5 zones/);
    expect(() => zoneSubnetCidrs('172.28.128.0/23', 0)).toThrow(/^vpcCidr: must be a \/22 or larger/);
  });

  it.each([
    [{ natGateways: 'many' }, /^natGateways: must be single or perAz/],
    [{ freshImage: 'yes' }, /^freshImage: must be a boolean/],
    [{ availabilityZones: ['eu-west-1a', 'eu-west-1a'] }, /^availabilityZones: must not name a zone twice \(eu-west-1a\)/],
    [{ availabilityZones: ['mars-1a'] }, /^availabilityZones.0: must be an availability zone name/],
    [
      { availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1c', 'eu-west-1d', 'eu-west-1e', 'eu-west-1f'] },
      /^availabilityZones: must name at most 5 zones/,
    ],
    [{ availabilityZone: 'eu-west-1a', availabilityZones: ['eu-west-1b'] }, /^availabilityZone: conflicts with availabilityZones/],
    [
      { masters: 3, vpcCidr: '172.28.128.0/24' },
      /^vpcCidr: must be a \/22 or larger: a cluster of 3 masters over up to 3 availability zones/,
    ],
    [
      { availabilityZones: ['eu-west-1a', 'eu-west-1b'], vpcCidr: '172.28.128.0/23' },
      /^vpcCidr: must be a \/22 or larger: a cluster over 2 availability zones/,
    ],
    [{ masters: 3, publicSubnetCidr: '172.28.130.0/24' }, /^publicSubnetCidr: applies to a single-zone cluster only/],
  ])('refuses %j naming the field and the rule', (extra, message) => {
    // Act / Assess
    expect(fieldError({ ...base, ...extra })).toMatch(message);
  });

  it('keeps the blog subnets of a single-zone cluster of 3 masters in one named zone', () => {
    // Act
    const spec = parseClusterSpec({ ...base, masters: 3, availabilityZones: ['eu-west-1a'], privateSubnetCidr: '172.28.130.0/24' });
    // Assess
    expect(spec).toMatchObject({ publicSubnetCidr: '172.28.128.0/24', privateSubnetCidr: '172.28.130.0/24' });
  });
});
