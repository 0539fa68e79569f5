/**
 * CloudWatch: metric alarms (put, describe, delete, set state, enable/disable actions)
 * and a minimal metric store (PutMetricData, GetMetricStatistics). The metrics are the
 * stored datapoints plus those the clusters' leading masters publish (simulator/scaling.ts).
 *
 * Alarms are evaluated against their metric at every period boundary, lazily: each
 * CloudWatch call (and `advanceAlarms`) first replays the evaluations up to now, so the
 * state and the transitions are the same whenever they are read. SetAlarmState sets a
 * state until the next evaluation, as on AWS.
 */
import type {
  DeleteAlarmsCommandInput,
  DescribeAlarmsCommandInput,
  DescribeAlarmsCommandOutput,
  DisableAlarmActionsCommandInput,
  EnableAlarmActionsCommandInput,
  GetMetricStatisticsCommandInput,
  GetMetricStatisticsCommandOutput,
  MetricAlarm,
  PutMetricAlarmCommandInput,
  PutMetricDataCommandInput,
  SetAlarmStateCommandInput,
  StandardUnit,
} from '@aws-sdk/client-cloudwatch';
import { ACCOUNT_ID, checkedTags, type Handler, type Out, op, type Sim } from './core';
import { fail } from './errors';
import { publishedPoints } from './scaling';
import type { AlarmRecord, MetricRecord } from './state';

const MAX_POINTS_PER_METRIC = 1440;
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;
/** At most this many evaluations are replayed per alarm (a day of minutes); older ones are skipped. */
const MAX_EVALUATIONS = 1440;
/** Transitions kept per alarm. */
const HISTORY_LIMIT = 100;

type AlarmState = AlarmRecord['state'];
type Point = { t: number; value: number };

/** Stored and published datapoints of a metric in [start, end), by time. */
function metricPoints(
  sim: Sim,
  namespace: string,
  metricName: string,
  dimensions: readonly { Name?: string; Value?: string }[] | undefined,
  start: number,
  end: number
): Point[] {
  const stored = (sim.state.metrics[metricKey(namespace, metricName, dimensions)]?.points ?? [])
    .filter((p) => p.t >= start && p.t < end)
    .map((p) => ({ t: p.t, value: p.value }));
  return [...stored, ...publishedPoints(sim, namespace, metricName, dimensions, start, end)].sort((a, b) => a.t - b.t);
}

function statistic(values: readonly number[], name: string | undefined): number {
  const sum = values.reduce((acc, v) => acc + v, 0);
  if (name === 'Sum') return sum;
  if (name === 'Minimum') return Math.min(...values);
  if (name === 'Maximum') return Math.max(...values);
  if (name === 'SampleCount') return values.length;
  return sum / values.length;
}

function breaches(value: number, operator: string | undefined, threshold: number): boolean {
  if (operator === 'GreaterThanThreshold') return value > threshold;
  if (operator === 'GreaterThanOrEqualToThreshold') return value >= threshold;
  if (operator === 'LessThanThreshold') return value < threshold;
  if (operator === 'LessThanOrEqualToThreshold') return value <= threshold;
  return false;
}

/** First index of a point at or after t. */
function lowerBound(points: readonly Point[], t: number): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((points[mid] as Point).t < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function transition(alarm: AlarmRecord, at: number, to: AlarmState, reason: string): void {
  if (alarm.state === to) {
    alarm.stateReason = reason;
    return;
  }
  const history = alarm.history ?? [];
  history.push({ at, from: alarm.state, to, reason });
  if (history.length > HISTORY_LIMIT) history.splice(0, history.length - HISTORY_LIMIT);
  alarm.history = history;
  alarm.state = to;
  alarm.stateReason = reason;
  alarm.stateUpdatedAt = at;
}

/** Replays the alarm's evaluations at every period boundary after the last one, up to `now`. */
export function advanceAlarm(sim: Sim, alarm: AlarmRecord, now = sim.now()): void {
  const d = alarm.definition as Partial<PutMetricAlarmCommandInput>;
  const from = Math.max(alarm.evaluatedAt ?? alarm.configurationUpdatedAt, alarm.configurationUpdatedAt);
  alarm.evaluatedAt = Math.max(from, now);
  // Metric math alarms are not evaluated (their state changes through SetAlarmState only).
  if (d.Metrics !== undefined || d.Namespace === undefined || d.MetricName === undefined) return;
  const period = (d.Period ?? 60) * 1000;
  const periods = d.EvaluationPeriods ?? 1;
  const needed = d.DatapointsToAlarm ?? periods;
  const threshold = d.Threshold ?? 0;
  let first = Math.floor(from / period) * period + period;
  const last = Math.floor(now / period) * period;
  if (last < first) return;
  first = Math.max(first, last - (MAX_EVALUATIONS - 1) * period);
  const points = metricPoints(sim, d.Namespace, d.MetricName, d.Dimensions, first - periods * period, last);
  for (let tick = first; tick <= last; tick += period) {
    let breaching = 0;
    let present = 0;
    for (let i = periods; i >= 1; i--) {
      const start = tick - i * period;
      const values = points.slice(lowerBound(points, start), lowerBound(points, start + period)).map((p) => p.value);
      if (values.length > 0) {
        present += 1;
        if (breaches(statistic(values, d.Statistic), d.ComparisonOperator, threshold)) breaching += 1;
      } else if (d.TreatMissingData === 'breaching') {
        breaching += 1;
      }
    }
    const treatMissing = d.TreatMissingData ?? 'missing';
    if (present === 0 && treatMissing === 'ignore') continue;
    if (present === 0 && treatMissing === 'missing') {
      transition(alarm, tick, 'INSUFFICIENT_DATA', `Insufficient Data: ${periods} datapoints were unknown.`);
      continue;
    }
    const to: AlarmState = breaching >= needed ? 'ALARM' : 'OK';
    const relation = (d.ComparisonOperator ?? 'compared with').replace(/Threshold$/, '').replace(/([a-z])([A-Z])/g, '$1 $2');
    transition(
      alarm,
      tick,
      to,
      `Threshold Crossed: ${breaching} out of the last ${periods} datapoints were ${relation.toLowerCase()} the threshold (${threshold}) ` +
        `(minimum ${needed} datapoints for OK -> ALARM transition).`
    );
  }
}

/** Replays the evaluations of every alarm up to now. */
export function advanceAlarms(sim: Sim): void {
  const now = sim.now();
  for (const record of Object.values(sim.state.alarms)) advanceAlarm(sim, record, now);
}

function alarmView(sim: Sim, alarm: AlarmRecord): MetricAlarm {
  const d = alarm.definition as Partial<PutMetricAlarmCommandInput>;
  return {
    AlarmName: alarm.name,
    AlarmArn: `arn:aws:cloudwatch:${sim.region}:${ACCOUNT_ID}:alarm:${alarm.name}`,
    AlarmDescription: d.AlarmDescription,
    AlarmConfigurationUpdatedTimestamp: new Date(alarm.configurationUpdatedAt),
    ActionsEnabled: alarm.actionsEnabled,
    OKActions: d.OKActions ?? [],
    AlarmActions: d.AlarmActions ?? [],
    InsufficientDataActions: d.InsufficientDataActions ?? [],
    StateValue: alarm.state,
    StateReason: alarm.stateReason,
    StateUpdatedTimestamp: new Date(alarm.stateUpdatedAt),
    StateTransitionedTimestamp: new Date(alarm.stateUpdatedAt),
    MetricName: d.MetricName,
    Namespace: d.Namespace,
    Statistic: d.Statistic,
    ExtendedStatistic: d.ExtendedStatistic,
    Dimensions: d.Dimensions ?? [],
    Period: d.Period,
    Unit: d.Unit,
    EvaluationPeriods: d.EvaluationPeriods,
    DatapointsToAlarm: d.DatapointsToAlarm,
    Threshold: d.Threshold,
    ComparisonOperator: d.ComparisonOperator,
    TreatMissingData: d.TreatMissingData,
    Metrics: d.Metrics,
  };
}

function alarm(sim: Sim, name: string | undefined): AlarmRecord {
  const record = name === undefined ? undefined : sim.state.alarms[name];
  if (!record) throw fail('ResourceNotFound', `Alarm ${name} not found`);
  return record;
}

const putMetricAlarm = op<PutMetricAlarmCommandInput>((sim, input) => {
  const name = input.AlarmName ?? '';
  if (name.length === 0 || name.length > 255) throw fail('InvalidParameterValue', 'AlarmName must be 1 to 255 characters long');
  if (input.EvaluationPeriods === undefined || input.ComparisonOperator === undefined) {
    throw fail('MissingParameter', 'EvaluationPeriods and ComparisonOperator are required');
  }
  if (input.Metrics === undefined && (input.MetricName === undefined || input.Namespace === undefined)) {
    throw fail('MissingParameter', 'Either Metrics or MetricName and Namespace are required');
  }
  if (input.Metrics === undefined && input.Statistic === undefined && input.ExtendedStatistic === undefined) {
    throw fail('MissingParameter', 'Statistic or ExtendedStatistic is required');
  }
  if (input.Period !== undefined && input.Period % 60 !== 0 && ![10, 20, 30].includes(input.Period)) {
    throw fail('InvalidParameterValue', 'Period must be 10, 20, 30 or a multiple of 60');
  }
  const { Tags, ...definition } = input;
  const now = sim.now();
  const existing = sim.state.alarms[name];
  if (existing) {
    // The old configuration holds until now; the new one is evaluated from the next period on.
    advanceAlarm(sim, existing, now);
    existing.definition = structuredClone(definition) as Record<string, unknown>;
    existing.configurationUpdatedAt = now;
    existing.actionsEnabled = input.ActionsEnabled ?? true;
  } else {
    sim.state.alarms[name] = {
      name,
      createdAt: now,
      definition: structuredClone(definition) as Record<string, unknown>,
      state: 'INSUFFICIENT_DATA',
      stateReason: 'Unchecked: Initial alarm creation',
      stateUpdatedAt: now,
      configurationUpdatedAt: now,
      actionsEnabled: input.ActionsEnabled ?? true,
      tags: checkedTags(Tags),
      evaluatedAt: now,
      history: [],
    };
  }
  return {};
});

const describeAlarms = op<DescribeAlarmsCommandInput>((sim, input): Out<DescribeAlarmsCommandOutput> => {
  if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined) {
    throw fail('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together');
  }
  advanceAlarms(sim);
  const alarms = Object.values(sim.state.alarms).filter(
    (a) =>
      (!input.AlarmNames?.length || input.AlarmNames.includes(a.name)) &&
      (input.AlarmNamePrefix === undefined || a.name.startsWith(input.AlarmNamePrefix)) &&
      (input.StateValue === undefined || a.state === input.StateValue) &&
      (input.ActionPrefix === undefined ||
        ((a.definition.AlarmActions as string[] | undefined) ?? []).some((x) => x.startsWith(input.ActionPrefix ?? '')))
  );
  const wantsMetric = !input.AlarmTypes?.length || input.AlarmTypes.includes('MetricAlarm');
  return { MetricAlarms: wantsMetric ? alarms.map((a) => alarmView(sim, a)) : [], CompositeAlarms: [] };
});

const deleteAlarms = op<DeleteAlarmsCommandInput>((sim, input) => {
  const names = input.AlarmNames ?? [];
  for (const name of names) alarm(sim, name);
  for (const name of names) delete sim.state.alarms[name];
  return {};
});

const setAlarmState = op<SetAlarmStateCommandInput>((sim, input) => {
  const record = alarm(sim, input.AlarmName);
  const state = STATES.find((s) => s === input.StateValue);
  if (!state) throw fail('InvalidParameterValue', `Invalid StateValue ${input.StateValue}`);
  if (!input.StateReason) throw fail('MissingParameter', 'StateReason is required');
  advanceAlarm(sim, record);
  transition(record, sim.now(), state, input.StateReason);
  record.stateUpdatedAt = sim.now();
  return {};
});

function setActions(enabled: boolean) {
  return op<DisableAlarmActionsCommandInput | EnableAlarmActionsCommandInput>((sim, input) => {
    for (const name of input.AlarmNames ?? []) {
      const record = sim.state.alarms[name];
      if (record) record.actionsEnabled = enabled;
    }
    return {};
  });
}

function metricKey(namespace: string, metricName: string, dimensions: readonly { Name?: string; Value?: string }[] | undefined): string {
  const dims = [...(dimensions ?? [])].map((d) => `${d.Name}=${d.Value}`).sort();
  return [namespace, metricName, ...dims].join('|');
}

const putMetricData = op<PutMetricDataCommandInput>((sim, input) => {
  const namespace = input.Namespace ?? '';
  if (namespace.length === 0 || namespace.startsWith('AWS/')) throw fail('InvalidParameterValue', `Invalid namespace '${namespace}'`);
  for (const datum of input.MetricData ?? []) {
    const metricName = datum.MetricName ?? '';
    if (!metricName) throw fail('MissingParameter', 'MetricName is required');
    const key = metricKey(namespace, metricName, datum.Dimensions);
    let metric: MetricRecord | undefined = sim.state.metrics[key];
    if (!metric) {
      metric = {
        namespace,
        metricName,
        dimensions: (datum.Dimensions ?? []).map((d) => ({ Name: d.Name ?? '', Value: d.Value ?? '' })),
        points: [],
      };
      sim.state.metrics[key] = metric;
    }
    const t = datum.Timestamp ? new Date(datum.Timestamp).getTime() : sim.now();
    const values = datum.Value !== undefined ? [datum.Value] : (datum.Values ?? []);
    for (const value of values) metric.points.push({ t, value, unit: datum.Unit });
    if (datum.StatisticValues) {
      const s = datum.StatisticValues;
      metric.points.push({ t, value: (s.Sum ?? 0) / Math.max(1, s.SampleCount ?? 1), unit: datum.Unit });
    }
    if (metric.points.length > MAX_POINTS_PER_METRIC) metric.points.splice(0, metric.points.length - MAX_POINTS_PER_METRIC);
  }
  return {};
});

const getMetricStatistics = op<GetMetricStatisticsCommandInput>((sim, input): Out<GetMetricStatisticsCommandOutput> => {
  const period = input.Period ?? 60;
  const start = input.StartTime ? new Date(input.StartTime).getTime() : 0;
  const end = input.EndTime ? new Date(input.EndTime).getTime() : sim.now();
  if (end <= start) throw fail('InvalidParameterValue', 'The parameter StartTime must be less than the parameter EndTime.');
  const metric = sim.state.metrics[metricKey(input.Namespace ?? '', input.MetricName ?? '', input.Dimensions)];
  const buckets = new Map<number, number[]>();
  for (const point of metricPoints(sim, input.Namespace ?? '', input.MetricName ?? '', input.Dimensions, start, end)) {
    const bucket = start + Math.floor((point.t - start) / (period * 1000)) * period * 1000;
    buckets.set(bucket, [...(buckets.get(bucket) ?? []), point.value]);
  }
  const wanted = input.Statistics ?? [];
  const datapoints = [...buckets.entries()]
    .sort(([a], [b]) => a - b)
    .map(([t, values]) => {
      const sum = values.reduce((acc, v) => acc + v, 0);
      return {
        Timestamp: new Date(t),
        ...(wanted.includes('Average') ? { Average: sum / values.length } : {}),
        ...(wanted.includes('Sum') ? { Sum: sum } : {}),
        ...(wanted.includes('Minimum') ? { Minimum: Math.min(...values) } : {}),
        ...(wanted.includes('Maximum') ? { Maximum: Math.max(...values) } : {}),
        ...(wanted.includes('SampleCount') ? { SampleCount: values.length } : {}),
        Unit: (input.Unit ?? metric?.points[0]?.unit ?? 'None') as StandardUnit,
      };
    });
  return { Label: input.MetricName, Datapoints: datapoints };
});

/** The CloudWatch operations, by operation name. */
export const cloudwatchHandlers: Record<string, Handler> = {
  PutMetricAlarm: putMetricAlarm,
  DescribeAlarms: describeAlarms,
  DeleteAlarms: deleteAlarms,
  SetAlarmState: setAlarmState,
  DisableAlarmActions: setActions(false),
  EnableAlarmActions: setActions(true),
  PutMetricData: putMetricData,
  GetMetricStatistics: getMetricStatistics,
};
