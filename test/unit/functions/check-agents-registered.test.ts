import { EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkAgentsRegisteredStep } from '../../../functions/check-agents-registered/check-agents-registered';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };
const input = { clusterId: 'c-1234', clusterName: 'demo', commandId: 'cmd-q', instanceId: 'i-m1', expected: 3 };

describe('check-agents-registered', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('reports ready when the master counts the expected agents', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '3\n' });
    // Act
    const result = await invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    expect(result).toEqual({ registered: 3, ready: true, commandId: 'cmd-q' });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-q', InstanceId: 'i-m1' });
  });

  it('reports not ready when fewer agents are registered', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: 'querying master\n1\n' });
    // Act
    const result = await invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    expect(result).toEqual({ registered: 1, ready: false, commandId: 'cmd-q' });
    // Without a budget the machine decides what comes next: no new query.
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it.each(['Pending', 'InProgress', 'Delayed'])('throws NotReadyError while the query is %s', async (status) => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: status as 'Pending' });
    // Act
    const run = invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'NotReadyError', message: expect.stringContaining(status) });
  });

  it('throws NotReadyError while the invocation does not exist yet (InvocationDoesNotExist)', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
    // Act
    const run = invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'NotReadyError', message: expect.stringContaining('cmd-q') });
  });

  it('throws FatalError when the output is not a count', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: 'curl: (7) Failed to connect' });
    // Act
    const run = invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('printed no agent count') });
  });

  it('throws FatalError with the status when the query failed', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Failed', ResponseCode: 7, StandardErrorContent: 'connection refused' });
    // Act
    const run = invokeStep(checkAgentsRegisteredStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(/cmd-q on i-m1: Failed, exit code 7, stderr: connection refused/),
    });
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it("counts from the loop's since (the slaves' launch) and answers when to query again", async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:02:00Z') });
      ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '2\n' });
      ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-next' } });
      // Act
      const result = await invokeStep(
        checkAgentsRegisteredStep,
        { ...input, budgetSeconds: 600, since: '2030-01-01T09:00:00.000Z' },
        clients
      );
      // Assess
      expect(result).toMatchObject({ registered: 2, ready: false, elapsedSeconds: 120, waitSeconds: 12, timedOut: false });
    });

    it('sends the next query when the count falls short, and answers its id for the next check', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:02:00Z') });
      ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '2\n' });
      ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-next' } });
      // Act
      const result = await invokeStep(
        checkAgentsRegisteredStep,
        { ...input, budgetSeconds: 600, since: '2030-01-01T09:00:00.000Z' },
        clients
      );
      // Assess
      expect(result).toMatchObject({ registered: 2, ready: false, commandId: 'cmd-next', waitSeconds: 12, timedOut: false });
      expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
      expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, { InstanceIds: ['i-m1'], Comment: 'c-1234/check-agents-registered' });
    });

    it.each(['Pending', 'InProgress', 'Delayed'])(
      'answers the same query to read again while it is %s (no error, no new query)',
      async (status) => {
        // Prepare
        jest.useFakeTimers({ now: Date.parse('2030-01-01T09:02:00Z') });
        ssmMock.on(GetCommandInvocationCommand).resolves({ Status: status as 'Pending' });
        // Act
        const result = await invokeStep(
          checkAgentsRegisteredStep,
          { ...input, budgetSeconds: 600, since: '2030-01-01T09:00:00.000Z' },
          clients
        );
        // Assess
        expect(result).toMatchObject({ ready: false, commandId: 'cmd-q', waitSeconds: 12, timedOut: false });
        expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
      }
    );

    it('answers the same query while SSM does not show it yet (InvocationDoesNotExist)', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:00:05Z') });
      ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));
      // Act
      const result = await invokeStep(
        checkAgentsRegisteredStep,
        { ...input, budgetSeconds: 600, since: '2030-01-01T09:00:00.000Z' },
        clients
      );
      // Assess
      expect(result).toMatchObject({ ready: false, commandId: 'cmd-q', waitSeconds: 2, timedOut: false });
    });

    it('sends no query past its budget and reports timedOut with the time waited', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:25:00Z') });
      ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '1\n' });
      // Act
      const result = await invokeStep(
        checkAgentsRegisteredStep,
        { ...input, budgetSeconds: 1500, since: '2030-01-01T09:00:00.000Z' },
        clients
      );
      // Assess
      expect(result).toMatchObject({ registered: 1, ready: false, timedOut: true, waited: 'after 25 min of a 25 min budget' });
      expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
    });
  });
});
