/**
 * What the CLI prints about a cluster: the journal's status and last execution joined
 * with what the cloud holds (describeCluster), as JSON (`--output json`) or as text.
 */
import {
  type ClusterDescription,
  type ImageDescription,
  MARATHON_PORT,
  type MasterDescription,
  MESOS_PORT,
  type SlaveDescription,
  type SubnetDescription,
  type ZoneDescription,
} from '../functions/shared/describe-cluster';
import type { ClusterRecord, ClusterStatus, ExecutionRecord } from './journal';

/** The JSON description of a cluster (`--output json`). */
export interface ClusterView {
  readonly id: string;
  readonly name: string | null;
  readonly status: ClusterStatus;
  readonly failureCode?: string;
  readonly failureReason?: string;
  readonly vpc: { readonly id: string; readonly cidr: string } | null;
  readonly subnets: { readonly public: SubnetDescription | null; readonly private: SubnetDescription | null };
  readonly internetGateway: { readonly id: string } | null;
  readonly routeTables: { readonly public: string | null; readonly private: string | null };
  readonly natGateway: { readonly id: string; readonly state: string } | null;
  readonly elasticIp: { readonly allocationId: string; readonly publicIp: string } | null;
  readonly securityGroups: { readonly master: string | null; readonly slave: string | null };
  /** Every zone: its subnets, NAT gateway, private route table and node counts. */
  readonly zones: ZoneDescription[];
  readonly natGateways: ClusterDescription['natGateways'];
  readonly masters: MasterDescription[];
  readonly slaves: SlaveDescription[];
  readonly imageId: string | null;
  /** The slave image: its recipe hash, and whether it was reused from another cluster. */
  readonly image: ImageDescription | null;
  readonly mesosUrl: string | null;
  readonly marathonUrl: string | null;
  /** Each master's Mesos UI (:5050) and Marathon (:8080) URL, at its public IP (null without one). */
  readonly masterUrls: { readonly instanceId: string; readonly mesos: string | null; readonly marathon: string | null }[];
  /** The cluster's scaling alarms (CloudWatch), with their state. */
  readonly scalingAlarms: { readonly name: string; readonly state: string }[];
  readonly run: RunView | null;
}

/** The last execution of a cluster. */
export interface RunView {
  readonly execution: string;
  readonly kind: ExecutionRecord['kind'];
  readonly status: ExecutionRecord['status'];
  /** Virtual seconds on the simulated cloud; null with --local. */
  readonly simulatedSeconds: number | null;
  readonly realSeconds: number | null;
  readonly stateTransitions: number | null;
}

function statusOf(record: ClusterRecord | undefined, description: ClusterDescription): ClusterStatus {
  if (record) return record.status;
  const tag = description.statusTag;
  if (tag === 'CREATE_COMPLETE' || tag === 'CREATE_FAILED' || tag === 'DELETE_FAILED') return tag;
  return description.vpc ? 'CREATE_IN_PROGRESS' : 'DELETE_COMPLETE';
}

/** Joins the journal record (if any) with the cloud's description. */
export function clusterView(
  record: ClusterRecord | undefined,
  description: ClusterDescription,
  scalingAlarms: ClusterView['scalingAlarms'] = []
): ClusterView {
  const last = record?.executions.at(-1);
  const failureCode = record?.failureCode ?? (record ? undefined : (description.failureCodeTag ?? undefined));
  return {
    id: description.id,
    name: record?.name ?? description.name,
    status: statusOf(record, description),
    ...(failureCode ? { failureCode } : {}),
    ...(record?.failureReason ? { failureReason: record.failureReason } : {}),
    vpc: description.vpc,
    subnets: description.subnets,
    internetGateway: description.internetGateway,
    routeTables: description.routeTables,
    natGateway: description.natGateway,
    elasticIp: description.elasticIp,
    securityGroups: description.securityGroups,
    zones: description.zones,
    natGateways: description.natGateways,
    masters: description.masters,
    slaves: description.slaves,
    imageId: description.imageId,
    image: description.image,
    mesosUrl: description.mesosUrl,
    marathonUrl: description.marathonUrl,
    masterUrls: description.masters.map((m) => ({
      instanceId: m.instanceId,
      mesos: m.publicIp ? `http://${m.publicIp}:${MESOS_PORT}` : null,
      marathon: m.publicIp ? `http://${m.publicIp}:${MARATHON_PORT}` : null,
    })),
    scalingAlarms,
    run: last
      ? {
          execution: last.name,
          kind: last.kind,
          status: last.status,
          simulatedSeconds: last.simulatedSeconds ?? null,
          realSeconds: last.realSeconds ?? null,
          stateTransitions: last.stateTransitions ?? null,
        }
      : null,
  };
}

/** Seconds as `1234.5 s (20 min 34 s)`. */
export function secondsText(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const rest = whole % 60;
  return minutes > 0 ? `${seconds.toFixed(1)} s (${minutes} min ${String(rest).padStart(2, '0')} s)` : `${seconds.toFixed(1)} s`;
}

/** The text form of a cluster view, one `label  value` line per item. */
export function viewText(view: ClusterView): string {
  const rows: [string, string][] = [];
  const add = (label: string, value: string | null | undefined) => {
    if (value) rows.push([label, value]);
  };
  add('cluster', `${view.id}${view.name ? ` (${view.name})` : ''}`);
  add('status', view.status);
  if (view.failureCode) add('failure', `${view.failureCode}${view.failureReason ? `: ${view.failureReason}` : ''}`);
  add('vpc', view.vpc && `${view.vpc.id} ${view.vpc.cidr}`);
  const subnet = (s: SubnetDescription | null) => s && `${s.id} ${s.cidr} ${s.availabilityZone}`;
  if (view.zones.length > 1) {
    // One line per zone: public and private subnet, NAT gateway, and the nodes placed there.
    view.zones.forEach((z, i) => {
      const parts = [
        z.publicSubnet && `public ${z.publicSubnet.cidr}`,
        z.privateSubnet && `private ${z.privateSubnet.cidr}`,
        z.natGatewayId && `nat ${z.natGatewayId}`,
        `${z.masters} master${z.masters === 1 ? '' : 's'}, ${z.slaves} slave${z.slaves === 1 ? '' : 's'}`,
      ];
      add(i === 0 ? 'zones' : '', `${z.availabilityZone}: ${parts.filter(Boolean).join(', ')}`);
    });
  } else {
    add('public subnet', subnet(view.subnets.public));
    add('private subnet', subnet(view.subnets.private));
  }
  add('internet gw', view.internetGateway?.id);
  if (view.natGateways.length > 1) {
    add('nat gateways', view.natGateways.map((n) => `${n.id} ${n.state} ${n.availabilityZone}`).join(', '));
  } else {
    add('nat gateway', view.natGateway && `${view.natGateway.id} ${view.natGateway.state}`);
  }
  add('elastic ip', view.elasticIp && `${view.elasticIp.publicIp} (${view.elasticIp.allocationId})`);
  const groups = [
    view.securityGroups.master && `master ${view.securityGroups.master}`,
    view.securityGroups.slave && `slave ${view.securityGroups.slave}`,
  ];
  add('security groups', groups.filter(Boolean).join(', '));
  view.masters.forEach((m, i) => {
    add(i === 0 ? 'masters' : '', `${m.instanceId} ${m.privateIp}${m.publicIp ? ` / ${m.publicIp}` : ''} ${m.availabilityZone}`);
  });
  if (view.slaves.length > 0) add('slaves', `${view.slaves.length}`);
  for (const s of view.slaves) add('', `${s.instanceId} ${s.privateIp} ${s.availabilityZone}`);
  const image = view.image;
  add(
    'slave image',
    image
      ? `${image.id}${image.hash ? ` recipe ${image.hash.slice(0, 12)}` : ''}${image.reused ? ` (reused from ${image.bakedBy})` : image.bakedBy ? ' (baked)' : ''}`
      : view.imageId
  );
  // One URL per master: the leading master's UI shows the cluster; a standby one redirects to
  // the leader's advertised (private) address, which only the VPC reaches.
  const withUrls = view.masterUrls.filter((u) => u.mesos);
  const labelled = (u: ClusterView['masterUrls'][number], url: string | null) =>
    `${url}${withUrls.length > 1 ? `  (${u.instanceId})` : ''}`;
  for (const [i, u] of withUrls.entries()) add(i === 0 ? 'mesos' : '', labelled(u, u.mesos));
  for (const [i, u] of withUrls.entries()) add(i === 0 ? 'marathon' : '', labelled(u, u.marathon));
  add('scaling alarms', view.scalingAlarms.map((a) => `${a.name} ${a.state}`).join(', '));
  if (view.run) {
    const time = view.run.simulatedSeconds !== null ? `${secondsText(view.run.simulatedSeconds)} simulated` : '';
    const real = view.run.realSeconds !== null ? `${view.run.realSeconds.toFixed(1)} s real` : '';
    const transitions = view.run.stateTransitions !== null ? `${view.run.stateTransitions} state transitions` : '';
    const figures = [time, real, transitions].filter(Boolean).join(', ');
    add('last run', `${view.run.execution} ${view.run.status}${figures ? `; ${figures}` : ''}`);
  }
  const width = Math.max(...rows.map(([label]) => label.length));
  return rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n');
}
