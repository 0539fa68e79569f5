import { EC2Client } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { drainSlavesStep } from '../../../functions/drain-slaves/drain-slaves';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };
const input = { clusterId: 'c-1234', executionId: 'exec-1', instanceId: 'i-m1', agentIps: ['10.0.1.22', '10.0.1.24'] };

describe('drain-slaves', () => {
  beforeEach(() => {
    ssmMock.reset();
    ssmMock.on(ListCommandsCommand).resolves({ Commands: [] });
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-d' } });
  });

  it('sends the drain-agents document with the agents to the master', async () => {
    // Act
    const result = await invokeStep(drainSlavesStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-d' });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-DrainAgents',
      InstanceIds: ['i-m1'],
      Parameters: { AgentIps: ['10.0.1.22,10.0.1.24'] },
      Comment: expect.stringMatching(/^c-1234\/drain-slaves\/[0-9a-f]{12}$/),
    });
  });

  it('reuses the command of an earlier run of the same drain', async () => {
    // Prepare
    await invokeStep(drainSlavesStep, input, clients);
    const comment = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input.Comment;
    ssmMock
      .on(ListCommandsCommand)
      .resolves({ Commands: [{ CommandId: 'cmd-d', Comment: comment, DocumentName: 'MesosCluster-DrainAgents', Status: 'Success' }] });
    // Act
    const result = await invokeStep(drainSlavesStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-d' });
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    expect(ssmMock).toHaveReceivedCommandWith(ListCommandsCommand, { InstanceId: 'i-m1' });
  });

  it('gives another drain (other agents or execution) its own command', async () => {
    // Act
    await invokeStep(drainSlavesStep, input, clients);
    await invokeStep(drainSlavesStep, { ...input, agentIps: ['10.0.1.21'] }, clients);
    await invokeStep(drainSlavesStep, { ...input, executionId: 'exec-2' }, clients);
    // Assess
    const comments = ssmMock.commandCalls(SendCommandCommand).map((c) => c.args[0].input.Comment);
    expect(new Set(comments).size).toBe(3);
  });

  it('clears the maintenance schedule with an empty list', async () => {
    // Act
    await invokeStep(drainSlavesStep, { ...input, agentIps: [] }, clients);
    // Assess
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, { Parameters: { AgentIps: [''] } });
  });

  it('throws FatalError on an address that is not IPv4, sending nothing', async () => {
    // Act
    const run = invokeStep(drainSlavesStep, { ...input, agentIps: ['10.0.1.22;reboot'] }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('10.0.1.22;reboot') });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('throws RetryableError when the master agent is not online', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(awsError('InvalidInstanceId'));
    // Act
    const run = invokeStep(drainSlavesStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
