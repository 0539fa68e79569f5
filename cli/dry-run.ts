/**
 * `create --dry-run`: what a create would build, worked out in-process without creating
 * anything. It runs Validate Cluster Spec (spec, name, base image and the Elastic IP
 * pre-flight) against the mode's clients, chooses the zones as Create Subnets would, lays
 * out the subnets, NAT gateways and instances, looks for a cached slave image of the same
 * recipe (read-only: the image is not recorded on any VPC) and names the scaling alarms.
 */

import { scalingAlarm } from '../functions/create-scaling-alarms/create-scaling-alarms';
import type { ClusterSpec } from '../functions/shared/cluster-spec';
import { isMultiZone, zoneSubnetCidrs } from '../functions/shared/cluster-spec';
import { imageHash } from '../functions/shared/image-recipe';
import { natZones } from '../functions/shared/network';
import { newestImageWithHash } from '../functions/shared/slave-images';
import { invokeStep, type StepClients } from '../functions/shared/step';
import { plannedZones } from '../functions/validate-spec/preflight';
import { validateSpecStep } from '../functions/validate-spec/validate-spec';

/** One zone of the plan: its subnets and what runs there. */
export interface PlannedZone {
  readonly availabilityZone: string;
  readonly publicSubnetCidr: string;
  readonly privateSubnetCidr: string;
  readonly natGateway: boolean;
  readonly masters: number;
  readonly slaves: number;
}

/** One scaling alarm of the plan. */
export interface PlannedAlarm {
  readonly name: string;
  readonly comparison: string;
  readonly thresholdPercent: number;
  readonly evaluationMinutes: number;
}

/** What `create` would build for a spec. */
export interface CreatePlan {
  readonly clusterId: string;
  readonly name: string;
  readonly vpcCidr: string;
  readonly baseImageId: string;
  readonly zones: PlannedZone[];
  readonly natGateways: number;
  readonly masters: { readonly count: number; readonly instanceType: string };
  readonly slaves: { readonly count: number; readonly instanceType: string };
  /** The recipe's hash and the cached image of it (null: a template slave is launched and baked). */
  readonly slaveImage: { readonly imageHash: string; readonly cachedImageId: string | null; readonly freshImage: boolean };
  readonly autoscaling: ClusterSpec['autoscaling'];
  readonly alarms: PlannedAlarm[];
}

/** `count` instances over `n` zones, round-robin: the first `count mod n` zones get one more. */
function share(count: number, n: number, index: number): number {
  return Math.floor(count / n) + (index < count % n ? 1 : 0);
}

/**
 * The plan of a create, after Validate Cluster Spec has accepted the spec in-process
 * (throws its named errors: ValidationError, ConflictError, FatalError for a full quota).
 */
export async function planCreate(clients: StepClients, clusterId: string, specInput: unknown): Promise<CreatePlan> {
  const { spec, baseImageId } = await invokeStep(validateSpecStep, { clusterId, spec: specInput }, clients);
  const zoneNames = await plannedZones(clients.ec2, spec);
  const carve = isMultiZone(spec);
  const nats = new Set(natZones(zoneNames, spec.natGateways));
  const zones = zoneNames.map((availabilityZone, index): PlannedZone => {
    const cidrs = carve ? zoneSubnetCidrs(spec.vpcCidr, index) : { publicCidr: spec.publicSubnetCidr, privateCidr: spec.privateSubnetCidr };
    return {
      availabilityZone,
      publicSubnetCidr: cidrs.publicCidr,
      privateSubnetCidr: cidrs.privateCidr,
      natGateway: nats.has(availabilityZone),
      masters: share(spec.masters, zoneNames.length, index),
      slaves: share(spec.slaves, zoneNames.length, index),
    };
  });
  const hash = imageHash({ baseImageId, software: spec.software, scriptHash: clients.config.configureSlaveScriptHash });
  const cachedImageId = spec.freshImage ? null : ((await newestImageWithHash(clients.ec2, hash)) ?? null);
  const alarmInput = {
    clusterId,
    clusterName: spec.name,
    vpcId: '',
    autoscaling: spec.autoscaling,
    slaveInstanceType: spec.slaveInstanceType,
    slaves: spec.slaves,
  };
  const alarms = (['out', 'in'] as const).map((direction): PlannedAlarm => {
    const { input } = scalingAlarm(alarmInput, direction);
    return {
      name: input.AlarmName ?? '',
      comparison: input.ComparisonOperator ?? '',
      thresholdPercent: input.Threshold ?? 0,
      evaluationMinutes: ((input.Period ?? 60) * (input.EvaluationPeriods ?? 1)) / 60,
    };
  });
  return {
    clusterId,
    name: spec.name,
    vpcCidr: spec.vpcCidr,
    baseImageId,
    zones,
    natGateways: nats.size,
    masters: { count: spec.masters, instanceType: spec.masterInstanceType },
    slaves: { count: spec.slaves, instanceType: spec.slaveInstanceType },
    slaveImage: { imageHash: hash, cachedImageId, freshImage: spec.freshImage },
    autoscaling: spec.autoscaling,
    alarms,
  };
}

/** The plan as text, one fact a line. */
export function planText(plan: CreatePlan): string[] {
  const a = plan.autoscaling;
  const image = plan.slaveImage.cachedImageId
    ? `reuse cached image ${plan.slaveImage.cachedImageId} (recipe ${plan.slaveImage.imageHash.slice(0, 12)})`
    : plan.slaveImage.freshImage
      ? `bake a fresh image from ${plan.baseImageId} (freshImage; a template slave is launched)`
      : `no cached image of recipe ${plan.slaveImage.imageHash.slice(0, 12)}: bake one from ${plan.baseImageId} (a template slave is launched)`;
  return [
    `dry run: create ${plan.name} (${plan.clusterId}) would build (nothing was created):`,
    `  VPC        ${plan.vpcCidr}`,
    ...plan.zones.map(
      (z) =>
        `  zone       ${z.availabilityZone}: public ${z.publicSubnetCidr}, private ${z.privateSubnetCidr}` +
        `${z.natGateway ? ', NAT gateway' : ''}; ${z.masters} master(s), ${z.slaves} slave(s)`
    ),
    `  NAT        ${plan.natGateways} gateway(s), ${plan.natGateways} Elastic IP(s) (quota checked)`,
    `  masters    ${plan.masters.count} x ${plan.masters.instanceType}`,
    `  slaves     ${plan.slaves.count} x ${plan.slaves.instanceType}`,
    `  image      ${image}`,
    `  scaling    ${a.minSlaves} to ${a.maxSlaves} slaves, step ${a.step}, cooldown ${a.cooldownSeconds}s`,
    ...plan.alarms.map(
      (alarm) =>
        `  alarm      ${alarm.name}: allocation ${alarm.comparison === 'GreaterThanThreshold' ? '>' : '<'} ${alarm.thresholdPercent}% for ${alarm.evaluationMinutes} min`
    ),
  ];
}
