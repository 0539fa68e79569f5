import { DescribeInstancesCommand, DescribeVpcsCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { launchInstancesStep } from '../../../functions/launch-instances/launch-instances';
import type { LaunchInstancesInput } from '../../../functions/shared/contracts';
import { clientToken } from '../../../functions/shared/idempotency';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';
import { clusterVpc, vpcFilters } from './deleting-vpc';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };

const masters: LaunchInstancesInput = {
  clusterId: 'c-1234',
  clusterName: 'demo',
  role: 'master',
  count: 3,
  instanceType: 't3.medium',
  imageId: 'ami-ubuntu',
  subnetId: 'subnet-priv',
  securityGroupId: 'sg-master',
};

const slaves: LaunchInstancesInput = {
  ...masters,
  role: 'slave',
  count: 2,
  imageId: 'ami-baked',
  securityGroupId: 'sg-slave',
  masterIps: ['10.0.1.10', '10.0.1.11', '10.0.1.12'],
};

const clusterTags = (role: string) =>
  expect.arrayContaining([
    { Key: 'mesos-cluster:id', Value: 'c-1234' },
    { Key: 'mesos-cluster:name', Value: 'demo' },
    { Key: 'mesos-cluster:role', Value: role },
  ]);

describe('launch-instances', () => {
  beforeEach(() => {
    ec2Mock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  });

  it('launches all masters with one RunInstances call, tagged, encrypted and IMDSv2-only', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({
      Instances: [
        { InstanceId: 'i-1', PrivateIpAddress: '10.0.1.10' },
        { InstanceId: 'i-2', PrivateIpAddress: '10.0.1.11' },
        { InstanceId: 'i-3', PrivateIpAddress: '10.0.1.12' },
      ],
    });
    // Act
    const result = await invokeStep(launchInstancesStep, masters, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-1', 'i-2', 'i-3'], privateIps: ['10.0.1.10', '10.0.1.11', '10.0.1.12'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(RunInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, {
      MinCount: 3,
      MaxCount: 3,
      ClientToken: clientToken('c-1234', 'launch-instances/master'),
      ImageId: 'ami-ubuntu',
      InstanceType: 't3.medium',
      SubnetId: 'subnet-priv',
      SecurityGroupIds: ['sg-master'],
      IamInstanceProfile: { Name: 'mesos-cluster-node' },
      MetadataOptions: { HttpTokens: 'required', HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: expect.objectContaining({ VolumeType: 'gp3', Encrypted: true, VolumeSize: 20 }) },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: clusterTags('master') },
        { ResourceType: 'volume', Tags: clusterTags('master') },
      ],
    });
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(input?.UserData).toBeUndefined();
  });

  it('looks up earlier instances by client token before launching', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1', PrivateIpAddress: '10.0.1.10' }] });
    // Act
    await invokeStep(launchInstancesStep, { ...masters, count: 1 }, clients);
    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'client-token', Values: [clientToken('c-1234', 'launch-instances/master')] },
        { Name: 'instance-state-name', Values: expect.not.arrayContaining(['terminated', 'shutting-down']) },
      ],
    });
  });

  it('gives slaves user data that joins the masters through ZooKeeper', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({
      Instances: [
        { InstanceId: 'i-s1', PrivateIpAddress: '10.0.1.20' },
        { InstanceId: 'i-s2', PrivateIpAddress: '10.0.1.21' },
      ],
    });
    // Act
    const result = await invokeStep(launchInstancesStep, slaves, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-s1', 'i-s2'], privateIps: ['10.0.1.20', '10.0.1.21'] });
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, {
      MinCount: 2,
      MaxCount: 2,
      ImageId: 'ami-baked',
      ClientToken: clientToken('c-1234', 'launch-instances/slave'),
      TagSpecifications: [
        { ResourceType: 'instance', Tags: clusterTags('slave') },
        { ResourceType: 'volume', Tags: clusterTags('slave') },
      ],
    });
    const userData = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.UserData ?? '';
    const script = Buffer.from(userData, 'base64').toString('utf8');
    expect(script).toContain("'zk://10.0.1.10:2181,10.0.1.11:2181,10.0.1.12:2181/mesos'");
    expect(script.startsWith('#!/bin/bash')).toBe(true);
  });

  it('returns the instances of an earlier run without launching again', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        {
          Instances: [
            { InstanceId: 'i-2', PrivateIpAddress: '10.0.1.11', AmiLaunchIndex: 1 },
            { InstanceId: 'i-1', PrivateIpAddress: '10.0.1.10', AmiLaunchIndex: 0 },
          ],
        },
      ],
    });
    // Act
    const result = await invokeStep(launchInstancesStep, { ...masters, count: 2 }, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-1', 'i-2'], privateIps: ['10.0.1.10', '10.0.1.11'] });
    expect(ec2Mock).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('launches a scale-out under its own token, so an earlier launch of the role is not returned', async () => {
    // Prepare
    const token = clientToken('c-1234', 'launch-instances/slave/scale-exec-7');
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-s9', PrivateIpAddress: '10.0.1.29' }] });
    // Act
    const result = await invokeStep(launchInstancesStep, { ...slaves, count: 1, tokenSuffix: 'scale-exec-7' }, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-s9'], privateIps: ['10.0.1.29'] });
    expect(token).not.toBe(clientToken('c-1234', 'launch-instances/slave'));
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: expect.arrayContaining([{ Name: 'client-token', Values: [token] }]),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, { ClientToken: token, MinCount: 1, MaxCount: 1 });
  });

  it('launches nothing and calls nothing when the count is 0', async () => {
    // Act
    const result = await invokeStep(launchInstancesStep, { ...slaves, count: 0 }, clients);
    // Assess
    expect(result).toEqual({ instanceIds: [], privateIps: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('throws FatalError when slaves are launched without master IPs', async () => {
    // Act
    const run = invokeStep(launchInstancesStep, { ...slaves, masterIps: undefined }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('masterIps') });
    expect(ec2Mock).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('throws CapacityError when EC2 has no capacity for the instance type', async () => {
    // Prepare
    ec2Mock
      .on(RunInstancesCommand)
      .rejects(awsError('InsufficientInstanceCapacity', 'We currently do not have sufficient t3.medium capacity'));
    // Act
    const run = invokeStep(launchInstancesStep, masters, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'CapacityError',
      message: expect.stringMatching(/^launch-instances: InsufficientInstanceCapacity: .*t3\.medium/),
    });
  });

  it.each(['VcpuLimitExceeded', 'InstanceLimitExceeded', 'InvalidParameterValue'])('throws FatalError on %s', async (code) => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(awsError(code, 'refused'));
    // Act
    const run = invokeStep(launchInstancesStep, masters, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining(`${code}: `) });
    expect(ec2Mock).toHaveReceivedCommandTimes(RunInstancesCommand, 1);
  });

  it('spreads the instances round-robin over the subnets with one RunInstances call and one ClientToken per subnet', async () => {
    // Prepare
    const subnetIds = ['subnet-a', 'subnet-b', 'subnet-c'];
    ec2Mock.on(RunInstancesCommand).callsFake((call: { SubnetId: string; MaxCount: number }) => ({
      Instances: Array.from({ length: call.MaxCount }, (_, i) => ({
        InstanceId: `i-${call.SubnetId.slice(-1)}${i}`,
        PrivateIpAddress: `10.0.${call.SubnetId.slice(-1) === 'a' ? 1 : call.SubnetId.slice(-1) === 'b' ? 2 : 3}.${10 + i}`,
        AmiLaunchIndex: i,
      })),
    }));
    // Act
    const result = await invokeStep(launchInstancesStep, { ...masters, count: 5, subnetId: undefined, subnetIds }, clients);
    // Assess
    expect(result).toEqual({
      instanceIds: ['i-a0', 'i-b0', 'i-c0', 'i-a1', 'i-b1'],
      privateIps: ['10.0.1.10', '10.0.2.10', '10.0.3.10', '10.0.1.11', '10.0.2.11'],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(RunInstancesCommand, 3);
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, {
      SubnetId: 'subnet-a',
      MinCount: 2,
      MaxCount: 2,
      ClientToken: clientToken('c-1234', 'launch-instances/master/subnet-a'),
    });
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, {
      SubnetId: 'subnet-c',
      MinCount: 1,
      MaxCount: 1,
      ClientToken: clientToken('c-1234', 'launch-instances/master/subnet-c'),
    });
  });

  it('launches only the shares an earlier run did not, and calls nothing for a subnet without a share', async () => {
    // Prepare
    const subnetIds = ['subnet-a', 'subnet-b', 'subnet-c'];
    const launchedBefore = clientToken('c-1234', 'launch-instances/slave/subnet-a');
    ec2Mock.on(DescribeInstancesCommand).callsFake((call: { Filters: { Name: string; Values: string[] }[] }) => {
      const token = call.Filters.find((f) => f.Name === 'client-token')?.Values[0];
      if (token !== launchedBefore) return { Reservations: [] };
      return { Reservations: [{ Instances: [{ InstanceId: 'i-a0', PrivateIpAddress: '10.0.1.10', AmiLaunchIndex: 0 }] }] };
    });
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-b0', PrivateIpAddress: '10.0.2.10' }] });
    // Act
    const result = await invokeStep(launchInstancesStep, { ...slaves, subnetId: undefined, subnetIds }, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-a0', 'i-b0'], privateIps: ['10.0.1.10', '10.0.2.10'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(RunInstancesCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, { SubnetId: 'subnet-b', MinCount: 1, MaxCount: 1 });
    expect(ec2Mock).not.toHaveReceivedCommandWith(RunInstancesCommand, { SubnetId: 'subnet-c' });
  });

  it('throws FatalError when no subnet is given', async () => {
    // Act
    const run = invokeStep(launchInstancesStep, { ...masters, subnetId: undefined }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: 'launch-instances: subnetIds (or subnetId) is required' });
    expect(ec2Mock).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('throws RetryableError when EC2 throttles the launch', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(awsError('RequestLimitExceeded'));
    // Act
    const run = invokeStep(launchInstancesStep, masters, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('RequestLimitExceeded') });
  });

  it.each([
    ['master', masters],
    ['slave', slaves],
  ])('throws FatalError and launches no %s when the cluster is being deleted (DELETE_IN_PROGRESS)', async (role, launch) => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1234'));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const run = invokeStep(launchInstancesStep, launch, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: `launch-instances: cluster c-1234 is being deleted (DELETE_IN_PROGRESS); launch-instances (${role}) refused`,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeVpcsCommand, { Filters: vpcFilters('c-1234') });
    expect(ec2Mock).not.toHaveReceivedCommand(RunInstancesCommand);
  });

  it('launches when the cluster VPC carries another status (CREATE_COMPLETE)', async () => {
    // Prepare
    ec2Mock.on(DescribeVpcsCommand).resolves(clusterVpc('c-1234', 'CREATE_COMPLETE'));
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(RunInstancesCommand).resolves({
      Instances: [
        { InstanceId: 'i-1', PrivateIpAddress: '10.0.1.20' },
        { InstanceId: 'i-2', PrivateIpAddress: '10.0.1.21' },
      ],
    });
    // Act
    const result = await invokeStep(launchInstancesStep, slaves, clients);
    // Assess
    expect(result).toEqual({ instanceIds: ['i-1', 'i-2'], privateIps: ['10.0.1.20', '10.0.1.21'] });
    expect(ec2Mock).toHaveReceivedCommandWith(RunInstancesCommand, { MinCount: 2, MaxCount: 2 });
  });
});
