import { HEAVY_TAIL_FACTORS, scaleOperations, sweepVariants, UNEVEN_RANGE, unevenFactors } from '../../../bench/latency-variants';
import { defaultLatencyModel } from '../../../simulator';

const base = defaultLatencyModel();

describe('latency variants', () => {
  it('draws the same uneven factors from the same seed, within the range, and others from another seed', () => {
    // Act
    const a = unevenFactors(base, 'uneven-1-1');
    const again = unevenFactors(base, 'uneven-1-1');
    const other = unevenFactors(base, 'uneven-2-1');
    // Assess
    expect(again).toEqual(a);
    expect(other).not.toEqual(a);
    for (const f of Object.values(a)) {
      expect(f).toBeGreaterThanOrEqual(UNEVEN_RANGE.min);
      expect(f).toBeLessThanOrEqual(UNEVEN_RANGE.max);
    }
    expect(new Set(Object.values(a)).size).toBeGreaterThan(5);
  });

  it('scales each operation by its own factor and leaves the others', () => {
    // Act
    const model = scaleOperations(base, HEAVY_TAIL_FACTORS);
    // Assess
    expect(model.commandDurationsMs['configure-master']).toBe(base.commandDurationsMs['configure-master'] * 3);
    expect(model.natGatewayAvailableMs).toBe(base.natGatewayAvailableMs * 2.5);
    expect(model.imageAvailableMs).toBe(base.imageAvailableMs);
    expect(model.consistencyWindowMs).toBe(base.consistencyWindowMs);
  });

  it('sweeps scaled, jittered, uneven and heavy-tailed models, the uneven ones from the seed', () => {
    // Act
    const labels = sweepVariants(base, '7').map((v) => v.label);
    const heavy = sweepVariants(base).find((v) => v.label === 'heavy tail × 2');
    // Assess
    expect(labels).toEqual(['× 0.5', '× 0.8', '× 1.25', '× 2', 'jitter 0.3', 'uneven 1', 'uneven 2', 'uneven 3', 'heavy tail × 2']);
    expect(sweepVariants(base, '7')[5]?.model).not.toEqual(sweepVariants(base, '8')[5]?.model);
    expect(heavy?.model.commandDurationsMs['configure-master']).toBe(base.commandDurationsMs['configure-master'] * 6);
  });
});
