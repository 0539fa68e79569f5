import {
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  GetMetricStatisticsCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
  PutMetricDataCommand,
  SetAlarmStateCommand,
} from '@aws-sdk/client-cloudwatch';
import {
  AllocateAddressCommand,
  DescribeAccountAttributesCommand,
  DescribeAvailabilityZonesCommand,
  DescribeImagesCommand,
  DescribeInstancesCommand,
  DescribeNetworkInterfacesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { GetParameterCommand, ListCommandInvocationsCommand, SendCommandCommand } from '@aws-sdk/client-ssm';
import { SimulatedCloud, supportedOperations } from '../../../simulator';
import { addNat, buildNetwork, errorOf, type InstalledClock, installClock, launch, T0 } from './support';

describe('simulated operation catalogue', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let ec2: EC2Client;

  beforeEach(() => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ ec2 } = cloud.clients({ maxAttempts: 1 }));
  });

  afterEach(() => clock.uninstall());

  it('answers every operation the workflows use', () => {
    // Act
    const operations = supportedOperations();

    // Assess
    expect(operations.ec2).toEqual(
      expect.arrayContaining([
        'CreateVpc',
        'RunInstances',
        'CreateNatGateway',
        'DescribeNetworkInterfaces',
        'CreateTags',
        'DeleteTags',
        'DeleteSnapshot',
      ])
    );
    expect(operations.ssm).toEqual(
      expect.arrayContaining([
        'GetParameter',
        'DescribeInstanceInformation',
        'SendCommand',
        'ListCommands',
        'GetCommandInvocation',
        'ListCommandInvocations',
      ])
    );
    expect(operations.cloudwatch).toEqual(
      expect.arrayContaining(['PutMetricAlarm', 'DescribeAlarms', 'DeleteAlarms', 'SetAlarmState', 'PutMetricData', 'GetMetricStatistics'])
    );
  });

  it('resolves Canonical Ubuntu parameters to public images that DescribeImages knows', async () => {
    // Prepare
    const { ssm } = cloud.clients({ maxAttempts: 1 });
    const name = (release: string) => `/aws/service/canonical/ubuntu/server/${release}/stable/current/amd64/hvm/ebs-gp3/ami-id`;

    // Act
    const noble = await ssm.send(new GetParameterCommand({ Name: name('24.04') }));
    const jammy = await ssm.send(new GetParameterCommand({ Name: name('22.04') }));
    const images = await ec2.send(
      new DescribeImagesCommand({ ImageIds: [noble.Parameter?.Value as string, jammy.Parameter?.Value as string] })
    );
    const own = await ec2.send(new DescribeImagesCommand({ Owners: ['self'] }));
    const missing = await errorOf(() => ssm.send(new GetParameterCommand({ Name: name('18.04') })));

    // Assess
    expect(images.Images?.map((i) => [i.State, i.OwnerId, i.Architecture])).toEqual([
      ['available', '099720109477', 'x86_64'],
      ['available', '099720109477', 'x86_64'],
    ]);
    expect(images.Images?.[0]?.Name).toContain('24.04');
    expect(own.Images).toEqual([]);
    expect(missing.name).toBe('ParameterNotFound');
  });

  it('lists the three zones of the Region', async () => {
    // Act
    const out = await ec2.send(new DescribeAvailabilityZonesCommand({ Filters: [{ Name: 'state', Values: ['available'] }] }));

    // Assess
    expect(out.AvailabilityZones?.map((z) => [z.ZoneName, z.ZoneId])).toEqual([
      ['eu-west-1a', 'euw1-az1'],
      ['eu-west-1b', 'euw1-az2'],
      ['eu-west-1c', 'euw1-az3'],
    ]);
  });

  it('reports the Elastic IP quota that AllocateAddress enforces', async () => {
    // Prepare
    for (let i = 0; i < 5; i++) await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));

    // Act
    const out = await ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['vpc-max-elastic-ips' as never] }));
    const over = await errorOf(() => ec2.send(new AllocateAddressCommand({ Domain: 'vpc' })));
    const unknown = await errorOf(() => ec2.send(new DescribeAccountAttributesCommand({ AttributeNames: ['no-such-attribute' as never] })));

    // Assess
    expect(out.AccountAttributes).toEqual([{ AttributeName: 'vpc-max-elastic-ips', AttributeValues: [{ AttributeValue: '5' }] }]);
    expect(over.name).toBe('AddressLimitExceeded');
    expect(unknown.name).toBe('InvalidParameterValue');
  });

  it('describes instance and NAT network interfaces by subnet, VPC and security group', async () => {
    // Prepare
    const net = await buildNetwork(ec2, clock);
    const nat = await addNat(ec2, clock, net);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);

    // Act
    const inSubnet = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'subnet-id', Values: [net.publicSubnetId] }] })
    );
    const inGroup = await ec2.send(
      new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'group-id', Values: [net.securityGroupId] }] })
    );
    const inVpc = await ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));

    // Assess
    expect(inSubnet.NetworkInterfaces?.map((eni) => [eni.InterfaceType, eni.RequesterManaged])).toEqual([
      ['interface', false],
      ['nat_gateway', true],
    ]);
    expect(inSubnet.NetworkInterfaces?.[1]?.Description).toBe(`Interface for NAT Gateway ${nat.natGatewayId}`);
    expect(inGroup.NetworkInterfaces?.map((eni) => eni.Attachment?.InstanceId)).toEqual(ids);
    expect(inVpc.NetworkInterfaces).toHaveLength(2);
  });

  it('gives instances their subnet addresses, public addresses once running, and no undefined members', async () => {
    // Prepare
    const net = await buildNetwork(ec2, clock);
    const pub = await launch(ec2, net.publicSubnetId, net.securityGroupId, { count: 2 });
    const priv = await launch(ec2, net.privateSubnetId, net.securityGroupId);
    clock.tick(15_000);

    // Act
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [...pub.ids, ...priv.ids] }));
    const instances = (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);

    // Assess
    expect(pub.ips).toEqual(['172.28.128.4', '172.28.128.5']);
    expect(priv.ips).toEqual(['172.28.129.4']);
    expect(instances.map((i) => i.PublicIpAddress !== undefined)).toEqual([true, true, false]);
    expect(Object.values(instances[2] ?? {}).includes(undefined)).toBe(false);
    expect(instances[0]?.MetadataOptions?.HttpTokens).toBe('optional');
  });

  it('lists command invocations with plugin details after the consistency window', async () => {
    // Prepare
    const { ssm } = cloud.clients({ maxAttempts: 1 });
    const net = await buildNetwork(ec2, clock);
    const { ids } = await launch(ec2, net.publicSubnetId, net.securityGroupId);
    clock.tick(105_000);
    const sent = await ssm.send(
      new SendCommandCommand({ DocumentName: 'MesosCluster-ConfigureSlave', InstanceIds: ids, Comment: 'template' })
    );

    // Act
    clock.tick(125_000);
    const out = await ssm.send(new ListCommandInvocationsCommand({ CommandId: sent.Command?.CommandId, Details: true }));

    // Assess
    expect(out.CommandInvocations?.map((i) => [i.InstanceId, i.Status, i.Comment])).toEqual([[ids[0], 'Success', 'template']]);
    expect(out.CommandInvocations?.[0]?.CommandPlugins?.[0]).toMatchObject({
      Name: 'aws:runShellScript',
      Status: 'Success',
      ResponseCode: 0,
    });
  });

  describe('CloudWatch', () => {
    const alarm: PutMetricAlarmCommandInput = {
      AlarmName: 'c-1-scale-out',
      MetricName: 'CpusUsedPercent',
      Namespace: 'MesosCluster',
      Dimensions: [{ Name: 'ClusterId', Value: 'c-1' }],
      Statistic: 'Average',
      Period: 60,
      EvaluationPeriods: 3,
      Threshold: 75,
      ComparisonOperator: 'GreaterThanThreshold',
      AlarmActions: [],
    };

    it('creates, describes by prefix, sets the state of and deletes alarms', async () => {
      // Prepare
      const { cloudwatch } = cloud.clients({ maxAttempts: 1 });
      await cloudwatch.send(new PutMetricAlarmCommand(alarm));
      await cloudwatch.send(
        new PutMetricAlarmCommand({ ...alarm, AlarmName: 'c-1-scale-in', ComparisonOperator: 'LessThanThreshold', Threshold: 20 })
      );
      await cloudwatch.send(new PutMetricAlarmCommand({ ...alarm, AlarmName: 'c-2-scale-out' }));

      // Act
      await cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'c-1-scale-out', StateValue: 'ALARM', StateReason: 'test' }));
      const byPrefix = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'c-1-' }));
      await cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: ['c-1-scale-out', 'c-1-scale-in'] }));
      const left = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: ['c-1-scale-out', 'c-2-scale-out'] }));
      const unknown = await errorOf(() =>
        cloudwatch.send(new SetAlarmStateCommand({ AlarmName: 'c-1-scale-out', StateValue: 'OK', StateReason: 'x' }))
      );

      // Assess
      expect(byPrefix.MetricAlarms?.map((a) => [a.AlarmName, a.StateValue])).toEqual([
        ['c-1-scale-out', 'ALARM'],
        ['c-1-scale-in', 'INSUFFICIENT_DATA'],
      ]);
      expect(left.MetricAlarms?.map((a) => a.AlarmName)).toEqual(['c-2-scale-out']);
      expect(unknown.name).toBe('ResourceNotFound');
    });

    it('aggregates put metric data into statistics per period', async () => {
      // Prepare
      const { cloudwatch } = cloud.clients({ maxAttempts: 1 });
      const dimensions = [{ Name: 'ClusterId', Value: 'c-1' }];
      for (const [offset, value] of [
        [0, 10],
        [30_000, 30],
        [60_000, 90],
      ] as const) {
        await cloudwatch.send(
          new PutMetricDataCommand({
            Namespace: 'MesosCluster',
            MetricData: [{ MetricName: 'CpusUsedPercent', Dimensions: dimensions, Value: value, Timestamp: new Date(T0 + offset) }],
          })
        );
      }

      // Act
      const out = await cloudwatch.send(
        new GetMetricStatisticsCommand({
          Namespace: 'MesosCluster',
          MetricName: 'CpusUsedPercent',
          Dimensions: dimensions,
          StartTime: new Date(T0),
          EndTime: new Date(T0 + 120_000),
          Period: 60,
          Statistics: ['Average', 'Maximum'],
        })
      );

      // Assess
      expect(out.Datapoints?.map((d) => [d.Timestamp?.getTime(), d.Average, d.Maximum])).toEqual([
        [T0, 20, 30],
        [T0 + 60_000, 90, 90],
      ]);
    });
  });
});
