/**
 * The latency model: how long simulated operations take (virtual milliseconds) and which
 * behaviours are switched on. Defaults come from simulator/latency-model.json (typical
 * values of the research doc, section (c)); a file may override any subset of fields.
 */
import { readFileSync } from 'node:fs';
import defaults from './latency-model.json';
import type { BucketSpec, DocumentBehaviour, LatencyModel } from './types';

/** The default model (a fresh copy). */
export function defaultLatencyModel(): LatencyModel {
  return structuredClone(defaults) as LatencyModel;
}

/**
 * Loads a latency model: the defaults, merged with the fields of `file` when given
 * (nested `commandDurationsMs` and `throttleBuckets` are merged key by key).
 * Throws on unknown fields or wrongly typed values.
 */
export function loadLatencyModel(file?: string): LatencyModel {
  if (file === undefined) return defaultLatencyModel();
  const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
  return mergeLatencyModel(parsed, file);
}

/** Merges a partial model (e.g. parsed JSON) over the defaults, validating every field. */
export function mergeLatencyModel(partial: unknown, origin = 'latency model'): LatencyModel {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) {
    throw new Error(`${origin}: expected a JSON object`);
  }
  const base = defaultLatencyModel() as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(partial)) {
    if (!(key in base)) throw new Error(`${origin}: unknown field '${key}'`);
    const expected = base[key];
    if (key === 'commandDurationsMs') {
      merged[key] = { ...(expected as Record<string, number>), ...numberRecord(value, `${origin}: ${key}`) };
    } else if (key === 'throttleBuckets') {
      merged[key] = { ...(expected as Record<string, BucketSpec>), ...bucketRecord(value, `${origin}: ${key}`) };
    } else if (typeof expected === 'boolean') {
      if (typeof value !== 'boolean') throw new Error(`${origin}: '${key}' must be a boolean`);
      merged[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        throw new Error(`${origin}: '${key}' must be a non-negative number`);
      }
      if (key === 'jitter' && value >= 1) throw new Error(`${origin}: 'jitter' must be below 1`);
      merged[key] = value;
    }
  }
  return merged as unknown as LatencyModel;
}

function numberRecord(value: unknown, where: string): Partial<Record<DocumentBehaviour, number>> {
  if (typeof value !== 'object' || value === null) throw new Error(`${where} must be an object`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new Error(`${where}.${k} must be a non-negative number`);
    out[k] = v;
  }
  return out;
}

function bucketRecord(value: unknown, where: string): Record<string, BucketSpec> {
  if (typeof value !== 'object' || value === null) throw new Error(`${where} must be an object`);
  const out: Record<string, BucketSpec> = {};
  for (const [k, v] of Object.entries(value)) {
    const spec = v as Partial<BucketSpec> | null;
    if (typeof spec?.max !== 'number' || typeof spec.refillPerSecond !== 'number') {
      throw new Error(`${where}.${k} must be { max, refillPerSecond }`);
    }
    out[k] = { max: spec.max, refillPerSecond: spec.refillPerSecond };
  }
  return out;
}
