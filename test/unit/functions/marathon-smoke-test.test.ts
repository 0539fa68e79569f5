import { GetCommandInvocationCommand, ListCommandsCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { marathonSmokeTestStep, parseSmokeStatus } from '../../../functions/marathon-smoke-test/marathon-smoke-test';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';

const ssmMock = mockClient(SSMClient);
const clients = { ssm: new SSMClient({}), config: TEST_STEP_CONFIG };
const base = { clusterId: 'c-1234', instanceId: 'i-m1' };
const check = { ...base, action: 'check' as const, deployCommandId: 'cmd-d', queryCommandId: 'cmd-q' };

/** The deploy and status query invocations the master reports. */
function invocations(status: string, deploy: 'Success' | 'Failed' | 'InProgress' = 'Success', query: 'Success' | 'InProgress' = 'Success') {
  ssmMock
    .on(GetCommandInvocationCommand, { CommandId: 'cmd-d' })
    .resolves({ Status: deploy, StandardErrorContent: deploy === 'Failed' ? 'ERROR: Marathon refused the smoke test app (HTTP 422)' : '' });
  ssmMock.on(GetCommandInvocationCommand, { CommandId: 'cmd-q' }).resolves({ Status: query, StandardOutputContent: status });
}

describe('marathon-smoke-test', () => {
  beforeEach(() => {
    ssmMock.reset();
    ssmMock.on(ListCommandsCommand).resolves({ Commands: [] });
  });

  it('deploys the app once and sends the first status query', async () => {
    // Prepare
    ssmMock
      .on(SendCommandCommand, { Parameters: { SmokeTestAction: ['deploy'] } })
      .resolves({ Command: { CommandId: 'cmd-d' } })
      .on(SendCommandCommand, { Parameters: { SmokeTestAction: ['status'] } })
      .resolves({ Command: { CommandId: 'cmd-q' } });
    // Act
    const result = await invokeStep(marathonSmokeTestStep, { ...base, action: 'deploy' }, clients);
    // Assess
    expect(result).toEqual({ deployCommandId: 'cmd-d', queryCommandId: 'cmd-q', deployedAt: expect.any(String) });
    expect(Date.now() - Date.parse((result as { deployedAt: string }).deployedAt)).toBeLessThan(60_000);
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, {
      DocumentName: 'MesosCluster-MarathonSmokeTest',
      InstanceIds: ['i-m1'],
      Parameters: { SmokeTestAction: ['deploy'] },
      Comment: 'c-1234/marathon-smoke-test-deploy',
    });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, { Parameters: { SmokeTestAction: ['status'] }, TimeoutSeconds: 60 });
  });

  it('reuses the deploy of an earlier run instead of deploying twice', async () => {
    // Prepare
    ssmMock.on(ListCommandsCommand).resolves({
      Commands: [
        {
          CommandId: 'cmd-d',
          Comment: 'c-1234/marathon-smoke-test-deploy',
          DocumentName: 'MesosCluster-MarathonSmokeTest',
          Status: 'Success',
        },
      ],
    });
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-q' } });
    // Act
    const result = await invokeStep(marathonSmokeTestStep, { ...base, action: 'deploy' }, clients);
    // Assess
    expect(result).toEqual({ deployCommandId: 'cmd-d', queryCommandId: 'cmd-q', deployedAt: expect.any(String) });
    expect(ssmMock).toHaveReceivedCommandTimes(SendCommandCommand, 1);
    expect(ssmMock).not.toHaveReceivedCommandWith(SendCommandCommand, { Parameters: { SmokeTestAction: ['deploy'] } });
  });

  it('removes the app once it runs, and is done', async () => {
    // Prepare
    invocations('running 1\n');
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-r' } });
    // Act
    const result = await invokeStep(marathonSmokeTestStep, { ...check, budgetSeconds: 600, since: new Date().toISOString() }, clients);
    // Assess
    expect(result).toMatchObject({
      deployCommandId: 'cmd-d',
      running: true,
      status: 'running, 1 task(s) running',
      removeCommandId: 'cmd-r',
      waitSeconds: 0,
      timedOut: false,
    });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, { Parameters: { SmokeTestAction: ['remove'] } });
  });

  it('sends the next status query while the app deploys, and answers when to look again', async () => {
    // Prepare
    invocations('deploying 1 0\n');
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-q2' } });
    // Act
    const result = await invokeStep(
      marathonSmokeTestStep,
      { ...check, budgetSeconds: 600, since: new Date(Date.now() - 100_000).toISOString() },
      clients
    );
    // Assess
    expect(result).toMatchObject({ running: false, queryCommandId: 'cmd-q2', timedOut: false, waitSeconds: 10 });
    expect(ssmMock).toHaveReceivedCommandWith(SendCommandCommand, { Parameters: { SmokeTestAction: ['status'] } });
  });

  it('answers only its own fields without a budget (a loop that counts its checks)', async () => {
    // Prepare
    invocations('deploying 1 0\nlast failure: Failed to launch container: image not found\n');
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-q2' } });
    // Act
    const result = await invokeStep(marathonSmokeTestStep, check, clients);
    // Assess
    expect(result).toEqual({
      deployCommandId: 'cmd-d',
      deployedAt: null,
      running: false,
      status: 'deploying, 0 task(s) running; last task failure: Failed to launch container: image not found',
      queryCommandId: 'cmd-q2',
      removeCommandId: null,
    });
  });

  it('looks again at the same query while it runs, sending nothing', async () => {
    // Prepare
    invocations('', 'Success', 'InProgress');
    // Act
    const result = await invokeStep(marathonSmokeTestStep, { ...check, budgetSeconds: 600, since: new Date().toISOString() }, clients);
    // Assess
    expect(result).toMatchObject({ running: false, queryCommandId: 'cmd-q', status: expect.stringContaining('InProgress') });
    expect(ssmMock).not.toHaveReceivedCommand(SendCommandCommand);
  });

  it('answers timedOut past its budget, with the last status and Marathon’s last task failure', async () => {
    // Prepare
    invocations('deploying 0 0\nlast failure: Failed to launch container: image not found\n');
    ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-q2' } });
    const since = new Date(Date.now() - 700_000).toISOString();
    // Act
    const result = await invokeStep(marathonSmokeTestStep, { ...check, budgetSeconds: 600, since }, clients);
    // Assess
    expect(result).toMatchObject({
      deployedAt: since,
      running: false,
      timedOut: true,
      waitSeconds: 0,
      status: 'deploying, 0 task(s) running; last task failure: Failed to launch container: image not found',
    });
    expect((result as { waited: string }).waited).toMatch(/^after 1\d(\.\d)? min of a 10 min budget$/);
  });

  it('fails at once when the deploy command failed, with its stderr', async () => {
    // Prepare
    invocations('absent\n', 'Failed');
    // Act
    const run = invokeStep(marathonSmokeTestStep, check, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('HTTP 422') });
  });

  it('confirms the removal once the remove command succeeded', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand, { CommandId: 'cmd-r' }).resolvesOnce({ Status: 'InProgress' }).resolves({ Status: 'Success' });
    const input = { ...base, action: 'check-removal' as const, removeCommandId: 'cmd-r' };
    // Act
    const first = invokeStep(marathonSmokeTestStep, input, clients);
    await expect(first).rejects.toMatchObject({ name: 'NotReadyError' });
    const second = await invokeStep(marathonSmokeTestStep, input, clients);
    // Assess
    expect(second).toEqual({ removed: true });
  });

  it('parses the status lines of the script and refuses anything else', () => {
    // Assess
    expect(parseSmokeStatus('running 2\n')).toEqual({ state: 'running', tasksRunning: 2 });
    expect(parseSmokeStatus('deploying 1 0\nlast failure: oom\n')).toEqual({ state: 'deploying', tasksRunning: 0, lastFailure: 'oom' });
    expect(parseSmokeStatus('absent\n')).toEqual({ state: 'absent', tasksRunning: 0 });
    expect(parseSmokeStatus('curl: (7) failed\n')).toBeUndefined();
  });
});
