import { CreateImageCommand, DeregisterImageCommand, type EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { type CloudEvent, matchesPattern, SimulatedCloud } from '../../../simulator';
import { buildNetwork, type InstalledClock, installClock, launch, type Network, T0 } from './support';

/** Past the SSM agent's boot (instanceRunningMs 15 s + ssmOnlineMs 90 s of the default model). */
const ONLINE_MS = 105_000;

describe('simulated EventBridge: patterns', () => {
  const event = {
    source: 'aws.ssm',
    'detail-type': 'EC2 Command Status-change Notification',
    resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-1', 'arn:aws:ec2:eu-west-1:123456789012:instance/i-2'],
    detail: { 'command-id': 'c-1', 'document-name': 'MesosCluster-ConfigureMaster', status: 'Success' },
  };

  it('matches literal values, one of several, and nested detail fields', () => {
    // Prepare
    const pattern = { source: ['aws.ssm'], detail: { status: ['Failed', 'Success'], 'document-name': ['MesosCluster-ConfigureMaster'] } };

    // Act
    const matched = matchesPattern(pattern, event);

    // Assess
    expect(matched).toBe(true);
    expect(matchesPattern({ ...pattern, detail: { status: ['Failed'] } }, event)).toBe(false);
    expect(matchesPattern({ source: ['aws.ec2'] }, event)).toBe(false);
  });

  it('matches prefix, anything-but, exists and a value of an array field', () => {
    // Assess
    expect(matchesPattern({ detail: { 'document-name': [{ prefix: 'MesosCluster-' }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['Pending', 'InProgress'] }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { status: [{ 'anything-but': ['Success'] }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { 'instance-id': [{ exists: false }] } }, event)).toBe(true);
    expect(matchesPattern({ detail: { 'instance-id': [{ exists: true }] } }, event)).toBe(false);
    expect(matchesPattern({ detail: { 'instance-id': ['i-1'] } }, event)).toBe(false);
    expect(matchesPattern({ resources: ['arn:aws:ec2:eu-west-1:123456789012:instance/i-2'] }, event)).toBe(true);
  });

  it('refuses a pattern outside the supported subset, naming the field', () => {
    // Prepare
    const cloud = new SimulatedCloud();

    // Act / Assess
    expect(() => cloud.putRule('r', { detail: { status: [{ numeric: ['>', 1] } as never] } }, () => undefined)).toThrow(
      /rule r pattern\.detail\.status: unsupported pattern value/
    );
    expect(() => cloud.putRule('r', { source: [] }, () => undefined)).toThrow(/rule r pattern\.source: an empty array matches nothing/);
    expect(() => cloud.putRule('bad name!', { source: ['aws.ssm'] }, () => undefined)).toThrow(/rule name 'bad name!'/);
  });
});

describe('simulated EventBridge: events of EC2 and Systems Manager', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let ssm: SSMClient;
  let net: Network;
  let got: { at: number; event: CloudEvent }[];

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2, ssm } = cloud.clients());
    net = await buildNetwork(ec2, clock);
    got = [];
  });

  afterEach(() => clock.uninstall());

  /** A rule that records what its target gets, and when. */
  function listen(name: string, pattern: Parameters<SimulatedCloud['putRule']>[1]): void {
    cloud.putRule(name, pattern, (event) => {
      got.push({ at: Date.now() - T0, event });
    });
  }

  async function configureMaster(instanceId: string): Promise<string> {
    const out = await ssm.send(new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureMaster', InstanceIds: [instanceId] }));
    return out.Command?.CommandId as string;
  }

  it('raises no timer and no event while no rule exists', async () => {
    // Prepare
    const before = clock.countTimers();

    // Act
    await launch(ec2, net.publicSubnetId, net.securityGroupId);

    // Assess
    expect(clock.countTimers()).toBe(before);
    expect(cloud.eventDeliveries()).toEqual([]);
  });

  it('delivers EC2 Instance State-change Notifications for pending, running, shutting-down and terminated, a second after each change', async () => {
    // Prepare
    listen('instances', { source: ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'] });
    const launchedAt = Date.now() - T0;
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const id = ids[0] as string;

    // Act
    await clock.tickAsync(60_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [id] }));
    await clock.tickAsync(60_000);

    // Assess
    expect(got.map((g) => [g.event.detail.state, g.at - launchedAt])).toEqual([
      ['pending', 1_000],
      ['running', 16_000],
      ['shutting-down', 61_000],
      ['terminated', 91_000],
    ]);
    const first = got[0]?.event;
    expect(first).toEqual({
      version: '0',
      id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/),
      'detail-type': 'EC2 Instance State-change Notification',
      source: 'aws.ec2',
      account: '123456789012',
      time: new Date(T0 + launchedAt).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: 'eu-west-1',
      resources: [`arn:aws:ec2:eu-west-1:123456789012:instance/${id}`],
      detail: { 'instance-id': id, state: 'pending' },
    });
  });

  it('delivers the command and invocation status changes of a SendCommand, with the documented detail fields', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    const id = ids[0] as string;
    await clock.tickAsync(ONLINE_MS);
    listen('commands', { source: ['aws.ssm'] });
    const sentAt = Date.now() - T0;

    // Act
    const commandId = await configureMaster(id);
    await clock.tickAsync(200_000);

    // Assess: InProgress after the 2 s delivery, Success after the 180 s install, each a second later at the target
    expect(got.map((g) => [g.event['detail-type'], g.event.detail.status, g.at - sentAt])).toEqual([
      ['EC2 Command Invocation Status-change Notification', 'InProgress', 3_000],
      ['EC2 Command Status-change Notification', 'InProgress', 3_000],
      ['EC2 Command Invocation Status-change Notification', 'Success', 183_000],
      ['EC2 Command Status-change Notification', 'Success', 183_000],
    ]);
    const requested = new Date(T0 + sentAt).toISOString();
    expect(got[2]?.event.detail).toEqual({
      'command-id': commandId,
      'document-name': 'MesosCluster-ConfigureMaster',
      'instance-id': id,
      'requested-date-time': requested,
      status: 'Success',
    });
    expect(got[3]?.event.detail).toEqual({
      'command-id': commandId,
      'document-name': 'MesosCluster-ConfigureMaster',
      'expire-after': new Date(T0 + sentAt + 3_600_000).toISOString(),
      parameters: {},
      'requested-date-time': requested,
      status: 'Success',
    });
    expect(got[3]?.event.resources).toEqual([`arn:aws:ec2:eu-west-1:123456789012:instance/${id}`]);
  });

  it('hands a rule only the events its detail pattern names: a failed command (injected fault) and a terminated instance', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId, { count: 2 });
    const [first, second] = ids as [string, string];
    await clock.tickAsync(ONLINE_MS);
    listen('done', {
      source: ['aws.ssm'],
      'detail-type': ['EC2 Command Status-change Notification'],
      detail: { status: ['Success', 'Failed', 'TimedOut', 'Cancelled'] },
    });
    cloud.injectFault({ operation: 'Command:MesosCluster-ConfigureMaster', code: 'Failed', count: 1 });

    // Act
    const failed = await configureMaster(first);
    const interrupted = await configureMaster(second);
    await clock.tickAsync(60_000);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [second] }));
    await clock.tickAsync(200_000);

    // Assess
    expect(got.map((g) => [g.event.detail['command-id'], g.event.detail.status])).toEqual([
      [interrupted, 'Failed'],
      [failed, 'Failed'],
    ]);
  });

  it('delivers EC2 AMI State Change available when the image is, and deregistered', async () => {
    // Prepare
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    await clock.tickAsync(20_000);
    listen('images', { source: ['aws.ec2'], 'detail-type': ['EC2 AMI State Change'] });
    const startedAt = Date.now() - T0;

    // Act
    const image = await ec2.send(new CreateImageCommand({ InstanceId: ids[0], Name: 'mesos-slave-test' }));
    await clock.tickAsync(400_000);
    await ec2.send(new DeregisterImageCommand({ ImageId: image.ImageId }));
    await clock.tickAsync(5_000);

    // Assess
    expect(got.map((g) => [g.event.detail.State, g.at - startedAt])).toEqual([
      ['available', 301_000],
      ['deregistered', 401_000],
    ]);
    expect(got[0]?.event.detail).toEqual({
      RequestId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      ImageId: image.ImageId,
      State: 'available',
      ErrorMessage: '',
    });
    expect(got[0]?.event.resources).toEqual([`arn:aws:ec2:eu-west-1::image/${image.ImageId}`]);
  });
});

describe('simulated EventBridge: delivery faults and retries', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;
  let net: Network;

  beforeEach(async () => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2 } = cloud.clients());
    net = await buildNetwork(ec2, clock);
  });

  afterEach(() => clock.uninstall());

  const INSTANCES = { 'detail-type': ['EC2 Instance State-change Notification'] };

  it('drops the next matching delivery of an injected drop fault: the target never gets it', async () => {
    // Prepare
    const states: unknown[] = [];
    cloud.putRule('instances', INSTANCES, (event) => {
      states.push(event.detail.state);
    });
    cloud.injectEventFault({ kind: 'drop', detailType: 'EC2 Instance State-change Notification', count: 1 });

    // Act
    await launch(ec2, net.publicSubnetId, net.securityGroupId);
    await clock.tickAsync(30_000);

    // Assess
    expect(states).toEqual(['running']);
    expect(cloud.eventDeliveries().map((d) => [d.event.detail.state, d.outcome])).toEqual([
      ['pending', 'dropped'],
      ['running', 'delivered'],
    ]);
  });

  it('delays a delivery by the fault delay, to one rule only', async () => {
    // Prepare
    const at: Record<string, number[]> = { slow: [], fast: [] };
    for (const rule of ['slow', 'fast'])
      cloud.putRule(rule, INSTANCES, () => {
        at[rule]?.push(Date.now() - T0);
      });
    cloud.injectEventFault({ kind: 'delay', rule: 'slow', delayMs: 600_000 });
    const launchedAt = Date.now() - T0;

    // Act
    await launch(ec2, net.publicSubnetId, net.securityGroupId);
    await clock.tickAsync(700_000);

    // Assess
    expect(at.fast?.map((t) => t - launchedAt)).toEqual([1_000, 16_000]);
    expect(at.slow?.map((t) => t - launchedAt)).toEqual([601_000, 616_000]);
  });

  it('calls a failing target again one and three minutes after its first attempt, as Lambda retries an asynchronous invocation', async () => {
    // Prepare
    const attempts: number[] = [];
    cloud.putRule('flaky', { ...INSTANCES, detail: { state: ['pending'] } }, async () => {
      attempts.push(Date.now() - T0);
      if (attempts.length < 3) throw new Error('target unavailable');
    });
    const launchedAt = Date.now() - T0;

    // Act
    await launch(ec2, net.publicSubnetId, net.securityGroupId);
    await clock.tickAsync(300_000);

    // Assess
    expect(attempts.map((t) => t - launchedAt)).toEqual([1_000, 61_000, 181_000]);
    expect(cloud.eventDeliveries()).toEqual([expect.objectContaining({ rule: 'flaky', outcome: 'delivered', attempts: 3 })]);
  });

  it('records a delivery as failed once the retries are spent', async () => {
    // Prepare
    cloud.putRule('broken', { ...INSTANCES, detail: { state: ['running'] } }, () => {
      throw new Error('always down');
    });

    // Act
    await launch(ec2, net.publicSubnetId, net.securityGroupId);
    await clock.tickAsync(600_000);

    // Assess
    expect(cloud.eventDeliveries()).toEqual([
      expect.objectContaining({ rule: 'broken', outcome: 'failed', attempts: 3, error: 'Error: always down' }),
    ]);
  });
});
