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

/** A latency model file that cannot be used: the message names the file, the field and the rule. */
export class LatencyModelError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'LatencyModelError';
  }
}

/**
 * Loads a latency model: the defaults, merged with the fields of `file` when given
 * (nested `commandDurationsMs` and `throttleBuckets` are merged key by key).
 * Throws LatencyModelError naming the field and the rule for an unreadable file, bad JSON,
 * an unknown field or a wrongly typed value.
 */
export function loadLatencyModel(file?: string): LatencyModel {
  if (file === undefined) return defaultLatencyModel();
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
    throw new LatencyModelError(`latency model ${file}: cannot read the file (${code})`, { cause: err });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new LatencyModelError(`latency model ${file}: is not JSON: ${(err as Error).message}`, { cause: err });
  }
  return mergeLatencyModel(parsed, `latency model ${file}`);
}

const fail = (message: string): never => {
  throw new LatencyModelError(message);
};

/** Merges a partial model (e.g. parsed JSON) over the defaults, validating every field. */
export function mergeLatencyModel(partial: unknown, origin = 'latency model'): LatencyModel {
  if (typeof partial !== 'object' || partial === null || Array.isArray(partial)) fail(`${origin}: expected a JSON object`);
  const base = defaultLatencyModel() as unknown as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(partial as object)) {
    if (!(key in base)) fail(`${origin}: unknown field '${key}' (the fields are those of simulator/latency-model.json)`);
    const expected = base[key];
    if (key === 'commandDurationsMs') {
      merged[key] = {
        ...(expected as Record<string, number>),
        ...numberRecord(value, `${origin}: ${key}`, Object.keys(expected as object)),
      };
    } else if (key === 'throttleBuckets') {
      merged[key] = {
        ...(expected as Record<string, BucketSpec>),
        ...bucketRecord(value, `${origin}: ${key}`, Object.keys(expected as object)),
      };
    } else if (typeof expected === 'boolean') {
      if (typeof value !== 'boolean') fail(`${origin}: '${key}' must be a boolean, got ${JSON.stringify(value)}`);
      merged[key] = value;
    } else {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
        fail(`${origin}: '${key}' must be a non-negative number, got ${JSON.stringify(value)}`);
      }
      if (key === 'jitter' && (value as number) >= 1) fail(`${origin}: 'jitter' must be below 1, got ${value}`);
      merged[key] = value;
    }
  }
  return merged as unknown as LatencyModel;
}

function numberRecord(value: unknown, where: string, known: readonly string[]): Partial<Record<DocumentBehaviour, number>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be an object`);
  const out: Record<string, number> = {};
  for (const [k, v] of Object.entries(value as object)) {
    if (!known.includes(k)) fail(`${where}: unknown document '${k}' (one of ${known.join(', ')})`);
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      fail(`${where}.${k} must be a non-negative number, got ${JSON.stringify(v)}`);
    out[k] = v as number;
  }
  return out;
}

function bucketRecord(value: unknown, where: string, known: readonly string[]): Record<string, BucketSpec> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(`${where} must be an object`);
  const out: Record<string, BucketSpec> = {};
  for (const [k, v] of Object.entries(value as object)) {
    if (!known.includes(k)) fail(`${where}: unknown bucket '${k}' (one of ${known.join(', ')})`);
    const spec = v as Partial<BucketSpec> | null;
    const positive = (n: unknown) => typeof n === 'number' && Number.isFinite(n) && n > 0;
    if (!positive(spec?.max) || !positive(spec?.refillPerSecond))
      fail(`${where}.${k} must be { max, refillPerSecond } with positive numbers`);
    out[k] = { max: spec?.max as number, refillPerSecond: spec?.refillPerSecond as number };
  }
  return out;
}
