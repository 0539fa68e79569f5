/**
 * Variants of a latency model for the benchmark's sweep: the same model with every
 * duration scaled, or with seeded jitter. A workflow tuned to one model shows here how
 * its time to ready holds against the bound when the cloud is faster, slower or noisier.
 */
import { seededRandom } from '../cli/runner/seeded-random';
import type { LatencyModel } from '../simulator';

/** Durations of the cloud's operations: what the sweep scales. The consistency window, the API call time and the visibility of deleted resources stay as they are. */
const SCALED_FIELDS = [
  'vpcAvailableMs',
  'subnetAvailableMs',
  'natGatewayAvailableMs',
  'natGatewayFailedMs',
  'natGatewayDeleteMs',
  'instanceRunningMs',
  'ssmOnlineMs',
  'instanceTerminateMs',
  'imageAvailableMs',
  'ssmDeliveryMs',
  'agentRegisterMs',
  'agentDrainMs',
  'marathonAppRunningMs',
] as const;

/** The model with every operation duration (and every document run time) multiplied by `factor`. */
export function scaleModel(model: LatencyModel, factor: number): LatencyModel {
  if (!(factor > 0)) throw new Error(`scale factor must be positive, got ${factor}`);
  const scaled: Record<string, unknown> = { ...model };
  for (const field of SCALED_FIELDS) {
    const value = model[field];
    if (typeof value === 'number') scaled[field] = Math.round(value * factor);
  }
  scaled.commandDurationsMs = Object.fromEntries(Object.entries(model.commandDurationsMs).map(([k, v]) => [k, Math.round(v * factor)]));
  return scaled as unknown as LatencyModel;
}

/** Per-operation factors: a field of SCALED_FIELDS, or `commandDurationsMs.<document>`. */
export type OperationFactors = Readonly<Record<string, number>>;

/** The model with each operation scaled by its own factor (1 for the operations not named). */
export function scaleOperations(model: LatencyModel, factors: OperationFactors): LatencyModel {
  const scaled: Record<string, unknown> = { ...model };
  for (const field of SCALED_FIELDS) {
    const value = model[field];
    if (typeof value === 'number') scaled[field] = Math.round(value * (factors[field] ?? 1));
  }
  scaled.commandDurationsMs = Object.fromEntries(
    Object.entries(model.commandDurationsMs).map(([k, v]) => [k, Math.round(v * (factors[`commandDurationsMs.${k}`] ?? 1))])
  );
  return scaled as unknown as LatencyModel;
}

/** The slowest and fastest factor of an uneven model: each operation between half and twice its base duration. */
export const UNEVEN_RANGE = { min: 0.5, max: 2 } as const;

/**
 * Factors drawn per operation, log-uniform in UNEVEN_RANGE, from a seed: a cloud that is
 * faster at some things and slower at others than the base model.
 */
export function unevenFactors(model: LatencyModel, seed: string): OperationFactors {
  const random = seededRandom(seed);
  const lo = Math.log(UNEVEN_RANGE.min);
  const hi = Math.log(UNEVEN_RANGE.max);
  const draw = () => Math.round(Math.exp(lo + random() * (hi - lo)) * 100) / 100;
  const factors: Record<string, number> = {};
  for (const field of SCALED_FIELDS) factors[field] = draw();
  for (const k of Object.keys(model.commandDurationsMs)) factors[`commandDurationsMs.${k}`] = draw();
  return factors;
}

/**
 * A heavy tail: the operations that are slow on a bad day (research (c), the p95 / worst
 * column) at their tail, the others as the base model: the master install on a slow mirror
 * (× 3), the template slave's install (× 2), the NAT gateway (× 2.5), command delivery (× 5)
 * and agent registration (× 4).
 */
export const HEAVY_TAIL_FACTORS: OperationFactors = {
  'commandDurationsMs.configure-master': 3,
  'commandDurationsMs.configure-slave': 2,
  natGatewayAvailableMs: 2.5,
  ssmDeliveryMs: 5,
  agentRegisterMs: 4,
};

function describeFactors(factors: OperationFactors): string {
  return Object.entries(factors)
    .filter(([, f]) => f !== 1)
    .map(([k, f]) => `${k.replace(/^commandDurationsMs\./, '').replace(/Ms$/, '')} × ${f}`)
    .join(', ');
}

/** A model variant of the sweep. */
export interface ModelVariant {
  readonly label: string;
  readonly description: string;
  readonly model: LatencyModel;
}

/** How many uneven models the sweep draws. */
export const UNEVEN_MODELS = 3;

/**
 * The sweep: faster and slower clouds, a noisy one, clouds uneven per operation (drawn from
 * `seed`), and a heavy-tailed one at twice its durations.
 */
export function sweepVariants(base: LatencyModel, seed = '1'): ModelVariant[] {
  const uneven = Array.from({ length: UNEVEN_MODELS }, (_, i) => {
    const factors = unevenFactors(base, `uneven-${seed}-${i + 1}`);
    return {
      label: `uneven ${i + 1}`,
      description: `each operation scaled by its own factor in ${UNEVEN_RANGE.min}–${UNEVEN_RANGE.max} (seed ${seed}, draw ${i + 1}): ${describeFactors(factors)}`,
      model: scaleOperations(base, factors),
    };
  });
  return [
    { label: '× 0.5', description: 'every duration halved', model: scaleModel(base, 0.5) },
    { label: '× 0.8', description: 'every duration × 0.8', model: scaleModel(base, 0.8) },
    { label: '× 1.25', description: 'every duration × 1.25', model: scaleModel(base, 1.25) },
    { label: '× 2', description: 'every duration doubled', model: scaleModel(base, 2) },
    { label: 'jitter 0.3', description: 'each latency drawn in typical × (1 ± 0.3), seed 1', model: { ...base, jitter: 0.3 } },
    ...uneven,
    {
      label: 'heavy tail × 2',
      description: `the tail of the slow operations (${describeFactors(HEAVY_TAIL_FACTORS)}), then every duration doubled`,
      model: scaleModel(scaleOperations(base, HEAVY_TAIL_FACTORS), 2),
    },
  ];
}
