/**
 * The verbose progress of a run (`--verbose`; phases.ts prints the compact one), one line
 * per event, for people watching a terminal (stderr):
 *
 *   [ 00:01:32] ▶ Check NAT Gateway
 *   [ 00:01:33] ✓ Check NAT Gateway (0.4 s)
 *   [ 00:01:48] ↻ retry Check NAT Gateway #1: NotReadyError: nat-0abc is pending
 *   [ 00:02:10] ✗ Create NAT Gateway failed: FatalError: create-nat-gateway: NatGatewayLimitExceeded: …
 *
 * The time is the elapsed time of the execution (virtual on the simulated cloud). States
 * inside a Parallel branch are indented and carry the branch number (`[2]`). Instant flow
 * states (Choice, Pass, Succeed) take one line (`·`), a Fail state one `✗` line with its
 * error and cause. A failure is printed when its fate is known: with the retry that
 * follows it, the catch that handles it, or the end of its branch or execution.
 */
import { causeMessage, type RunEvent } from './runner/local-runner';

const INSTANT = new Set(['Choice', 'Pass', 'Succeed']);

/** `[ hh:mm:ss]` of an elapsed time. */
export function clockOf(elapsedMs: number): string {
  const total = Math.max(0, Math.floor(elapsedMs / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  return `[ ${two(h)}:${two(m)}:${two(s)}]`;
}

/** `0.4 s`, `12 s`, `3 min 05 s`. */
export function durationOf(ms: number): string {
  if (ms < 10_000) return `${(ms / 1000).toFixed(1)} s`;
  const total = Math.round(ms / 1000);
  if (total < 60) return `${total} s`;
  const m = Math.floor(total / 60);
  return `${m} min ${String(total % 60).padStart(2, '0')} s`;
}

function shorten(text: string, max = 240): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** A renderer of run events into progress lines, written through `write`. */
export class ProgressPrinter {
  private readonly write: (line: string) => void;
  /** The last failure of each state, printed with the retry or the catch that follows it. */
  private readonly failures = new Map<string, RunEvent>();

  constructor(write: (line: string) => void) {
    this.write = write;
  }

  private line(event: RunEvent, symbol: string, text: string): void {
    const branch = event.depth > 0 && event.branch !== undefined ? `[${event.branch + 1}] ` : '';
    this.write(`${clockOf(event.elapsedMs)} ${'  '.repeat(event.depth)}${branch}${symbol} ${text}`);
  }

  private failureText(event: RunEvent | undefined): string {
    if (!event) return '';
    const message = causeMessage(event.cause);
    return shorten(message && message !== event.error ? `${event.error}: ${message}` : (event.error ?? 'error'));
  }

  /** Handles one event; pass it as `onEvent` of runMachine. */
  readonly onEvent = (event: RunEvent): void => {
    const name = event.state ?? '';
    switch (event.type) {
      case 'StateEntered':
        if (!INSTANT.has(event.stateType ?? '') && event.stateType !== 'Fail') this.line(event, '▶', name);
        return;
      case 'StateExited':
        this.failures.delete(name);
        if (INSTANT.has(event.stateType ?? '')) this.line(event, '·', name);
        else this.line(event, '✓', `${name} (${durationOf(event.durationMs ?? 0)})`);
        return;
      case 'StateFailed':
        if (event.stateType === 'Fail') {
          this.line(event, '✗', `${name}: ${this.failureText(event)}`);
          return;
        }
        if (event.stateType === 'Parallel' || event.stateType === 'Map') {
          // A branch state that failed is not retried any more: the branch (and the Parallel) failed with it.
          for (const inner of [...this.failures.values()].filter((f) => f.depth > event.depth)) {
            this.line(inner, '✗', `${inner.state} failed: ${this.failureText(inner)}`);
            this.failures.delete(inner.state ?? '');
          }
        }
        this.failures.set(name, event);
        return;
      case 'StateRetried':
        this.line(event, '↻', `retry ${name} #${event.attempt ?? '?'}: ${this.failureText(this.failures.get(name))}`);
        this.failures.delete(name);
        return;
      case 'StateCaught':
        this.line(event, '✗', `${name} failed: ${this.failureText(this.failures.get(name))} (caught)`);
        this.failures.delete(name);
        return;
      case 'ExecutionFailed': {
        const uncaught = [...this.failures.values()].at(-1);
        if (uncaught) this.line(uncaught, '✗', `${uncaught.state} failed: ${this.failureText(uncaught)}`);
        this.failures.clear();
        return;
      }
      default:
        return;
    }
  };
}
