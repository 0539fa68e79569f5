import { DescribeInstancesCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { launchInstancesStep } from '../../../functions/launch-instances/launch-instances';
import type { LaunchInstancesInput } from '../../../functions/shared/contracts';
import { clientToken } from '../../../functions/shared/idempotency';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };

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

  it('throws RetryableError when EC2 throttles the launch', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(awsError('RequestLimitExceeded'));
    // Act
    const run = invokeStep(launchInstancesStep, masters, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('RequestLimitExceeded') });
  });
});
