/**
 * The scale steps, called in the order the scale machine will call them, against the
 * simulated cloud: the acceptance scenarios of the scaling feature at the step level
 * (the state machine itself is wired separately).
 */
import {
  CreateImageCommand,
  CreateSecurityGroupCommand,
  CreateTagsCommand,
  DescribeInstancesCommand,
  type EC2Client,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { checkAgentsRegisteredStep } from '../../../functions/check-agents-registered/check-agents-registered';
import { checkCommandStep } from '../../../functions/check-command/check-command';
import { checkDrainStep } from '../../../functions/check-drain/check-drain';
import { checkInstancesGoneStep } from '../../../functions/check-instances-gone/check-instances-gone';
import { checkScaleLeaseStep } from '../../../functions/check-scale-lease/check-scale-lease';
import { createScalingAlarmsStep } from '../../../functions/create-scaling-alarms/create-scaling-alarms';
import { drainSlavesStep } from '../../../functions/drain-slaves/drain-slaves';
import { launchInstancesStep } from '../../../functions/launch-instances/launch-instances';
import { markReadyStep } from '../../../functions/mark-ready/mark-ready';
import { pickSlavesToRemoveStep } from '../../../functions/pick-slaves-to-remove/pick-slaves-to-remove';
import { planScaleStep } from '../../../functions/plan-scale/plan-scale';
import { queryAgentLoadStep } from '../../../functions/query-agent-load/query-agent-load';
import { queryAgentsStep } from '../../../functions/query-agents/query-agents';
import { recordScaleStep } from '../../../functions/record-scale/record-scale';
import type { PlanScaleInput, PlanScaleOutput } from '../../../functions/shared/contracts';
import { invokeStep, type StepClients } from '../../../functions/shared/step';
import { terminateInstancesStep } from '../../../functions/terminate-instances/terminate-instances';
import { SimulatedCloud } from '../../../simulator';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { addNat, buildNetwork, type InstalledClock, installClock, launch, type Network, tags } from './support';

const CLUSTER = { clusterId: 'c-1', clusterName: 'demo' };
const AUTOSCALING = { minSlaves: 1, maxSlaves: 6, scaleOutAbovePercent: 75, scaleInBelowPercent: 25, step: 2, cooldownSeconds: 300 };

describe('scale steps against the simulated cloud', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let clients: StepClients;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let net: Network;
  let masterIp: string;
  let imageId: string;
  let executions = 0;
  /** Scale-in: the slaves that were draining when their drain command ended, and their tasks when terminated. */
  let drained: string[];
  let tasksAtTermination: number[];

  /** Runs a step, then lets virtual time pass (SSM answers, EC2 lifecycles, token buckets). */
  async function step<I, O, C extends keyof StepClients>(
    s: { id: string; run: (i: I, c: Pick<StepClients, C>) => Promise<O> },
    input: I,
    tickMs = 2000
  ): Promise<O> {
    const out = await invokeStep(s, input, clients);
    clock.tick(tickMs);
    return out;
  }

  /** Polls a check until `done` says so, at most `polls` times `everyMs` apart. */
  async function until<T>(check: () => Promise<T>, done: (t: T) => boolean, everyMs: number, polls = 40): Promise<T> {
    for (let i = 0; i < polls; i++) {
      const result = await check();
      if (done(result)) return result;
      clock.tick(everyMs);
    }
    throw new Error('the check never finished');
  }

  /** A created cluster as the create workflow leaves it: one master, the slave image, `slaves` registered slaves, alarms, CREATE_COMPLETE. */
  beforeEach(async () => {
    drained = [];
    tasksAtTermination = [];
    clock = installClock();
    cloud = new SimulatedCloud();
    clients = { ...cloud.clients({ maxAttempts: 1 }), config: TEST_STEP_CONFIG };
    ({ ec2, ssm } = clients);
    net = await buildNetwork(ec2, clock);
    await addNat(ec2, clock, net);
    await ec2.send(new CreateTagsCommand({ Resources: [net.vpcId], Tags: [{ Key: 'mesos-cluster:name', Value: 'demo' }] }));
    const slaveSg = await ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: net.vpcId,
        GroupName: 'c-1-slave',
        Description: 'slave',
        TagSpecifications: tags('security-group', 'c-1', 'slave-sg'),
      })
    );
    const master = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const template = await launch(ec2, net.privateSubnetId, net.securityGroupId, { role: 'template-slave' });
    clock.tick(110_000);
    await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: master.ids }));
    await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureSlave', InstanceIds: template.ids }));
    clock.tick(200_000);
    const image = await ec2.send(
      new CreateImageCommand({
        InstanceId: template.ids[0],
        Name: 'mesos-slave-c-1',
        TagSpecifications: tags('image', 'c-1', 'slave-image'),
      })
    );
    clock.tick(300_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: template.ids }));
    masterIp = master.ips[0] as string;
    imageId = image.ImageId as string;
    await step(launchInstancesStep, {
      ...CLUSTER,
      role: 'slave',
      count: 2,
      instanceType: 't3.medium',
      imageId,
      subnetId: net.privateSubnetId,
      securityGroupId: slaveSg.GroupId as string,
      masterIps: [masterIp],
    });
    clock.tick(130_000);
    await step(createScalingAlarmsStep, {
      ...CLUSTER,
      vpcId: net.vpcId,
      autoscaling: AUTOSCALING,
      slaveInstanceType: 't3.medium',
      slaves: 2,
    });
    await step(markReadyStep, { ...CLUSTER, vpcId: net.vpcId });
    expect(cloud.mesosAgents(masterIp)).toHaveLength(2);
  });

  afterEach(() => clock.uninstall());

  async function liveSlaves(): Promise<{ id: string; imageId: string }[]> {
    const out = await ec2.send(
      new DescribeInstancesCommand({
        Filters: [
          { Name: 'tag:mesos-cluster:role', Values: ['slave'] },
          { Name: 'instance-state-name', Values: ['pending', 'running'] },
        ],
      })
    );
    return (out.Reservations ?? [])
      .flatMap((r) => r.Instances ?? [])
      .map((i) => ({ id: i.InstanceId as string, imageId: i.ImageId as string }));
  }

  /** Plan Scale, then the out or in branch of the scale machine, then Record Scale. */
  async function scale(request: Omit<PlanScaleInput, 'executionId'>): Promise<PlanScaleOutput> {
    executions += 1;
    const executionId = `arn:aws:states:eu-west-1:123456789012:execution:MesosClusterScale:scale-${executions}`;
    const plan = await step(planScaleStep, { ...request, executionId });
    if (plan.action === 'none') return plan;
    const ref = { clusterId: plan.clusterId, clusterName: plan.clusterName };
    await step(checkScaleLeaseStep, { ...ref, executionId }, 5000);
    const master = { ...ref, instanceId: plan.masterInstanceId as string };
    if (plan.action === 'out') {
      const launch = plan.launch as NonNullable<PlanScaleOutput['launch']>;
      if (launch.imageId === null) throw new Error('this world always has a slave image');
      await step(launchInstancesStep, {
        ...ref,
        ...launch,
        imageId: launch.imageId,
        role: 'slave',
        count: plan.delta,
        tokenSuffix: `scale-${executions}`,
      });
      await until(
        async () => {
          const { commandId } = await step(queryAgentsStep, master, 5000);
          return step(checkAgentsRegisteredStep, { ...master, commandId, expected: plan.target });
        },
        (r) => r.ready,
        30_000
      );
    } else {
      const load = await step(queryAgentLoadStep, master, 5000);
      const picked = await step(pickSlavesToRemoveStep, { ...master, commandId: load.commandId, count: plan.delta });
      const drain = await step(drainSlavesStep, { ...master, executionId, agentIps: picked.agentIps }, 5000);
      await until(
        () => step(checkCommandStep, { ...ref, commandId: drain.commandId, instanceIds: [master.instanceId] }),
        (r) => r.done,
        5000
      );
      drained.push(...picked.instanceIds.filter((id) => cloud.agentLoad(masterIp).some((a) => a.instanceId === id && a.draining)));
      await until(
        async () => {
          const { commandId } = await step(queryAgentLoadStep, master, 5000);
          return step(checkDrainStep, { ...master, commandId, agentIps: picked.agentIps });
        },
        (r) => r.drained,
        30_000,
        20
      );
      tasksAtTermination.push(
        ...cloud
          .agentLoad(masterIp)
          .filter((a) => picked.instanceIds.includes(a.instanceId))
          .map((a) => a.tasks)
      );
      await step(terminateInstancesStep, { ...ref, instanceIds: picked.instanceIds });
      await until(
        () => step(checkInstancesGoneStep, { ...ref, instanceIds: picked.instanceIds }),
        (r) => r.done,
        15_000
      );
      await step(drainSlavesStep, { ...master, executionId, agentIps: [] }, 5000);
    }
    const recorded = await step(recordScaleStep, { ...ref, executionId, outcome: 'succeeded', target: plan.target });
    expect(recorded.recorded).toBe(true);
    return plan;
  }

  it('scales a 2-slave cluster out to 5 registered slaves, all launched from the cluster image', async () => {
    // Act
    const plan = await scale({ clusterId: 'c-1', source: 'api', targetSlaves: 5 });

    // Assess
    expect(plan).toMatchObject({ action: 'out', current: 2, target: 5, delta: 3 });
    expect(cloud.mesosAgents(masterIp)).toHaveLength(5);
    const slaves = await liveSlaves();
    expect(slaves).toHaveLength(5);
    expect(new Set(slaves.map((s) => s.imageId))).toEqual(new Set([imageId]));
    expect(cloud.inventory().find((i) => i.type === 'vpc')?.tags).toMatchObject({
      'mesos-cluster:status': 'CREATE_COMPLETE',
      'mesos-cluster:slaves': '5',
    });
  });

  it('scales in to 1 slave, draining the one with the fewest tasks before terminating it', async () => {
    // Prepare
    const [busy, idle] = cloud.mesosAgents(masterIp).sort();
    cloud.setAgentTasks(busy as string, 6);
    cloud.setAgentTasks(idle as string, 2);

    // Act
    const plan = await scale({ clusterId: 'c-1', source: 'api', targetSlaves: 1 });

    // Assess
    expect(plan).toMatchObject({ action: 'in', current: 2, target: 1, delta: 1 });
    expect(drained).toEqual([idle]);
    expect(tasksAtTermination).toEqual([0]);
    expect(cloud.mesosAgents(masterIp)).toEqual([busy]);
    expect((await liveSlaves()).map((s) => s.id)).toEqual([busy]);
  });

  it('refuses a second trigger while a scale runs, so the cluster is not scaled twice', async () => {
    // Prepare
    const first = await step(planScaleStep, { clusterId: 'c-1', source: 'api', targetSlaves: 4, executionId: 'exec-a' });

    // Act
    const second = step(planScaleStep, { clusterId: 'c-1', source: 'api', targetSlaves: 6, executionId: 'exec-b' });

    // Assess
    await expect(second).rejects.toMatchObject({
      name: 'ConflictError',
      message: 'plan-scale: cluster c-1 is UPDATE_IN_PROGRESS (scale exec-a is running); scaling refused',
    });
    expect(first.action).toBe('out');
    await expect(step(checkScaleLeaseStep, { clusterId: 'c-1', executionId: 'exec-a' })).resolves.toEqual({ held: true });
  });

  it('refuses to scale past the bounds with a message naming them', async () => {
    // Act
    const run = scale({ clusterId: 'c-1', source: 'api', targetSlaves: 7 });

    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'ValidationError',
      message: "plan-scale: slaves: must be between 1 and 6, the cluster's autoscaling bounds; got 7",
    });
    expect(cloud.mesosAgents(masterIp)).toHaveLength(2);
  });

  it('adds slaves on a high load, alarm after alarm, up to maxSlaves and never past it', async () => {
    // Prepare
    cloud.setLoad('c-1', 95);
    let since = Date.now();
    const counts: number[] = [];

    // Act: what EventBridge and the scale machine do, for 40 simulated minutes.
    for (let minute = 0; minute < 40; minute++) {
      const fired = cloud.alarmTransitions(since, 'ALARM').filter((t) => t.alarmName.endsWith('-scale-out'));
      since = Date.now();
      // A new ALARM starts a scale; the machine re-plans after each scale (the alarm stays in ALARM).
      if (fired.length > 0 || counts.length > 0) {
        const plan = await scale({ source: 'alarm', alarmName: 'mesos-cluster-c-1-scale-out' });
        if (plan.action === 'out') counts.push(plan.target);
        if (plan.action === 'none' && plan.current === AUTOSCALING.maxSlaves) break;
      }
      expect((await liveSlaves()).length).toBeLessThanOrEqual(AUTOSCALING.maxSlaves);
      clock.tick(60_000);
    }

    // Assess
    expect(counts).toEqual([4, 6]);
    expect(cloud.mesosAgents(masterIp)).toHaveLength(6);
    clock.tick(AUTOSCALING.cooldownSeconds * 1000);
    const last = await invokeStep(planScaleStep, { source: 'alarm', alarmName: 'mesos-cluster-c-1-scale-out', executionId: 'x' }, clients);
    expect(last).toMatchObject({ action: 'none', current: 6, reason: 'already at maxSlaves (6) with 6 slaves' });
  });
});
