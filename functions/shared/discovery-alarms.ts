/**
 * Finding a cluster's CloudWatch alarms: by name prefix, since CloudWatch cannot filter
 * alarms by tag. The EC2 side of the discovery is in `discovery.ts`.
 */
import { type CloudWatchClient, DescribeAlarmsCommand, type MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { allPages } from './pages';

/** The name prefix of every CloudWatch alarm of a cluster. */
export function alarmPrefix(clusterId: string): string {
  return `mesos-cluster-${clusterId}-`;
}

/** The cluster's metric alarms, found by name prefix (CloudWatch cannot filter alarms by tag). */
export async function findAlarms(cloudwatch: CloudWatchClient, clusterId: string): Promise<MetricAlarm[]> {
  const AlarmNamePrefix = alarmPrefix(clusterId);
  return allPages(async (NextToken) => {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix, NextToken }));
    return { items: out.MetricAlarms, next: out.NextToken };
  });
}
