/**
 * Deterministic ids and randomness: the same seed and the same sequence of calls give
 * the same ids and the same jitter.
 */
import { createHash } from 'node:crypto';
import type { CloudState } from '../state';

function nextCount(state: CloudState, kind: string): number {
  const n = (state.counters[kind] ?? 0) + 1;
  state.counters[kind] = n;
  return n;
}

function digest(state: CloudState, kind: string, n: number): string {
  return createHash('sha256').update(`${state.seed}/${kind}/${n}`).digest('hex');
}

/** An EC2-style id: `vpc-0a1b2c3d4e5f60718` (prefix, dash, 17 hex digits starting with 0). */
export function newId(state: CloudState, prefix: string): string {
  const n = nextCount(state, prefix);
  return `${prefix}-0${digest(state, prefix, n).slice(0, 16)}`;
}

/** A UUID-shaped id (SSM command ids, request ids). */
export function newUuid(state: CloudState, kind: string): string {
  const h = digest(state, kind, nextCount(state, kind));
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The next number of a named sequence (addresses and the like). */
export function nextNumber(state: CloudState, kind: string): number {
  return nextCount(state, kind);
}

/** A uniform number in [0, 1) from the seeded generator (mulberry32) kept in the state. */
export function random(state: CloudState): number {
  state.prng = (state.prng + 0x6d2b79f5) >>> 0;
  let t = state.prng;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
