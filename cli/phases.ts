/**
 * The compact progress view (the default on a terminal and in logs; `--verbose` prints
 * every state instead): one line per phase of a machine, printed when the phase ends,
 * with the execution's clock, the phase's duration and its step count (Lambda tasks run,
 * poll checks included):
 *
 *   [ 00:00:03] ✓ validate      0.4 s    1 step
 *   [ 00:00:12] ✓ network       9.0 s        6 steps
 *   [ 00:01:53] ✗ nat gateway   1 min 41 s   3 steps, failed at Create NAT Gateway
 *   [ 00:01:53] – masters       1 min 40 s   4 steps, stopped
 *   [ 00:02:30] ✓ roll back     37 s    19 steps
 *
 * Routine retries (a resource not visible yet: NotFound, a poll that is not ready) are not
 * shown; any other retry gets a `↻` line. A failure's reason is not printed here: the
 * summary that follows a run prints it once. On a terminal a status line, rewritten in
 * place, shows the phases under way.
 */

import { clockOf, durationOf } from './progress';
import { causeMessage, type RunEvent } from './runner/local-runner';
import type { Style } from './style';

/**
 * A phase: the states it holds, and the states whose exit ends it; without them, it ends
 * when a state of another phase (or a Parallel) starts in its branch. A phase `afterFailure` (the
 * rollback, the recording of a failure) ends every phase still open when it starts.
 */
interface PhaseRule {
  readonly name: string;
  readonly states: RegExp;
  readonly ends?: readonly string[];
  readonly afterFailure?: boolean;
}

/** The phases of the create, teardown and scale machines, first match wins. */
export const PHASES: readonly PhaseRule[] = [
  { name: 'validate', states: /^Validate Cluster Spec$/, ends: ['Validate Cluster Spec'] },
  {
    name: 'roll back',
    states:
      /^(Roll Back |Record Create Failure$|Record Rejected Spec$|Was Spec Validated\?$|Keep Resources\?$|Note Unrecorded Create Failure$)/,
    ends: ['Roll Back Verify Nothing Left'],
    afterFailure: true,
  },
  {
    name: 'record failure',
    states: /^(Record (Scale|Delete) Failure|Note Planning Failure|Note Unrecorded (Scale|Delete) Failure)$/,
    afterFailure: true,
  },
  {
    name: 'network',
    states:
      /^(Create VPC|Create Subnets|Create Gateways And Security Groups|Create Internet Gateway|Create Public Route Table|Allocate Elastic IP|Create Security Groups)$/,
  },
  {
    name: 'nat gateway',
    states:
      /^(Create NAT Gateway|Start NAT Gateway Checks|Wait For NAT Gateway|Check NAT Gateway|Count NAT Gateway Checks|Is NAT Gateway Available\?|Wait To Recheck NAT Gateway|NAT Gateway Timed Out|Create Private Route Table)$/,
    ends: ['Create Private Route Table'],
  },
  {
    name: 'masters',
    states: /^(Launch Masters|Configure Masters|.*Masters? (Online|Setup)\b.*|Is Master Setup Done\?|Masters Configured)$/,
    ends: ['Masters Configured'],
  },
  {
    name: 'image',
    states: /Slave Image|Template Slave|^(Are Slaves Wanted\?|Discard Image Bake)$/,
    ends: [
      'Use Cached Slave Image',
      'Use Baked Slave Image',
      'Terminate Template Slave',
      'No Slave Image Needed',
      "Use The Cluster's Slave Image",
    ],
  },
  {
    name: 'slaves',
    states: /^(Any Slaves To Launch\?|No Slaves To Launch|Launch Slaves|.*Slaves Online.*|Slaves Booted)$/,
    ends: ['Slaves Booted', 'No Slaves To Launch'],
  },
  { name: 'drain', states: /Drain|^(Have The Tasks Left\?|Pick Slaves To Remove)$/ },
  { name: 'agents', states: /Agents?\b|^Any Slaves\?$/ },
  { name: 'smoke test', states: /Smoke Test/, ends: ['Check Smoke Test Removal'] },
  { name: 'terminate', states: /Removed Slaves/ },
  { name: 'maintenance', states: /Schedule Clear|Maintenance Schedule/ },
  {
    name: 'plan',
    states:
      /^(Read Scale Request|Plan Scale|Check Scale Lease|Count Scale Rounds|Was A Scale Planned\?|Which Way To Scale\?|Wait For Lease To Settle|Read Refusal|Is A Scale Needed\?|No Scale Needed|Should The Alarm Scale Stop Quietly\?|Scale Skipped)$/,
  },
  {
    name: 'record',
    states: /^(Record Scale|Wait Out The (Remaining )?Cooldown|Wait For The Cooldown\?|Keep Following The Alarm\?|Cluster Scaled)$/,
  },
  { name: 'ready', states: /^(Create Scaling Alarms|Mark Cluster Ready|Cluster Ready)$/, ends: ['Cluster Ready'] },
  // The teardown machine.
  { name: 'mark deleting', states: /^Mark Cluster Deleting$/ },
  { name: 'alarms', states: /^Delete Scaling Alarms$/ },
  {
    name: 'instances',
    states: /Instance Termination|^(Terminate Instances|Check Instances Terminated|Are Instances Terminated\?|Instances Terminated)$/,
    ends: ['Instances Terminated'],
  },
  {
    name: 'nat gateways',
    states: /NAT Gateway Deletion|^(Delete NAT Gateways|Check NAT Gateways Deleted|Are NAT Gateways Deleted\?|NAT Gateways Deleted)$/,
    ends: ['NAT Gateways Deleted'],
  },
  { name: 'images', states: /^Delete Images$/, ends: ['Delete Images'] },
  {
    name: 'network',
    states: /^(Release Elastic IPs|Delete Route Tables|Delete Internet Gateways|Delete Security Groups|Delete Subnets|Delete VPC)$/,
  },
  { name: 'verify', states: /^(Verify Nothing Left|Cluster Deleted)$/, ends: ['Cluster Deleted'] },
];

/**
 * The phase of a state: the first rule that holds it; a Task no rule holds is a phase of
 * its own. Undefined (no phase) for Fail states and for the other states no rule holds
 * (Parallel containers, flow states between phases).
 */
export function phaseOf(state: string, stateType: string | undefined): PhaseRule | undefined {
  if (stateType === 'Fail') return undefined;
  const rule = PHASES.find((r) => r.states.test(state));
  if (rule) return rule;
  return stateType === 'Task' ? { name: state.toLowerCase(), states: /$^/, ends: [state] } : undefined;
}

/** Where a state runs: its depth and its Parallel branch. */
function laneOf(event: RunEvent): string {
  return `${event.depth}|${event.parent ?? ''}|${event.branch ?? ''}`;
}

interface OpenPhase {
  readonly rule: PhaseRule;
  readonly startedMs: number;
  lastMs: number;
  steps: number;
  active: number;
  /** The lane (depth and branch) of its latest state. */
  lane: string;
  /** The state whose failure has not been retried or recovered from. */
  failedAt?: string;
}

/** Error names that are routine while the cloud catches up: hidden unless --verbose. */
function routine(event: RunEvent | undefined): boolean {
  if (!event) return true;
  if (event.error === 'NotReadyError') return true;
  const message = causeMessage(event.cause) ?? '';
  return event.error === 'RetryableError' && /NotFound|not visible yet/.test(message);
}

/** Renders run events as one line per phase, written through `write` (a whole line, without newline). */
export class PhaseProgress {
  private readonly open = new Map<string, OpenPhase>();
  private readonly failures = new Map<string, RunEvent>();
  private status = false;

  /**
   * @param write writes one line
   * @param style colours (none when piped)
   * @param live a terminal: rewrite a status line in place with the phases under way
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly style: Style,
    private readonly live: (text: string) => void = () => undefined
  ) {}

  private clearStatus(): void {
    if (this.status) this.live('\r\x1b[K');
    this.status = false;
  }

  private print(text: string): void {
    this.clearStatus();
    this.write(text);
  }

  private showStatus(elapsedMs: number): void {
    const running = [...this.open.values()];
    if (running.length === 0) return;
    const parts = running.map((p) => `${p.rule.name} ${durationOf(elapsedMs - p.startedMs)}`);
    this.live(`\r\x1b[K${this.style.dim(`${clockOf(elapsedMs)} … ${parts.join(', ')}`)}`);
    this.status = true;
  }

  private close(phase: OpenPhase, atMs: number, outcome: 'done' | 'failed' | 'stopped'): void {
    this.open.delete(phase.rule.name);
    const steps = `${phase.steps} step${phase.steps === 1 ? '' : 's'}`;
    const duration = durationOf(Math.max(0, phase.lastMs - phase.startedMs));
    const name = phase.rule.name.padEnd(13);
    const s = this.style;
    if (outcome === 'done') this.print(`${s.dim(clockOf(atMs))} ${s.green('✓')} ${name} ${duration.padEnd(12)} ${steps}`);
    else if (outcome === 'failed')
      this.print(`${s.dim(clockOf(atMs))} ${s.red('✗')} ${s.bold(name)} ${duration.padEnd(12)} ${steps}, failed at ${phase.failedAt}`);
    else this.print(`${s.dim(clockOf(atMs))} ${s.yellow('–')} ${name} ${duration.padEnd(12)} ${steps}, stopped`);
  }

  /** Ends every open phase: the failed ones as failed, the others as done (`success`) or stopped. */
  private closeAll(atMs: number, success: boolean): void {
    for (const phase of [...this.open.values()]) {
      this.close(phase, atMs, phase.failedAt ? 'failed' : success && phase.active === 0 ? 'done' : 'stopped');
    }
  }

  /** The open phase of a state. */
  private phaseFor(state: string, stateType: string | undefined): OpenPhase | undefined {
    const rule = phaseOf(state, stateType ?? 'Task');
    return rule ? this.open.get(rule.name) : undefined;
  }

  /** Handles one event; pass it as `onEvent` of runMachine. */
  readonly onEvent = (event: RunEvent): void => {
    const name = event.state ?? '';
    const at = event.elapsedMs;
    switch (event.type) {
      case 'StateEntered': {
        const rule = phaseOf(name, event.stateType);
        const lane = laneOf(event);
        if (rule?.afterFailure && !this.open.has(rule.name)) this.closeAll(at, false);
        // A phase without end states ends when the next phase (or a Parallel) starts in its branch.
        if (rule || event.stateType === 'Parallel' || event.stateType === 'Map') {
          for (const phase of [...this.open.values()]) {
            if (phase.rule.name !== rule?.name && !phase.rule.ends && phase.lane === lane && phase.active === 0)
              this.close(phase, at, phase.failedAt ? 'failed' : 'done');
          }
        }
        if (!rule) return;
        let phase = this.open.get(rule.name);
        if (!phase) {
          phase = { rule, startedMs: at, lastMs: at, steps: 0, active: 0, lane };
          this.open.set(rule.name, phase);
        }
        phase.active++;
        phase.lane = lane;
        if (event.stateType === 'Task') phase.steps++;
        this.showStatus(at);
        return;
      }
      case 'StateExited': {
        this.failures.delete(name);
        const phase = this.phaseFor(name, event.stateType);
        if (!phase) return;
        phase.active = Math.max(0, phase.active - 1);
        phase.lastMs = at;
        phase.lane = laneOf(event);
        if (phase.failedAt === name) phase.failedAt = undefined;
        if (phase.rule.ends?.includes(name) && phase.active === 0) this.close(phase, at, phase.failedAt ? 'failed' : 'done');
        else this.showStatus(at);
        return;
      }
      case 'StateFailed': {
        const phase = this.phaseFor(name, event.stateType);
        if (!phase) return;
        phase.active = Math.max(0, phase.active - 1);
        phase.lastMs = at;
        // A container failed by its branch is not where the failure happened.
        if (event.stateType !== 'Parallel' && event.stateType !== 'Map') {
          phase.failedAt = name;
          this.failures.set(name, event);
        }
        return;
      }
      case 'StateRetried': {
        const failure = this.failures.get(name);
        this.failures.delete(name);
        const phase = this.phaseFor(name, undefined);
        if (phase?.failedAt === name) phase.failedAt = undefined;
        if (!routine(failure)) {
          const message = causeMessage(failure?.cause);
          const text = message && message !== failure?.error ? `${failure?.error}: ${message}` : (failure?.error ?? 'error');
          this.print(`${this.style.dim(clockOf(at))} ${this.style.yellow('↻')} ${name}: ${shorten(text)} (retry ${event.attempt ?? '?'})`);
        }
        return;
      }
      case 'ExecutionSucceeded':
        this.closeAll(at, true);
        this.clearStatus();
        return;
      case 'ExecutionFailed':
      case 'ExecutionTimeout':
        this.closeAll(at, false);
        this.clearStatus();
        return;
      default:
        return;
    }
  };
}

function shorten(text: string, max = 160): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}
