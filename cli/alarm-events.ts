/**
 * EventBridge for the simulated cloud: moves the virtual clock a minute at a time and, for
 * every scaling alarm that entered ALARM meanwhile, starts the scale machine with the input
 * that the stack's alarm rule gives it (infra/constructs/scale-triggers.ts):
 * `{ source: 'alarm', alarmName, direction }`. The scale runs go on side by side on the same
 * clock, as executions do; the advance ends when the time is up and every run has ended.
 *
 * Must run inside a virtual-time session (cli/runner/virtual-time.ts): it sleeps with
 * setTimeout, which the session's clock fires.
 */
import type { ScaleDirection } from '../functions/shared/contracts';
import { parseScalingAlarmName } from '../functions/shared/scaling';
import type { AlarmStateChange, SimulatedCloud } from '../simulator';
import type { RunResult } from './runner/local-runner';

/** How often the simulated EventBridge looks at the alarms: CloudWatch evaluates them once a minute. */
export const ALARM_POLL_MS = 60_000;

/** The input the alarm rule gives the scale machine. */
export interface AlarmScaleInput {
  readonly source: 'alarm';
  readonly alarmName: string;
  readonly direction: ScaleDirection;
}

/** One scale the advance started, and how it ended. */
export interface AlarmScale {
  readonly change: AlarmStateChange;
  readonly clusterId: string;
  readonly input: AlarmScaleInput;
  readonly executionName: string;
  readonly result: RunResult;
}

export interface AdvanceOptions {
  readonly cloud: SimulatedCloud;
  /** Virtual milliseconds to move the clock by (the scale runs it starts may end later). */
  readonly durationMs: number;
  /** Starts one scale execution; resolves when it ends. */
  readonly runScale: (input: AlarmScaleInput, executionName: string, clusterId: string) => Promise<RunResult>;
  /** Called when an alarm starts a scale. */
  readonly onStart?: (change: AlarmStateChange, executionName: string) => void;
  /** Called when a scale started by an alarm ends. */
  readonly onEnd?: (scale: AlarmScale) => void;
}

/** `scale-<clusterId>-<time in base 36><o|i>`: the API's scale execution name pattern, one per alarm change. */
export function alarmExecutionName(clusterId: string, change: AlarmStateChange, direction: ScaleDirection): string {
  return `scale-${clusterId}-${change.at.toString(36)}${direction === 'out' ? 'o' : 'i'}`;
}

/**
 * The scale a state change starts, if any: a change into ALARM of a cluster's scaling alarm
 * (`mesos-cluster-<clusterId>-scale-out|in`), as the stack's two alarm rules match them.
 */
export function scaleForChange(change: AlarmStateChange): { clusterId: string; input: AlarmScaleInput } | undefined {
  if (change.state !== 'ALARM') return undefined;
  const parsed = parseScalingAlarmName(change.alarmName);
  if (!parsed) return undefined;
  return { clusterId: parsed.clusterId, input: { source: 'alarm', alarmName: change.alarmName, direction: parsed.direction } };
}

/** Moves the virtual clock by `durationMs`, starting a scale for every ALARM change; resolves when all have ended. */
export async function advanceWithAlarms(options: AdvanceOptions): Promise<AlarmScale[]> {
  if (!Number.isFinite(options.durationMs) || options.durationMs < 0) throw new Error(`durationMs must be >= 0, got ${options.durationMs}`);
  const end = Date.now() + options.durationMs;
  let since = Date.now();
  const runs: Promise<AlarmScale>[] = [];
  const started = new Set<string>();
  while (Date.now() < end) {
    const step = Math.min(ALARM_POLL_MS, end - Date.now());
    await new Promise<void>((resolve) => setTimeout(resolve, step));
    const now = Date.now();
    for (const change of options.cloud.alarmTransitions(since, 'ALARM')) {
      if (change.at > now) continue;
      const scale = scaleForChange(change);
      if (!scale) continue;
      const executionName = alarmExecutionName(scale.clusterId, change, scale.input.direction);
      // EventBridge delivers each change once here (it may deliver twice on AWS: the machine copes).
      if (started.has(executionName)) continue;
      started.add(executionName);
      options.onStart?.(change, executionName);
      runs.push(
        options.runScale(scale.input, executionName, scale.clusterId).then((result) => {
          const done: AlarmScale = { change, clusterId: scale.clusterId, input: scale.input, executionName, result };
          options.onEnd?.(done);
          return done;
        })
      );
    }
    since = now;
  }
  return Promise.all(runs);
}
