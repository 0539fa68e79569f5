import { EC2Client } from '@aws-sdk/client-ec2';
import { SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { queryAgentLoadStep } from '../../../functions/query-agent-load/query-agent-load';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}), config: TEST_STEP_CONFIG };
const input = { clusterId: 'c-1234', instanceId: 'i-m1' };

describe('query-agent-load', () => {
  beforeEach(() => {
    ssmMock.reset();
  });

  it('sends the agent-load document to the master', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-l' } });
    // Act
    const result = await invokeStep(queryAgentLoadStep, input, clients);
    // Assess
    expect(result).toEqual({ commandId: 'cmd-l' });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-AgentLoad',
      InstanceIds: ['i-m1'],
      Comment: 'c-1234/query-agent-load',
      TimeoutSeconds: 60,
    });
  });

  it('sends a new command on every call, never reusing an old answer', async () => {
    // Prepare
    ssmMock
      .on(SendCommandCommand)
      .resolvesOnce({ Command: { CommandId: 'cmd-1' } })
      .resolvesOnce({ Command: { CommandId: 'cmd-2' } });
    // Act
    const first = await invokeStep(queryAgentLoadStep, input, clients);
    const second = await invokeStep(queryAgentLoadStep, input, clients);
    // Assess
    expect([first.commandId, second.commandId]).toEqual(['cmd-1', 'cmd-2']);
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 2);
  });

  it('throws RetryableError when the master agent is not online (InvalidInstanceId)', async () => {
    // Prepare
    ssmMock.on(SendCommandCommand).rejects(awsError('InvalidInstanceId'));
    // Act
    const run = invokeStep(queryAgentLoadStep, input, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('i-m1') });
  });
});
