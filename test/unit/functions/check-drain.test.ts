import { EC2Client } from '@aws-sdk/client-ec2';
import { GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { checkDrainStep } from '../../../functions/check-drain/check-drain';
import { invokeStep } from '../../../functions/shared/step';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const input = { clusterId: 'c-1234', instanceId: 'i-m1', commandId: 'cmd-l', agentIps: ['10.0.1.22', '10.0.1.24'] };

describe('check-drain', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('counts the tasks still on the drained agents', async () => {
    // Prepare
    ssmMock
      .on(GetCommandInvocationCommand)
      .resolves({ Status: 'Success', StandardOutputContent: '10.0.1.21 9\n10.0.1.22 2\n10.0.1.24 1\n' });
    // Act
    const result = await invokeStep(checkDrainStep, input, clients);
    // Assess
    expect(result).toEqual({ drained: false, remainingTasks: 3 });
    expect(ssmMock).toHaveReceivedCommandWith(GetCommandInvocationCommand, { CommandId: 'cmd-l', InstanceId: 'i-m1' });
  });

  it('reports drained when the agents run nothing or are no longer registered', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: '10.0.1.21 9\n10.0.1.22 0\n' });
    // Act
    const result = await invokeStep(checkDrainStep, input, clients);
    // Assess
    expect(result).toEqual({ drained: true, remainingTasks: 0 });
  });

  it('throws NotReadyError while the agent-load query runs', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Pending' });
    // Act
    const run = invokeStep(checkDrainStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'NotReadyError', message: expect.stringContaining('cmd-l') });
  });

  it('throws FatalError when the query failed', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'TimedOut', ResponseCode: -1 });
    // Act
    const run = invokeStep(checkDrainStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('TimedOut') });
  });
});
