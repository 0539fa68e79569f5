import { CreateImageCommand, type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { renderJoinUserData } from '../../../functions/shared/render';
import { SimulatedCloud } from '../../../simulator';
import { addNat, buildNetwork, type InstalledClock, installClock, launch, type Network } from './support';

describe('simulated Mesos agents', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let net: Network;

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2, ssm } = cloud.clients({ maxAttempts: 1 }));
    net = await buildNetwork(ec2, clock);
    await addNat(ec2, clock, net);
  });

  afterEach(() => clock.uninstall());

  /** Sends a document to instances and returns each invocation's final status and output. */
  async function run(
    document: string,
    ids: string[],
    waitMs: number,
    parameters?: Record<string, string[]>
  ): Promise<[string | undefined, string | undefined][]> {
    const sent = await ssm.send(new SendCommandCommand({ DocumentName: document, InstanceIds: ids, Parameters: parameters }));
    clock.tick(waitMs);
    const out = [];
    for (const id of ids) {
      const inv = await ssm.send(new GetCommandInvocationCommand({ CommandId: sent.Command?.CommandId, InstanceId: id }));
      out.push([inv.Status, inv.StandardOutputContent] as [string | undefined, string | undefined]);
    }
    return out;
  }

  /** A configured master and an available agent image, as the create workflow builds them. */
  async function masterAndImage(): Promise<{ masterId: string; masterIp: string; imageId: string }> {
    const master = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const template = await launch(ec2, net.privateSubnetId, net.securityGroupId, { role: 'template-slave' });
    clock.tick(110_000);
    await run('MesosCluster-ConfigureMaster', master.ids, 200_000);
    await run('MesosCluster-ConfigureSlave', template.ids, 130_000);
    const { ImageId } = await ec2.send(new CreateImageCommand({ InstanceId: template.ids[0], Name: 'mesos-slave-c-1' }));
    clock.tick(300_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: template.ids }));
    return { masterId: master.ids[0] as string, masterIp: master.ips[0] as string, imageId: ImageId as string };
  }

  it('counts the agents launched from the baked image once they have booted and registered', async () => {
    // Prepare
    const { masterId, masterIp, imageId } = await masterAndImage();
    const slaves = await launch(ec2, net.privateSubnetId, net.securityGroupId, {
      count: 3,
      imageId,
      role: 'slave',
      userData: renderJoinUserData([masterIp]),
    });

    // Act
    clock.tick(100_000);
    const [early] = await run('MesosCluster-CountAgents', [masterId], 5000);
    clock.tick(30_000);
    const [late] = await run('MesosCluster-CountAgents', [masterId], 5000);
    const agents = cloud.mesosAgents(masterIp, net.vpcId);

    // Assess
    expect(early).toEqual(['Success', '0\n']);
    expect(late).toEqual(['Success', '3\n']);
    expect(agents.sort()).toEqual([...slaves.ids].sort());
  });

  it('stops counting a terminated agent', async () => {
    // Prepare
    const { masterId, masterIp, imageId } = await masterAndImage();
    const slaves = await launch(ec2, net.privateSubnetId, net.securityGroupId, {
      count: 2,
      imageId,
      role: 'slave',
      userData: renderJoinUserData([masterIp]),
    });
    clock.tick(200_000);

    // Act
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [slaves.ids[0] as string] }));
    const [count] = await run('MesosCluster-CountAgents', [masterId], 5000);

    // Assess
    expect(count).toEqual(['Success', '1\n']);
    expect(cloud.mesosAgents(masterIp)).toEqual([slaves.ids[1]]);
  });

  it('registers no agent from an image without the agent, or without the join user data', async () => {
    // Prepare
    const { masterId, masterIp, imageId } = await masterAndImage();
    await launch(ec2, net.privateSubnetId, net.securityGroupId, { count: 2, role: 'slave', userData: renderJoinUserData([masterIp]) });
    await launch(ec2, net.privateSubnetId, net.securityGroupId, { count: 2, imageId, role: 'slave' });
    clock.tick(200_000);

    // Act
    const [count] = await run('MesosCluster-CountAgents', [masterId], 5000);

    // Assess
    expect(count).toEqual(['Success', '0\n']);
    expect(cloud.mesosAgents(masterIp)).toEqual([]);
  });

  it('fails count-agents on an instance that runs no Mesos master', async () => {
    // Prepare
    const other = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(110_000);

    // Act
    const [result] = await run('MesosCluster-CountAgents', other.ids, 5000);

    // Assess
    expect(result).toEqual(['Failed', '']);
  });

  describe('the Marathon smoke test app', () => {
    const smoke = (masterId: string, action: string) =>
      run('MesosCluster-MarathonSmokeTest', [masterId], 5000, { SmokeTestAction: [action] });

    it('runs once deployed and an agent has registered, and is absent once removed', async () => {
      // Prepare
      const { masterId, masterIp, imageId } = await masterAndImage();
      await launch(ec2, net.privateSubnetId, net.securityGroupId, { imageId, role: 'slave', userData: renderJoinUserData([masterIp]) });
      clock.tick(200_000);

      // Act
      const before = await smoke(masterId, 'status');
      await smoke(masterId, 'deploy');
      const deploying = await smoke(masterId, 'status');
      clock.tick(30_000);
      const running = await smoke(masterId, 'status');
      await smoke(masterId, 'remove');
      const removed = await smoke(masterId, 'status');

      // Assess
      expect([before, deploying, running, removed]).toEqual([
        [['Success', 'absent\n']],
        [['Success', 'deploying 1 0\n']],
        [['Success', 'running 1\n']],
        [['Success', 'absent\n']],
      ]);
      const [app] = cloud.marathonApps();
      expect(app).toMatchObject({ live: false });
      expect(app?.reportedRunningAt).toBeGreaterThan(app?.deployedAt ?? Number.POSITIVE_INFINITY);
      expect(app?.removedAt).toBeGreaterThan(app?.reportedRunningAt ?? Number.POSITIVE_INFINITY);
    });

    it('lives while a master of its cluster runs, and goes with the masters', async () => {
      // Prepare
      const { masterId } = await masterAndImage();
      await smoke(masterId, 'deploy');
      const live = cloud.marathonApps().map((a) => a.live);

      // Act
      await ec2.send(new TerminateInstancesCommand({ InstanceIds: [masterId] }));
      clock.tick(60_000);

      // Assess
      expect(live).toEqual([true]);
      expect(cloud.marathonApps().map((a) => [a.live, a.removedAt])).toEqual([[false, undefined]]);
    });

    it('never runs without a registered agent, or with an injected task failure, which it reports', async () => {
      // Prepare
      const { masterId, masterIp, imageId } = await masterAndImage();
      await smoke(masterId, 'deploy');
      clock.tick(300_000);
      const noAgent = await smoke(masterId, 'status');
      await launch(ec2, net.privateSubnetId, net.securityGroupId, { imageId, role: 'slave', userData: renderJoinUserData([masterIp]) });
      cloud.failMarathonTasks('Failed to launch container: pull access denied');
      clock.tick(300_000);

      // Act
      const failing = await smoke(masterId, 'status');

      // Assess
      expect(noAgent).toEqual([['Success', 'deploying 1 0\n']]);
      expect(failing).toEqual([['Success', 'deploying 0 0\nlast failure: Failed to launch container: pull access denied\n']]);
    });
  });
});
