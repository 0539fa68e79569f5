import { EC2Client } from '@aws-sdk/client-ec2';
import { ListCommandsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { queryAgentsStep } from '../../../functions/query-agents/query-agents';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };
const input = { clusterId: 'c-1234', clusterName: 'demo', instanceId: 'i-m1' };

describe('query-agents', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('sends the count-agents document to the master', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-q' } });
    jest.useFakeTimers({ now: Date.parse('2030-01-01T09:00:00Z') });
    // Act
    const result = await invokeStep(queryAgentsStep, input, clients);
    jest.useRealTimers();
    // Assess
    expect(result).toEqual({ commandId: 'cmd-q', startedAt: '2030-01-01T09:00:00.000Z' });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-CountAgents',
      InstanceIds: ['i-m1'],
      Comment: 'c-1234/query-agents',
    });
    const sent = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(sent?.Parameters).toBeUndefined();
  });

  it('sends a new command on every call, never reusing an old answer', async () => {
    // Prepare
    ssmMock
      .on(SendCommandCommand)
      .resolvesOnce({ Command: { CommandId: 'cmd-q1' } })
      .resolvesOnce({ Command: { CommandId: 'cmd-q2' } });
    // Act
    const first = await invokeStep(queryAgentsStep, input, clients);
    const second = await invokeStep(queryAgentsStep, input, clients);
    // Assess
    expect([first.commandId, second.commandId]).toEqual(['cmd-q1', 'cmd-q2']);
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 2);
    expect(ssmMock).not.toHaveReceivedCommand(ListCommandsCommand);
  });

  it('throws RetryableError when the master agent is not online (InvalidInstanceId)', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(awsError('InvalidInstanceId'));
    // Act
    const run = invokeStep(queryAgentsStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('i-m1') });
  });
});
