/**
 * Virtual time for the simulated cloud: `@sinonjs/fake-timers` installed on the globals
 * (Date and the timer functions; never nextTick or queueMicrotask, which promise chains
 * need), driven one timer at a time until the work settles. Math.random is replaced by a
 * seeded PRNG for the same span, so retry jitter repeats exactly.
 */
import { type Clock, withGlobal } from '@sinonjs/fake-timers';
import { seededRandom } from './seeded-random';

const FAKED = ['Date', 'setTimeout', 'clearTimeout', 'setImmediate', 'clearImmediate', 'setInterval', 'clearInterval'] as const;

/** Timers fired in one session before the clock gives up (work that never ends). */
const LOOP_LIMIT = 2_000_000;

/** Real event-loop turns, captured before any fake clock is installed. */
const realSetImmediate = globalThis.setImmediate;
const realSetTimeout = globalThis.setTimeout;
const realTurn = () => new Promise<void>((resolve) => realSetImmediate(resolve));
const realSleep = (ms: number) => new Promise<void>((resolve) => realSetTimeout(resolve, ms));

let active: Clock | undefined;

/** True while a virtual-time session is running in this process. */
export function inVirtualSession(): boolean {
  return active !== undefined;
}

export interface VirtualResult<T> {
  readonly value: T;
  /** Virtual Date.now() when the work settled. */
  readonly now: number;
  /** Real milliseconds the session took. */
  readonly realMs: number;
}

/**
 * Runs `work` in virtual time starting at `now` (epoch ms) and returns its value with the
 * virtual time at which it settled. Inside a session already running, `work` simply runs
 * (time is already virtual). Rejects with what `work` rejects with.
 */
export async function inVirtualTime<T>(now: number, seed: string, work: () => Promise<T>): Promise<VirtualResult<T>> {
  const realStart = performance.now();
  if (active) {
    const value = await work();
    return { value, now: Date.now(), realMs: performance.now() - realStart };
  }
  const clock = withGlobal(globalThis).install({ now, toFake: [...FAKED], loopLimit: LOOP_LIMIT });
  const realRandom = Math.random;
  Math.random = seededRandom(seed);
  active = clock;
  try {
    let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
    const settled = work().then(
      (value) => {
        outcome = { ok: true, value };
      },
      (error: unknown) => {
        outcome = { ok: false, error };
      }
    );
    await drive(clock, () => outcome !== undefined);
    await settled;
    const end = Date.now();
    if (!outcome) throw new Error('the work in virtual time did not settle');
    if (!outcome.ok) throw outcome.error;
    return { value: outcome.value, now: end, realMs: performance.now() - realStart };
  } finally {
    clock.uninstall();
    Math.random = realRandom;
    active = undefined;
  }
}

/**
 * Real asynchronous requests in flight (file reads, DNS, async crypto): the SDK reads its
 * shared config files on a client's first call. Virtual time must not move on while one
 * is pending, or a Task's timeout fires in virtual time before the step could answer.
 */
const REAL_REQUEST = /^(FSReq|FileHandle|GetAddrInfo|GetNameInfo|QueryReqWrap|Zlib)|Job$/;

function realRequestsPending(): boolean {
  const info = (process as { getActiveResourcesInfo?: () => string[] }).getActiveResourcesInfo;
  return typeof info === 'function' && info.call(process).some((name) => REAL_REQUEST.test(name));
}

/** Real milliseconds to wait for pending real requests before moving virtual time on anyway. */
const MAX_REAL_WAIT_MS = 10_000;

/**
 * Advances the virtual clock one timer at a time until `done()`. Before each step the
 * real event loop turns until no real request is pending, so that promise chains (SDK
 * middleware, the simulated cloud, config file reads) finish before virtual time moves on.
 */
async function drive(clock: Clock, done: () => boolean): Promise<void> {
  while (!done()) {
    await realTurn();
    await realTurn();
    const waitStart = performance.now();
    while (!done() && realRequestsPending() && performance.now() - waitStart < MAX_REAL_WAIT_MS) {
      await realSleep(1);
      await realTurn();
    }
    if (done()) return;
    if (clock.countTimers() === 0) {
      // Nothing scheduled in virtual time: real work is pending; let it happen.
      await realSleep(1);
      continue;
    }
    const before = clock.now;
    await clock.nextAsync();
    const speed = simulationSpeed();
    if (speed !== undefined && clock.now > before) await realSleep(Math.min(60_000, (clock.now - before) / speed));
  }
}

/**
 * MESOS_CLUSTER_SIMULATION_SPEED: simulated seconds per real second (e.g. 60: a minute of
 * the simulated cloud takes a real second), to watch a run unfold or to interrupt it
 * half-way; unset, virtual time moves as fast as the work allows.
 */
function simulationSpeed(): number | undefined {
  const text = process.env.MESOS_CLUSTER_SIMULATION_SPEED;
  if (!text) return undefined;
  const speed = Number(text);
  return Number.isFinite(speed) && speed > 0 ? speed : undefined;
}
