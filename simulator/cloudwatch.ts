/**
 * CloudWatch: metric alarms (put, describe, delete, set state, enable/disable actions)
 * and a minimal metric store (PutMetricData, GetMetricStatistics). Alarms are not
 * evaluated against the metrics: their state changes through SetAlarmState.
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
import type { AlarmRecord, MetricRecord } from './state';

const MAX_POINTS_PER_METRIC = 1440;
const STATES = ['OK', 'ALARM', 'INSUFFICIENT_DATA'] as const;

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
    };
  }
  return {};
});

const describeAlarms = op<DescribeAlarmsCommandInput>((sim, input): Out<DescribeAlarmsCommandOutput> => {
  if (input.AlarmNames?.length && input.AlarmNamePrefix !== undefined) {
    throw fail('InvalidParameterCombination', 'AlarmNames and AlarmNamePrefix cannot be used together');
  }
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
  record.state = state;
  record.stateReason = input.StateReason;
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
  for (const point of metric?.points ?? []) {
    if (point.t < start || point.t >= end) continue;
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
