import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkInstancesGoneStep } from '../../../functions/check-instances-gone/check-instances-gone';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}) };
const input = { clusterId: 'c-1234', instanceIds: ['i-s2', 'i-s4'] };

describe('check-instances-gone', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('counts the given instances that are not terminated yet', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstancesCommand)
      .resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-s4', State: { Name: 'shutting-down' } }] }] });
    // Act
    const result = await invokeStep(checkInstancesGoneStep, input, clients);
    // Assess
    expect(result).toEqual({ done: false, remaining: 1 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInstancesCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1234'] },
        { Name: 'instance-id', Values: ['i-s2', 'i-s4'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'shutting-down', 'stopping', 'stopped'] },
      ],
    });
  });

  it('is done when none is left, including ids EC2 no longer shows', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    // Act
    const result = await invokeStep(checkInstancesGoneStep, input, clients);
    // Assess
    expect(result).toEqual({ done: true, remaining: 0 });
  });

  it('is done at once for no instances, calling nothing', async () => {
    // Act
    const result = await invokeStep(checkInstancesGoneStep, { ...input, instanceIds: [] }, clients);
    // Assess
    expect(result).toEqual({ done: true, remaining: 0 });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeInstancesCommand);
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it('counts from the termination time in the StateTransitionReason (ISO form too)', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:01:00Z') });
      ec2Mock.on(DescribeInstancesCommand).resolves({
        Reservations: [
          {
            Instances: [
              { InstanceId: 'i-s2', State: { Name: 'shutting-down' }, StateTransitionReason: 'User initiated (2030-01-01T09:00:00.000Z)' },
            ],
          },
        ],
      });
      // Act
      const result = await invokeStep(checkInstancesGoneStep, { ...input, budgetSeconds: 600 }, clients);
      // Assess
      expect(result).toMatchObject({ done: false, remaining: 1, elapsedSeconds: 60, waitSeconds: 6 });
    });
  });
});
