/**
 * Variants of a latency model for the benchmark's sweep: the same model with every
 * duration scaled, or with seeded jitter. A workflow tuned to one model shows here how
 * its time to ready holds against the bound when the cloud is faster, slower or noisier.
 */
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

/** A model variant of the sweep. */
export interface ModelVariant {
  readonly label: string;
  readonly description: string;
  readonly model: LatencyModel;
}

/** The sweep: faster and slower clouds, and a noisy one. */
export function sweepVariants(base: LatencyModel): ModelVariant[] {
  return [
    { label: '× 0.5', description: 'every duration halved', model: scaleModel(base, 0.5) },
    { label: '× 0.8', description: 'every duration × 0.8', model: scaleModel(base, 0.8) },
    { label: '× 1.25', description: 'every duration × 1.25', model: scaleModel(base, 1.25) },
    { label: '× 2', description: 'every duration doubled', model: scaleModel(base, 2) },
    { label: 'jitter 0.3', description: 'each latency drawn in typical × (1 ± 0.3), seed 1', model: { ...base, jitter: 0.3 } },
  ];
}
