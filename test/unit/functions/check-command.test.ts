import { EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkCommandStep } from '../../../functions/check-command/check-command';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', clusterName: 'demo', commandId: 'cmd-1', instanceIds: ['i-1', 'i-2'] };

describe('check-command', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('reports done when the command succeeded on every instance', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0 });
    // Act
    const result = await invokeStep(checkCommandStep, input, clients);
    // Assess
    expect(result).toEqual({ done: true });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: 'i-1' });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-1', InstanceId: 'i-2' });
  });

  it.each(['Pending', 'InProgress', 'Delayed'])('reports not done while an invocation is %s', async (status) => {
    // Prepare
    ssmMock
      .on(GetCommandInvocationCommand, { InstanceId: 'i-1' })
      .resolves({ Status: 'Success' })
      .on(GetCommandInvocationCommand, { InstanceId: 'i-2' })
      .resolves({ Status: status as 'Pending' });
    // Act
    const result = await invokeStep(checkCommandStep, input, clients);
    // Assess
    expect(result).toEqual({ done: false });
    expect(ssmMock).toHaveReceivedCommandTimes(GetCommandInvocationCommand, 2);
  });

  it('reports not done while the invocation does not exist yet (InvocationDoesNotExist)', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
    // Act
    const result = await invokeStep(checkCommandStep, input, clients);
    // Assess
    expect(result).toEqual({ done: false });
  });

  it('throws FatalError naming the instance, status, exit code and the end of stderr when the command failed', async () => {
    // Prepare
    const stderr = `${'x'.repeat(1000)}E: Unable to locate package mesos\n`;
    ssmMock
      .on(GetCommandInvocationCommand, { InstanceId: 'i-1' })
      .resolves({ Status: 'InProgress' })
      .on(GetCommandInvocationCommand, { InstanceId: 'i-2' })
      .resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 100, StandardErrorContent: stderr });
    // Act
    const error = await invokeStep(checkCommandStep, input, clients).catch((err: Error) => err);
    // Assess
    expect(error).toMatchObject({ name: 'FatalError' });
    const { message } = error as Error;
    expect(message).toMatch(/^check-command: command cmd-1 on i-2: Failed, exit code 100, stderr: x+E: Unable to locate package mesos$/);
    expect(message.length).toBeLessThan(300 + 100);
  });

  it.each([
    ['TimedOut', 'Delivery Timed Out'],
    ['TimedOut', 'Execution Timed Out'],
    ['Cancelled', 'Cancelled'],
    ['Failed', 'Undeliverable'],
  ])('throws FatalError on %s (%s)', async (status, details) => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: status as 'Failed', StatusDetails: details, ResponseCode: -1 });
    // Act
    const run = invokeStep(checkCommandStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining(`on i-1: ${status}`) });
    await expect(run).rejects.toMatchObject({ message: expect.stringContaining(details) });
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it('counts from the earliest start of the invocations', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:03:20Z') });
      ssmMock
        .on(GetCommandInvocationCommand, { InstanceId: 'i-1' })
        .resolves({ Status: 'InProgress', ExecutionStartDateTime: '2030-01-01T09:00:00.000Z' })
        .on(GetCommandInvocationCommand, { InstanceId: 'i-2' })
        .resolves({ Status: 'Pending', ExecutionStartDateTime: '' });
      // Act
      const result = await invokeStep(checkCommandStep, { ...input, budgetSeconds: 1800 }, clients);
      // Assess
      expect(result).toMatchObject({ done: false, elapsedSeconds: 200, waitSeconds: 20, timedOut: false });
    });

    it('times out with the minutes waited and the budget', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:30:00Z') });
      ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress', ExecutionStartDateTime: '2030-01-01T09:00:00.000Z' });
      // Act
      const result = await invokeStep(checkCommandStep, { ...input, budgetSeconds: 1800 }, clients);
      // Assess
      expect(result).toMatchObject({ done: false, timedOut: true, waited: 'after 30 min of a 30 min budget' });
    });
  });
});
