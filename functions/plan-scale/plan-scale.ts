/**
 * Plan Scale: the first step of the scale machine. Reads the cluster from its tags (status,
 * autoscaling settings, last scale, live slaves), decides how many slaves to add or remove
 * within the cluster's bounds, and for a scale takes the cluster's scale lease.
 *
 * - Refused (ConflictError naming the status) unless the cluster is CREATE_COMPLETE; a
 *   cluster UPDATE_IN_PROGRESS is being scaled by another execution, so a second trigger
 *   cannot double-scale. A lease older than SCALE_LEASE_SECONDS is taken over.
 * - An exact `targetSlaves` outside [minSlaves, maxSlaves] is a ValidationError on `slaves`.
 * - A `direction` moves one `step`, clamped to the bounds. An alarm scale also needs its
 *   alarm still in ALARM and the cooldown since the last scale to be over (otherwise
 *   `none`, with `retryAfterSeconds`); API and schedule requests ignore the cooldown.
 * - `out` of a cluster without a slave image (created with 0 slaves) answers `launch.imageId`
 *   null and `bake`: the recipe its VPC recorded at the create, which the scale machine
 *   bakes (or finds already baked) before it launches the slaves.
 * - `out` and `in` tag the VPC UPDATE_IN_PROGRESS with this execution id (the lease);
 *   Check Scale Lease confirms it before anything changes, Record Scale releases it.
 */
import { type CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { type AutoscalingSpec, DEFAULT_SPEC, resolveAutoscaling } from '../shared/cluster-spec-rules';
import type { PlanScaleInput, PlanScaleOutput, ScaleBakeInputs, ScaleDirection, ScaleLaunchInputs } from '../shared/contracts';
import { ConflictError, FatalError, ValidationError } from '../shared/errors';
import { recipeFromTags } from '../shared/image-recipe';
import { describeInstances } from '../shared/instances';
import {
  type ClusterVpc,
  clusterStatus,
  findClusterVpc,
  leaseExpired,
  parseAutoscalingTag,
  parseScalingAlarmName,
  STATUS,
  scaleLease,
  scalingAlarmName,
} from '../shared/scaling';
import { defineStep, type StepClients } from '../shared/step';
import {
  clusterFilters,
  TAG_AUTOSCALING,
  TAG_LAST_SCALED_AT,
  TAG_NAME,
  TAG_SCALE_EXECUTION,
  TAG_SCALE_STARTED_AT,
  TAG_SLAVE_IMAGE,
  TAG_SLAVE_INSTANCE_TYPE,
  TAG_STATUS,
} from '../shared/tags';

const SOURCES = ['alarm', 'api', 'schedule'];

/** The request with the cluster id and direction resolved (from the alarm name if need be). */
interface Request {
  readonly clusterId: string;
  readonly source: PlanScaleInput['source'];
  readonly direction?: ScaleDirection;
  readonly targetSlaves?: number;
}

/** Plans a scale and, unless the plan is `none`, takes the cluster's scale lease. */
export const planScaleStep = defineStep(
  'plan-scale',
  async (input: PlanScaleInput, { ec2, cloudwatch }: Pick<StepClients, 'ec2' | 'cloudwatch'>): Promise<PlanScaleOutput> => {
    const request = resolveRequest(input);
    const { clusterId } = request;
    const vpc = await findClusterVpc(ec2, clusterId);
    if (!vpc) throw new ValidationError('clusterId', `no cluster ${clusterId} exists`);
    const now = Date.now();
    const ownLease = checkStatus(vpc, clusterId, input.executionId, now);

    const slaves = await liveInstances(ec2, clusterId, 'slave');
    const current = slaves.length;
    const settings = settingsOf(vpc, current);
    const base = {
      clusterId,
      clusterName: vpc.tags[TAG_NAME] || input.clusterName || clusterId,
      current,
      cooldownSeconds: settings.cooldownSeconds,
    };
    const none = (reason: string, retryAfterSeconds?: number): PlanScaleOutput => ({
      ...base,
      action: 'none',
      target: current,
      delta: 0,
      reason,
      ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
    });

    let target: number;
    if (request.targetSlaves !== undefined) {
      target = checkTarget(request.targetSlaves, settings);
    } else {
      const direction = request.direction as ScaleDirection;
      if (request.source === 'alarm') {
        const state = await alarmState(cloudwatch, scalingAlarmName(clusterId, direction));
        if (state !== 'ALARM') return none(`the scale-${direction} alarm is ${state ?? 'gone'}, no longer ALARM`);
        const left = cooldownLeft(vpc, settings, now);
        if (left > 0) return none(`in the cooldown of ${settings.cooldownSeconds}s after the last scale; ${left}s left`, left);
      }
      target =
        direction === 'out'
          ? Math.max(current, Math.min(settings.maxSlaves, current + settings.step))
          : Math.min(current, Math.max(settings.minSlaves, current - settings.step));
      if (target === current) {
        const bound = direction === 'out' ? `maxSlaves (${settings.maxSlaves})` : `minSlaves (${settings.minSlaves})`;
        return none(`already at ${bound} with ${current} slaves`);
      }
    }
    if (target === current) return none(`already at ${current} slaves`);

    const action: ScaleDirection = target > current ? 'out' : 'in';
    const masters = (await liveInstances(ec2, clusterId, 'master', ['running'])).sort(byLaunch);
    const master = masters[0];
    if (!master?.InstanceId) throw new FatalError(`cluster ${clusterId} has no running master; cannot scale`);
    const launch = action === 'out' ? await launchInputs(ec2, clusterId, vpc, slaves, masters) : undefined;
    const bake = launch && launch.imageId === null ? await bakeInputs(ec2, clusterId, vpc) : undefined;

    await takeLease(ec2, vpc, input.executionId, ownLease, now);
    const delta = Math.abs(target - current);
    return {
      ...base,
      action,
      target,
      delta,
      reason: `${request.source}: scale ${action} from ${current} to ${target} slaves (bounds ${settings.minSlaves}..${settings.maxSlaves})`,
      masterInstanceId: master.InstanceId,
      ...(launch ? { launch } : {}),
      ...(bake ? { bake } : {}),
    };
  }
);

function resolveRequest(input: PlanScaleInput): Request {
  if (!SOURCES.includes(input.source)) throw new ValidationError('source', `must be one of ${SOURCES.join(', ')}`);
  const fromAlarm = input.alarmName ? parseScalingAlarmName(input.alarmName) : undefined;
  if (input.alarmName && !fromAlarm) throw new ValidationError('alarmName', `'${input.alarmName}' is not a scaling alarm of a cluster`);
  const clusterId = input.clusterId ?? fromAlarm?.clusterId;
  if (!clusterId) throw new ValidationError('clusterId', 'is required');
  const direction = input.direction ?? fromAlarm?.direction;
  if (direction !== undefined && direction !== 'out' && direction !== 'in') {
    throw new ValidationError('direction', "must be 'out' or 'in'");
  }
  if (input.targetSlaves === undefined && direction === undefined) {
    throw new ValidationError('slaves', "give a target slave count or a direction ('out' or 'in')");
  }
  return { clusterId, source: input.source, direction, targetSlaves: input.targetSlaves };
}

/**
 * Refuses unless the cluster is CREATE_COMPLETE, or this execution already holds the lease
 * (a re-run), or the lease is abandoned. Returns whether the lease is this execution's.
 */
function checkStatus(vpc: ClusterVpc, clusterId: string, executionId: string | undefined, now: number): boolean {
  const status = clusterStatus(vpc.tags);
  if (status === STATUS.createComplete) return false;
  const lease = scaleLease(vpc.tags);
  if (lease && executionId && lease.owner === executionId) return true;
  if (lease && leaseExpired(lease, now)) return false;
  const detail = lease ? ` (scale ${lease.owner} is running)` : '';
  throw new ConflictError(`cluster ${clusterId} is ${status}${detail}; scaling refused`);
}

/** The autoscaling settings from the VPC tag; a cluster without them gets the defaults around its current size. */
function settingsOf(vpc: ClusterVpc, current: number): AutoscalingSpec {
  const given = parseAutoscalingTag(vpc.tags[TAG_AUTOSCALING]);
  const min = given.minSlaves ?? Math.min(current, 1);
  const max = given.maxSlaves ?? Math.max(current, 10);
  if (min > max) throw new FatalError(`the cluster's autoscaling tag has minSlaves ${min} above maxSlaves ${max}`);
  // Bounds are checked against the slave count the create had, not today's: resolve around a count inside them.
  return resolveAutoscaling(Math.min(Math.max(current, min), max), { ...given, minSlaves: min, maxSlaves: max });
}

function checkTarget(target: number, settings: AutoscalingSpec): number {
  if (typeof target !== 'number' || !Number.isInteger(target)) throw new ValidationError('slaves', `must be a whole number; got ${target}`);
  if (target < settings.minSlaves || target > settings.maxSlaves) {
    throw new ValidationError(
      'slaves',
      `must be between ${settings.minSlaves} and ${settings.maxSlaves}, the cluster's autoscaling bounds; got ${target}`
    );
  }
  return target;
}

async function alarmState(cloudwatch: CloudWatchClient, alarmName: string): Promise<string | undefined> {
  const { MetricAlarms = [] } = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }));
  return MetricAlarms.find((a) => a.AlarmName === alarmName)?.StateValue;
}

/** Whole seconds left of the cooldown since the last scale (0 when over, or never scaled). */
function cooldownLeft(vpc: ClusterVpc, settings: AutoscalingSpec, now: number): number {
  const last = Date.parse(vpc.tags[TAG_LAST_SCALED_AT] ?? '');
  if (!Number.isFinite(last)) return 0;
  return Math.max(0, Math.ceil((last + settings.cooldownSeconds * 1000 - now) / 1000));
}

async function liveInstances(
  ec2: EC2Client,
  clusterId: string,
  role: 'slave' | 'master',
  states: string[] = ['pending', 'running']
): Promise<Instance[]> {
  return describeInstances(ec2, { filters: [...clusterFilters(clusterId, role), { Name: 'instance-state-name', Values: states }] });
}

function launchTime(instance: Instance): number {
  return instance.LaunchTime ? new Date(instance.LaunchTime).getTime() : 0;
}

function byLaunch(a: Instance, b: Instance): number {
  return (
    launchTime(a) - launchTime(b) ||
    (a.AmiLaunchIndex ?? 0) - (b.AmiLaunchIndex ?? 0) ||
    (a.InstanceId ?? '').localeCompare(b.InstanceId ?? '')
  );
}

/** What Launch Instances needs for the new slaves, found by the cluster's tags. */
async function launchInputs(
  ec2: EC2Client,
  clusterId: string,
  vpc: ClusterVpc,
  slaves: readonly Instance[],
  masters: readonly Instance[]
): Promise<ScaleLaunchInputs> {
  const newestSlave = [...slaves].sort(byLaunch).at(-1);
  const [imageId, subnetIds, securityGroupId] = await Promise.all([
    slaveImage(ec2, clusterId, vpc, newestSlave),
    privateSubnets(ec2, clusterId, slaves),
    slaveSecurityGroup(ec2, clusterId),
  ]);
  const masterIps = masters.map((m) => m.PrivateIpAddress).filter((ip): ip is string => typeof ip === 'string');
  const instanceType = vpc.tags[TAG_SLAVE_INSTANCE_TYPE] || newestSlave?.InstanceType || DEFAULT_SPEC.slaveInstanceType;
  return { imageId, subnetIds, securityGroupId, instanceType, masterIps };
}

/**
 * The image the cluster's slaves launch from: the one its VPC records (`mesos-cluster:slave-image`,
 * possibly shared with other clusters of the same recipe) if still available; else its
 * newest available image tagged slave-image; else the image of its newest slave; else null
 * (a cluster created without slaves: the scale-out bakes its image first).
 */
async function slaveImage(ec2: EC2Client, clusterId: string, vpc: ClusterVpc, newestSlave: Instance | undefined): Promise<string | null> {
  const recorded = vpc.tags[TAG_SLAVE_IMAGE];
  const filters = recorded ? [{ Name: 'image-id', Values: [recorded] }] : [...clusterFilters(clusterId, 'slave-image')];
  const { Images = [] } = await ec2.send(
    new DescribeImagesCommand({ Owners: ['self'], Filters: [...filters, { Name: 'state', Values: ['available'] }] })
  );
  const newest = Images.filter((i) => i.ImageId)
    .sort((a, b) => Date.parse(a.CreationDate ?? '') - Date.parse(b.CreationDate ?? '') || 0)
    .at(-1);
  return newest?.ImageId ?? newestSlave?.ImageId ?? null;
}

/** What the bake of a cluster without a slave image needs: the recipe its VPC records and its first public subnet. */
async function bakeInputs(ec2: EC2Client, clusterId: string, vpc: ClusterVpc): Promise<ScaleBakeInputs> {
  const recipe = recipeFromTags(vpc.tags);
  if (!recipe) {
    throw new FatalError(`cluster ${clusterId} has no available slave image and its VPC records no image recipe to bake one from`);
  }
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: clusterFilters(clusterId, 'public-subnet') }));
  const publicSubnetId = Subnets.filter((s) => s.SubnetId)
    .sort((a, b) => (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? ''))
    .at(0)?.SubnetId;
  if (!publicSubnetId) throw new FatalError(`cluster ${clusterId} has no public-subnet; cannot launch a template slave`);
  return { vpcId: vpc.vpcId, ...recipe, publicSubnetId };
}

/**
 * The cluster's private subnets (one per zone), the one with the fewest live slaves first
 * (by zone on a tie): a scale-out spreads over the zones and adds any extra where the
 * cluster is thinnest.
 */
async function privateSubnets(ec2: EC2Client, clusterId: string, slaves: readonly Instance[]): Promise<string[]> {
  const { Subnets = [] } = await ec2.send(new DescribeSubnetsCommand({ Filters: clusterFilters(clusterId, 'private-subnet') }));
  const count = (subnetId: string) => slaves.filter((s) => s.SubnetId === subnetId).length;
  const subnetIds = Subnets.filter((s): s is typeof s & { SubnetId: string } => typeof s.SubnetId === 'string')
    .sort((a, b) => count(a.SubnetId) - count(b.SubnetId) || (a.AvailabilityZone ?? '').localeCompare(b.AvailabilityZone ?? ''))
    .map((s) => s.SubnetId);
  if (subnetIds.length === 0) throw new FatalError(`cluster ${clusterId} has no private-subnet; cannot launch slaves`);
  return subnetIds;
}

async function slaveSecurityGroup(ec2: EC2Client, clusterId: string): Promise<string> {
  const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: clusterFilters(clusterId, 'slave-sg') }));
  const id = SecurityGroups.find((g) => g.GroupId)?.GroupId;
  if (!id) throw new FatalError(`cluster ${clusterId} has no slave-sg; cannot launch slaves`);
  return id;
}

/** Tags the VPC UPDATE_IN_PROGRESS with this execution as the lease owner (a re-run keeps its start time). */
async function takeLease(ec2: EC2Client, vpc: ClusterVpc, executionId: string | undefined, own: boolean, now: number): Promise<void> {
  if (!executionId) throw new FatalError('executionId is required to take the scale lease');
  const startedAt = own ? (vpc.tags[TAG_SCALE_STARTED_AT] ?? new Date(now).toISOString()) : new Date(now).toISOString();
  await ec2.send(
    new CreateTagsCommand({
      Resources: [vpc.vpcId],
      Tags: [
        { Key: TAG_STATUS, Value: STATUS.updateInProgress },
        { Key: TAG_SCALE_EXECUTION, Value: executionId },
        { Key: TAG_SCALE_STARTED_AT, Value: startedAt },
      ],
    })
  );
}
