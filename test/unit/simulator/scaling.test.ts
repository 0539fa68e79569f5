import {
  type CloudWatchClient,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import { CreateImageCommand, type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { CLUSTER_METRICS } from '../../../functions/shared/documents';
import { renderJoinUserData } from '../../../functions/shared/render';
import { SIMULATED_METRICS, SimulatedCloud } from '../../../simulator';
import { addNat, buildNetwork, type InstalledClock, installClock, launch, type Network } from './support';

const MINUTE = 60_000;

/** The scale-out alarm as Create Scaling Alarms puts it: above 75 % for 3 of 3 minutes. */
const SCALE_OUT: PutMetricAlarmCommandInput = {
  AlarmName: 'mesos-cluster-c-1-scale-out',
  Namespace: 'MesosCluster',
  MetricName: 'AllocationPercent',
  Dimensions: [{ Name: 'ClusterId', Value: 'c-1' }],
  Statistic: 'Average',
  Period: 60,
  EvaluationPeriods: 3,
  DatapointsToAlarm: 3,
  Threshold: 75,
  ComparisonOperator: 'GreaterThanThreshold',
  TreatMissingData: 'notBreaching',
};

describe('simulated scaling: metrics, alarms, agent load and drain', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let cloudwatch: CloudWatchClient;
  let net: Network;

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2, ssm, cloudwatch } = cloud.clients({ maxAttempts: 1 }));
    net = await buildNetwork(ec2, clock);
    await addNat(ec2, clock, net);
  });

  afterEach(() => clock.uninstall());

  /** Sends a document and returns the final status and output on each instance. */
  async function run(document: string, ids: string[], parameters?: Record<string, string[]>): Promise<[string, string][]> {
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: document, InstanceIds: ids, Parameters: parameters }));
    clock.tick(5000);
    const out: [string, string][] = [];
    for (const id of ids) {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: id }));
      out.push([inv.Status ?? '', inv.StandardOutputContent ?? '']);
    }
    return out;
  }

  /** A configured master of cluster c-1 and `slaves` registered agents launched from its image. */
  async function cluster(
    slaves: number
  ): Promise<{ masterId: string; masterIp: string; imageId: string; slaveIds: string[]; slaveIps: string[] }> {
    const master = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const template = await launch(ec2, net.privateSubnetId, net.securityGroupId, { role: 'template-slave' });
    clock.tick(110_000);
    const configure = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: master.ids }));
    await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureSlave', InstanceIds: template.ids }));
    clock.tick(200_000);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: template.ids[0], Name: 'mesos-slave-c-1' }));
    clock.tick(300_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: template.ids }));
    const masterIp = master.ips[0] as string;
    const agents = await launch(ec2, net.privateSubnetId, net.securityGroupId, {
      count: slaves,
      imageId: ImageId,
      role: 'slave',
      userData: renderJoinUserData([masterIp]),
    });
    clock.tick(130_000);
    expect(configure.Command?.CommandId).toBeDefined();
    return { masterId: master.ids[0] as string, masterIp, imageId: ImageId as string, slaveIds: agents.ids, slaveIps: agents.ips };
  }

  /** Moves the clock to `offset` ms after the next whole minute; returns that minute. */
  function toNextMinute(offset = 0): number {
    const minute = Math.ceil((Date.now() + 1) / MINUTE) * MINUTE;
    clock.tick(minute + offset - Date.now());
    return minute;
  }

  async function alarmState(name = SCALE_OUT.AlarmName): Promise<string | undefined> {
    const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: [name as string] }));
    return out.MetricAlarms?.[0]?.StateValue;
  }

  it('uses the metric names of the product', () => {
    // Assess
    expect(SIMULATED_METRICS).toEqual({
      namespace: CLUSTER_METRICS.namespace,
      dimension: CLUSTER_METRICS.dimension,
      allocation: CLUSTER_METRICS.allocation,
      activeAgents: CLUSTER_METRICS.activeAgents,
    });
  });

  it('publishes the allocation and the active agents every minute while a master runs', async () => {
    // Prepare
    const before = Date.now();
    await cluster(2);
    clock.tick(2 * MINUTE);
    const minute = toNextMinute(-10_000);
    cloud.setLoad('c-1', 80);
    clock.tick(3 * MINUTE);

    // Act
    const query = (MetricName: string) =>
      cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'MesosCluster',
          MetricName,
          Dimensions: [{ Name: 'ClusterId', Value: 'c-1' }],
          StartTime: new Date(minute - 2 * MINUTE),
          EndTime: new Date(minute + 3 * MINUTE),
          Period: 60,
          Statistics: ['Average'],
        })
      );
    const allocation = await query('AllocationPercent');
    const agents = await query('ActiveAgents');
    const early = await cloudwatch.send(
      new GetMetricStatisticsCommand({
        Namespace: 'MesosCluster',
        MetricName: 'AllocationPercent',
        Dimensions: [{ Name: 'ClusterId', Value: 'c-1' }],
        StartTime: new Date(before),
        EndTime: new Date(before + 4 * MINUTE),
        Period: 60,
        Statistics: ['Average'],
      })
    );

    // Assess
    expect(allocation.Datapoints?.map((p) => [p.Timestamp?.getTime(), p.Average])).toEqual([
      [minute - 2 * MINUTE, 50],
      [minute - MINUTE, 50],
      [minute, 80],
      [minute + MINUTE, 80],
      [minute + 2 * MINUTE, 80],
    ]);
    expect(agents.Datapoints?.map((p) => p.Average)).toEqual([2, 2, 2, 2, 2]);
    expect(early.Datapoints).toEqual([]);
    expect(cloud.allocationPercent('c-1')).toBe(80);
  });

  it('fires the scale-out alarm under high load after its three evaluation periods, not before', async () => {
    // Prepare
    await cluster(2);
    await cloudwatch.send(new PutMetricAlarmCommand(SCALE_OUT));
    const since = Date.now();
    const minute = toNextMinute(-20_000);
    cloud.setLoad('c-1', 90);

    // Act
    clock.tick(minute + 3 * MINUTE - 1 - Date.now());
    const justBefore = await alarmState();
    clock.tick(1);
    const after = await alarmState();
    const fired = cloud.alarmTransitions(since, 'ALARM');

    // Assess
    expect(justBefore).toBe('OK');
    expect(after).toBe('ALARM');
    expect(fired).toEqual([
      {
        alarmName: 'mesos-cluster-c-1-scale-out',
        at: minute + 3 * MINUTE,
        previousState: 'OK',
        state: 'ALARM',
        reason: expect.stringContaining('3 out of the last 3 datapoints'),
      },
    ]);
    expect(cloud.alarmTransitions(since).map((t) => t.state)).toEqual(['OK', 'ALARM']);
  });

  it('does not fire on a short burst and goes back to OK when the load falls', async () => {
    // Prepare
    await cluster(2);
    await cloudwatch.send(new PutMetricAlarmCommand(SCALE_OUT));
    const since = Date.now();
    toNextMinute(-20_000);
    cloud.setLoad('c-1', 95);
    clock.tick(2 * MINUTE);
    cloud.setLoad('c-1', 40);

    // Act
    clock.tick(5 * MINUTE);

    // Assess
    expect(await alarmState()).toBe('OK');
    expect(cloud.alarmTransitions(since, 'ALARM')).toEqual([]);
  });

  it('lowers the allocation of a fixed demand as agents join, so the alarm stops', async () => {
    // Prepare
    const { masterIp, imageId } = await cluster(2);
    cloud.setLoad('c-1', 90, { relativeToSlaves: 2 });
    const before = cloud.allocationPercent('c-1');

    // Act
    await launch(ec2, net.privateSubnetId, net.securityGroupId, {
      count: 2,
      imageId,
      role: 'slave',
      userData: renderJoinUserData([masterIp]),
    });
    clock.tick(130_000);

    // Assess
    expect(before).toBe(90);
    expect(cloud.mesosAgents(masterIp)).toHaveLength(4);
    expect(cloud.allocationPercent('c-1')).toBe(45);
  });

  it('keeps a state set with SetAlarmState until the next evaluation, which fires again', async () => {
    // Prepare
    await cluster(2);
    await cloudwatch.send(new PutMetricAlarmCommand(SCALE_OUT));
    cloud.setLoad('c-1', 90);
    clock.tick(5 * MINUTE);
    expect(await alarmState()).toBe('ALARM');
    const since = Date.now() - 1;

    // Act
    await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: SCALE_OUT.AlarmName, StateValue: 'OK', StateReason: 'scaled' }));
    const reset = await alarmState();
    toNextMinute();

    // Assess
    expect(reset).toBe('OK');
    expect(await alarmState()).toBe('ALARM');
    expect(cloud.alarmTransitions(since).map((t) => [t.previousState, t.state])).toEqual([
      ['ALARM', 'OK'],
      ['OK', 'ALARM'],
    ]);
  });

  it('prints every registered agent and its tasks for agent-load: set counts, else one per 10 % load', async () => {
    // Prepare
    const { masterId, slaveIds, slaveIps } = await cluster(3);
    cloud.setLoad('c-1', 30);
    cloud.setAgentTasks(slaveIds[1] as string, 7);

    // Act
    const [answer] = await run('MesosCluster-AgentLoad', [masterId]);

    // Assess
    const sorted = slaveIps.map((ip, i) => [ip, i === 1 ? 7 : 3] as const).sort(([a], [b]) => a.localeCompare(b, 'en', { numeric: true }));
    expect(answer).toEqual(['Success', sorted.map(([ip, tasks]) => `${ip} ${tasks}\n`).join('')]);
  });

  it('drains an agent named by drain-agents: its tasks stay until drainMs has passed, then leave', async () => {
    // Prepare
    const { masterId, masterIp, slaveIds, slaveIps } = await cluster(2);
    cloud.setAgentTasks(slaveIds[0] as string, 4);
    cloud.setAgentTasks(slaveIds[1] as string, 5);

    // Act
    const [drain] = await run('MesosCluster-DrainAgents', [masterId], { AgentIps: [slaveIps[0] as string] });
    const during = cloud.agentLoad(masterIp);
    clock.tick(60_000);
    const [after] = await run('MesosCluster-AgentLoad', [masterId]);

    // Assess
    expect(drain?.[0]).toBe('Success');
    expect(during.find((a) => a.instanceId === slaveIds[0])).toEqual({
      instanceId: slaveIds[0],
      ip: slaveIps[0],
      tasks: 4,
      draining: true,
    });
    expect(during.find((a) => a.instanceId === slaveIds[1])).toMatchObject({ tasks: 5, draining: false });
    expect(after?.[1]).toContain(`${slaveIps[0]} 0\n`);
    expect(after?.[1]).toContain(`${slaveIps[1]} 5\n`);
  });

  it('fails drain-agents on a malformed list and drains nothing', async () => {
    // Prepare
    const { masterId, masterIp, slaveIps } = await cluster(1);

    // Act
    const [drain] = await run('MesosCluster-DrainAgents', [masterId], { AgentIps: [`${slaveIps[0]};reboot`] });
    clock.tick(120_000);

    // Assess
    expect(drain?.[0]).toBe('Failed');
    expect(cloud.agentLoad(masterIp).map((a) => a.draining)).toEqual([false]);
  });

  it('drops a terminated agent from the agent-load answer', async () => {
    // Prepare
    const { masterId, slaveIds, slaveIps } = await cluster(2);

    // Act
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [slaveIds[0] as string] }));
    const [answer] = await run('MesosCluster-AgentLoad', [masterId]);

    // Assess
    expect(answer?.[1]).not.toContain(`${slaveIps[0]} `);
    expect(answer?.[1]).toContain(`${slaveIps[1]} 5\n`);
  });

  it('fails agent-load on an instance that runs no Mesos master', async () => {
    // Prepare
    const other = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(110_000);

    // Act
    const [answer] = await run('MesosCluster-AgentLoad', other.ids);

    // Assess
    expect(answer).toEqual(['Failed', '']);
  });

  it('keeps loads, drains and alarm history across a save and load', async () => {
    // Prepare
    await cluster(1);
    await cloudwatch.send(new PutMetricAlarmCommand(SCALE_OUT));
    const since = Date.now();
    cloud.setLoad('c-1', 90);
    clock.tick(5 * MINUTE);
    const transitions = cloud.alarmTransitions(since);

    // Act
    const restored = SimulatedCloud.fromJSON(cloud.toJSON());

    // Assess
    expect(restored.alarmTransitions(since)).toEqual(transitions);
    expect(restored.allocationPercent('c-1')).toBe(90);
  });
});
