import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkInstancesTerminatedStep } from '../../../functions/check-instances-terminated/check-instances-terminated';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(checkInstancesTerminatedStep, input, { ec2: new EC2Client({}) });

describe('check-instances-terminated', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('reports shutting-down instances as remaining', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [
        { Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] },
        { Instances: [{ InstanceId: 'i-2', State: { Name: 'running' } }] },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ done: false, remaining: 2 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
      ],
    });
  });

  it('reports done when every instance is terminated', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ done: true, remaining: 0 });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeInstancesCommand, 1);
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it('counts from the termination time in the StateTransitionReason', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:00:30Z') });
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              { InstanceId: 'i-1', State: { Name: 'shutting-down' }, StateTransitionReason: 'User initiated (2030-01-01 09:00:00 GMT)' },
            ],
          },
        ],
      });
      // Act
      const result = await invokeStep(checkInstancesTerminatedStep, { ...input, budgetSeconds: 1200 }, { ec2: new EC2Client({}) });
      // Assess
      expect(result).toMatchObject({ done: false, remaining: 1, elapsedSeconds: 30, waitSeconds: 3 });
    });
  });
});
