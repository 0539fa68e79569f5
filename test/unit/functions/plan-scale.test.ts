import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateTagsCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  type DescribeInstancesCommandInput,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { planScaleStep } from '../../../functions/plan-scale/plan-scale';
import type { PlanScaleInput } from '../../../functions/shared/contracts';
import { recipeTags } from '../../../functions/shared/image-recipe';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const cloudwatchMock = mockClient(CloudWatchClient);
const clients = { ec2: new EC2Client({}), cloudwatch: new CloudWatchClient({}) };

const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);
const EXEC = 'arn:aws:states:eu-west-1:123456789012:execution:MesosClusterScale:scale-1';
const OTHER = 'arn:aws:states:eu-west-1:123456789012:execution:MesosClusterScale:scale-0';

const api = (targetSlaves: number): PlanScaleInput => ({ clusterId: 'c-1234', source: 'api', targetSlaves, executionId: EXEC });
const alarm = (direction: 'out' | 'in'): PlanScaleInput => ({ clusterId: 'c-1234', source: 'alarm', direction, executionId: EXEC });

function slave(n: number, launchedMinutesAgo = 60): Instance {
  return {
    InstanceId: `i-s${n}`,
    PrivateIpAddress: `10.0.1.${20 + n}`,
    ImageId: 'ami-baked',
    InstanceType: 't3.medium',
    SubnetId: 'subnet-priv',
    LaunchTime: new Date(NOW - launchedMinutesAgo * 60_000),
  };
}

const MASTERS: Instance[] = [
  { InstanceId: 'i-m2', PrivateIpAddress: '10.0.0.11', AmiLaunchIndex: 1, LaunchTime: new Date(NOW - 7_200_000) },
  { InstanceId: 'i-m1', PrivateIpAddress: '10.0.0.10', AmiLaunchIndex: 0, LaunchTime: new Date(NOW - 7_200_000) },
  { InstanceId: 'i-m3', PrivateIpAddress: '10.0.0.12', AmiLaunchIndex: 2, LaunchTime: new Date(NOW - 7_200_000) },
];

interface World {
  tags?: Record<string, string>;
  slaves?: number;
  masters?: Instance[];
  images?: { ImageId: string; CreationDate: string }[];
  alarmState?: string;
}

/** A cluster of `slaves` slaves with bounds 1..6, step 2, cooldown 300 s, CREATE_COMPLETE unless the tags say otherwise. */
function world({ tags = {}, slaves = 2, masters = MASTERS, images, alarmState = 'ALARM' }: World = {}): void {
  const all: Record<string, string> = {
    'mesos-cluster:id': 'c-1234',
    'mesos-cluster:name': 'demo',
    'mesos-cluster:role': 'vpc',
    'mesos-cluster:status': 'CREATE_COMPLETE',
    'mesos-cluster:autoscaling': 'min=1,max=6,out=75,in=25,step=2,cooldown=300',
    'mesos-cluster:slave-instance-type': 't3.large',
    ...tags,
  };
  ec2Mock.on(DescribeVpcsCommand).resolves({
    Vpcs: [{ VpcId: 'vpc-1', Tags: Object.entries(all).map(([Key, Value]) => ({ Key, Value })) }],
  });
  const slaveList = Array.from({ length: slaves }, (_, i) => slave(i + 1));
  ec2Mock.on(DescribeInstancesCommand).callsFake((input: DescribeInstancesCommandInput) => {
    const role = input.Filters?.find((f) => f.Name === 'tag:mesos-cluster:role')?.Values?.[0];
    return { Reservations: [{ Instances: role === 'master' ? masters : slaveList }] };
  });
  ec2Mock.on(DescribeImagesCommand).resolves({
    Images: images ?? [
      { ImageId: 'ami-old', CreationDate: '2025-12-01T00:00:00.000Z' },
      { ImageId: 'ami-baked', CreationDate: '2026-01-01T09:00:00.000Z' },
    ],
  });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-priv' }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-slave' }] });
  ec2Mock.on(CreateTagsCommand).resolves({});
  cloudwatchMock.on(DescribeAlarmsCommand).callsFake((input: { AlarmNames?: string[] }) => ({
    MetricAlarms: (input.AlarmNames ?? []).map((AlarmName) => ({ AlarmName, StateValue: alarmState })),
  }));
}

const LEASE_TAGS = {
  Resources: ['vpc-1'],
  Tags: [
    { Key: 'mesos-cluster:status', Value: 'UPDATE_IN_PROGRESS' },
    { Key: 'mesos-cluster:scale-execution', Value: EXEC },
    { Key: 'mesos-cluster:scale-started-at', Value: new Date(NOW).toISOString() },
  ],
};

describe('plan-scale', () => {
  beforeEach(() => {
    ec2Mock.reset();
    cloudwatchMock.reset();
    jest.spyOn(Date, 'now').mockReturnValue(NOW);
  });

  afterEach(() => jest.restoreAllMocks());

  it('plans a scale-out to an explicit target with the launch inputs found by tag, and takes the lease', async () => {
    // Prepare
    world({ slaves: 2 });
    // Act
    const plan = await invokeStep(planScaleStep, api(5), clients);
    // Assess
    expect(plan).toEqual({
      action: 'out',
      clusterId: 'c-1234',
      clusterName: 'demo',
      current: 2,
      target: 5,
      delta: 3,
      cooldownSeconds: 300,
      reason: 'api: scale out from 2 to 5 slaves (bounds 1..6)',
      masterInstanceId: 'i-m1',
      launch: {
        imageId: 'ami-baked',
        subnetIds: ['subnet-priv'],
        securityGroupId: 'sg-slave',
        instanceType: 't3.large',
        masterIps: ['10.0.0.10', '10.0.0.11', '10.0.0.12'],
      },
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'tag:mesos-cluster:role', Values: ['slave'] },
        { Name: 'instance-state-name', Values: ['pending', 'running'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['self'],
      Filters: expect.arrayContaining([
        { Name: 'tag:mesos-cluster:role', Values: ['slave-image'] },
        { Name: 'state', Values: ['available'] },
      ]),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, LEASE_TAGS);
    expect(cloudwatchMock).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it('plans a scale-in to an explicit target without launch inputs', async () => {
    // Prepare
    world({ slaves: 2 });
    // Act
    const plan = await invokeStep(planScaleStep, api(1), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'in', current: 2, target: 1, delta: 1, masterInstanceId: 'i-m1' });
    expect(plan.launch).toBeUndefined();
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeImagesCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, LEASE_TAGS);
  });

  it.each([0, 7])('throws ValidationError on slaves when the target %i is outside the bounds 1..6', async (target) => {
    // Prepare
    world({ slaves: 2 });
    // Act
    const run = invokeStep(planScaleStep, api(target), clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'slaves',
      message: `plan-scale: slaves: must be between 1 and 6, the cluster's autoscaling bounds; got ${target}`,
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('throws ValidationError on slaves when the target is not a whole number', async () => {
    // Prepare
    world();
    // Act
    const run = invokeStep(planScaleStep, api(2.5), clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ValidationError', field: 'slaves' });
  });

  it('throws ConflictError naming the status when the cluster is DELETE_IN_PROGRESS', async () => {
    // Prepare
    world({ tags: { 'mesos-cluster:status': 'DELETE_IN_PROGRESS' } });
    // Act
    const run = invokeStep(planScaleStep, api(4), clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'plan-scale: cluster c-1234 is DELETE_IN_PROGRESS; scaling refused',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('throws ConflictError when the cluster has no status yet (still being created)', async () => {
    // Prepare
    world({ tags: { 'mesos-cluster:status': '' } });
    // Act
    const run = invokeStep(planScaleStep, api(4), clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ConflictError', message: expect.stringContaining('is CREATE_IN_PROGRESS') });
  });

  it('throws ConflictError naming the running scale when another execution holds the lease', async () => {
    // Prepare
    world({
      tags: {
        'mesos-cluster:status': 'UPDATE_IN_PROGRESS',
        'mesos-cluster:scale-execution': OTHER,
        'mesos-cluster:scale-started-at': new Date(NOW - 60_000).toISOString(),
      },
    });
    // Act
    const run = invokeStep(planScaleStep, api(4), clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ConflictError',
      message: `plan-scale: cluster c-1234 is UPDATE_IN_PROGRESS (scale ${OTHER} is running); scaling refused`,
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('takes over a lease abandoned for longer than the lease time', async () => {
    // Prepare
    world({
      tags: {
        'mesos-cluster:status': 'UPDATE_IN_PROGRESS',
        'mesos-cluster:scale-execution': OTHER,
        'mesos-cluster:scale-started-at': new Date(NOW - 4 * 3600_000).toISOString(),
      },
    });
    // Act
    const plan = await invokeStep(planScaleStep, api(4), clients);
    // Assess
    expect(plan.action).toBe('out');
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, LEASE_TAGS);
  });

  it('plans the same scale again on a re-run that already holds the lease, keeping its start time', async () => {
    // Prepare
    const startedAt = new Date(NOW - 5000).toISOString();
    world({
      tags: {
        'mesos-cluster:status': 'UPDATE_IN_PROGRESS',
        'mesos-cluster:scale-execution': EXEC,
        'mesos-cluster:scale-started-at': startedAt,
      },
    });
    // Act
    const plan = await invokeStep(planScaleStep, api(5), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'out', current: 2, target: 5, delta: 3 });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, {
      Resources: ['vpc-1'],
      Tags: expect.arrayContaining([{ Key: 'mesos-cluster:scale-started-at', Value: startedAt }]),
    });
  });

  it('adds one step on a scale-out alarm, clamped to maxSlaves', async () => {
    // Prepare
    world({ slaves: 5 });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('out'), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'out', current: 5, target: 6, delta: 1 });
    expect(cloudwatchMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['mesos-cluster-c-1234-scale-out'] });
  });

  it('removes one step on a scale-in alarm, clamped to minSlaves', async () => {
    // Prepare
    world({ slaves: 2 });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('in'), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'in', current: 2, target: 1, delta: 1 });
    expect(cloudwatchMock).toHaveReceivedCommandWith(DescribeAlarmsCommand, { AlarmNames: ['mesos-cluster-c-1234-scale-in'] });
  });

  it('plans nothing on a scale-out alarm at maxSlaves, and takes no lease', async () => {
    // Prepare
    world({ slaves: 6 });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('out'), clients);
    // Assess
    expect(plan).toEqual({
      action: 'none',
      clusterId: 'c-1234',
      clusterName: 'demo',
      current: 6,
      target: 6,
      delta: 0,
      cooldownSeconds: 300,
      reason: 'already at maxSlaves (6) with 6 slaves',
    });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('plans nothing on an alarm within the cooldown and says how long it lasts', async () => {
    // Prepare
    world({ slaves: 2, tags: { 'mesos-cluster:last-scaled-at': new Date(NOW - 60_000).toISOString() } });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('out'), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'none', current: 2, target: 2, retryAfterSeconds: 240 });
    expect(plan.reason).toContain('cooldown');
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('scales on an alarm once the cooldown is over', async () => {
    // Prepare
    world({ slaves: 2, tags: { 'mesos-cluster:last-scaled-at': new Date(NOW - 300_000).toISOString() } });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('out'), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'out', target: 4 });
  });

  it('ignores the cooldown for a request through the API', async () => {
    // Prepare
    world({ slaves: 2, tags: { 'mesos-cluster:last-scaled-at': new Date(NOW - 60_000).toISOString() } });
    // Act
    const plan = await invokeStep(planScaleStep, { clusterId: 'c-1234', source: 'schedule', direction: 'out', executionId: EXEC }, clients);
    // Assess
    expect(plan).toMatchObject({ action: 'out', current: 2, target: 4, delta: 2 });
    expect(cloudwatchMock).not.toHaveReceivedCommand(DescribeAlarmsCommand);
  });

  it('plans nothing when the alarm that started the scale is no longer in ALARM', async () => {
    // Prepare
    world({ slaves: 2, alarmState: 'OK' });
    // Act
    const plan = await invokeStep(planScaleStep, alarm('out'), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'none', reason: 'the scale-out alarm is OK, no longer ALARM' });
  });

  it('reads the cluster id and direction from the alarm name', async () => {
    // Prepare
    world({ slaves: 3 });
    // Act
    const plan = await invokeStep(
      planScaleStep,
      { source: 'alarm', alarmName: 'mesos-cluster-c-1234-scale-in', executionId: EXEC },
      clients
    );
    // Assess
    expect(plan).toMatchObject({ clusterId: 'c-1234', action: 'in', current: 3, target: 1 });
  });

  it('spreads a scale-out over the private subnets of the zones, the one with the fewest slaves first', async () => {
    // Prepare
    world({ slaves: 2 });
    ec2Mock.on(DescribeSubnetsCommand).resolves({
      Subnets: [
        { SubnetId: 'subnet-priv', AvailabilityZone: 'eu-west-1a' },
        { SubnetId: 'subnet-priv-b', AvailabilityZone: 'eu-west-1b' },
      ],
    });
    // Act
    const plan = await invokeStep(planScaleStep, api(4), clients);
    // Assess
    expect(plan.launch?.subnetIds).toEqual(['subnet-priv-b', 'subnet-priv']);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSubnetsCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'tag:mesos-cluster:role', Values: ['private-subnet'] },
      ],
    });
  });

  it('launches from the image the VPC records, shared with other clusters of the recipe', async () => {
    // Prepare
    world({
      slaves: 2,
      tags: { 'mesos-cluster:slave-image': 'ami-shared' },
      images: [{ ImageId: 'ami-shared', CreationDate: '2026-01-01T00:00:00.000Z' }],
    });
    // Act
    const plan = await invokeStep(planScaleStep, api(3), clients);
    // Assess
    expect(plan.launch?.imageId).toBe('ami-shared');
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeImagesCommand, {
      Owners: ['self'],
      Filters: [
        { Name: 'image-id', Values: ['ami-shared'] },
        { Name: 'state', Values: ['available'] },
      ],
    });
  });

  it('uses the image of the newest slave when the cluster has no tagged image', async () => {
    // Prepare
    world({ slaves: 1, images: [] });
    // Act
    const plan = await invokeStep(planScaleStep, api(2), clients);
    // Assess
    expect(plan.launch?.imageId).toBe('ami-baked');
  });

  it('throws FatalError when a scale-out finds no image and the VPC records no recipe to bake one', async () => {
    // Prepare
    world({ slaves: 0, images: [], tags: { 'mesos-cluster:autoscaling': 'min=0,max=6,out=75,in=25,step=2,cooldown=300' } });
    // Act
    const run = invokeStep(planScaleStep, api(2), clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('no image recipe to bake one from') });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateTagsCommand);
  });

  it('plans a bake from the recipe the VPC recorded when a cluster created without slaves scales out', async () => {
    // Prepare
    const recipe = {
      baseImageId: 'ami-ubuntu',
      software: {
        ubuntuRelease: '24.04' as const,
        mesosVersion: '1.11.0-0.7.1.ubuntu2404',
        marathonVersion: '1.11.30',
        packageRepository: 'https://rpm.aventer.biz/Ubuntu/noble',
        packageKeyUrl: 'https://www.aventer.biz/assets/support_aventer.asc',
        packageSource: 'vendor' as const,
      },
      freshImage: false,
    };
    const tags = Object.fromEntries(recipeTags(recipe).map((t) => [t.Key, t.Value]));
    world({ slaves: 0, images: [], tags: { ...tags, 'mesos-cluster:autoscaling': 'min=0,max=6,out=75,in=25,step=2,cooldown=300' } });
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
      const role = input.Filters?.find((f) => f.Name === 'tag:mesos-cluster:role')?.Values?.[0];
      return role === 'public-subnet'
        ? {
            Subnets: [
              { SubnetId: 'subnet-pub-b', AvailabilityZone: 'eu-west-1b' },
              { SubnetId: 'subnet-pub-a', AvailabilityZone: 'eu-west-1a' },
            ],
          }
        : { Subnets: [{ SubnetId: 'subnet-priv' }] };
    });
    // Act
    const plan = await invokeStep(planScaleStep, api(2), clients);
    // Assess
    expect(plan.action).toBe('out');
    expect(plan.launch?.imageId).toBeNull();
    expect(plan.bake).toEqual({ vpcId: 'vpc-1', ...recipe, publicSubnetId: 'subnet-pub-a' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateTagsCommand, LEASE_TAGS);
  });

  it('plans no bake when the cluster has an image', async () => {
    // Prepare
    world({ slaves: 2 });
    // Act
    const plan = await invokeStep(planScaleStep, api(4), clients);
    // Assess
    expect(plan.launch?.imageId).toBe('ami-baked');
    expect(plan.bake).toBeUndefined();
  });

  it('throws FatalError when no master runs', async () => {
    // Prepare
    world({ masters: [] });
    // Act
    const run = invokeStep(planScaleStep, api(4), clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('no running master') });
  });

  it('throws FatalError when a scale has no execution id to own the lease', async () => {
    // Prepare
    world();
    // Act
    const run = invokeStep(planScaleStep, { clusterId: 'c-1234', source: 'api', targetSlaves: 4 }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('executionId') });
  });

  it('throws ValidationError when the cluster does not exist', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves({ Vpcs: [] });
    // Act
    const run = invokeStep(planScaleStep, api(4), clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      field: 'clusterId',
      message: expect.stringContaining('no cluster c-1234'),
    });
  });

  it('throws ValidationError when neither a target nor a direction is given', async () => {
    // Prepare
    world();
    // Act
    const run = invokeStep(planScaleStep, { clusterId: 'c-1234', source: 'api', executionId: EXEC }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'ValidationError', field: 'slaves' });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeVpcsCommand);
  });

  it('plans around the default bounds when the cluster has no autoscaling tag', async () => {
    // Prepare
    world({ slaves: 3, tags: { 'mesos-cluster:autoscaling': '' } });
    // Act
    const plan = await invokeStep(planScaleStep, api(10), clients);
    // Assess
    expect(plan).toMatchObject({ action: 'out', target: 10, reason: expect.stringContaining('bounds 1..10') });
  });
});
