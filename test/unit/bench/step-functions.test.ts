/**
 * The local Step Functions stand-in of the bench and the API-path tests: the answers the
 * API functions rely on (start, idempotent start, name taken, describe, list newest first
 * with a status filter and pages, stop), on two small machines in virtual time.
 */
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  ListExecutionsCommand,
  StartExecutionCommand,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { LocalStepFunctions } from '../../../bench/step-functions';
import type { AslMachine } from '../../../cli/runner/local-runner';
import { inVirtualTime } from '../../../cli/runner/virtual-time';
import type { StepClients } from '../../../functions/shared/step';

const WAIT = 'arn:aws:states:eu-west-1:123456789012:stateMachine:create-cluster';
const FAIL = 'arn:aws:states:eu-west-1:123456789012:stateMachine:teardown-cluster';
const T0 = Date.UTC(2030, 0, 1, 9, 0, 0);

const WAIT_ASL: AslMachine = {
  StartAt: 'Wait',
  States: { Wait: { Type: 'Wait', Seconds: 60, Next: 'Done' } as never, Done: { Type: 'Pass', End: true } as never },
};
const FAIL_ASL: AslMachine = {
  StartAt: 'Fail',
  States: { Fail: { Type: 'Fail', Error: 'CreateFailed', Cause: 'VALIDATE_SPEC_FAILED: no room' } as never },
};

function standIn(): LocalStepFunctions {
  return new LocalStepFunctions({
    machines: { [WAIT]: 'create-cluster', [FAIL]: 'teardown-cluster' },
    clients: () => ({}) as StepClients,
    asl: (machine) => (machine === 'create-cluster' ? WAIT_ASL : FAIL_ASL),
  });
}

function session<T>(work: () => Promise<T>): Promise<T> {
  return inVirtualTime(T0, 'local-step-functions', work).then((r) => r.value);
}

describe('LocalStepFunctions', () => {
  it('runs an execution to its end; DescribeExecution shows it running, then SUCCEEDED with its output and dates', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const { running, done } = await session(async () => {
      const { executionArn } = await sfn.client.send(
        new StartExecutionCommand({ stateMachineArn: WAIT, name: 'create-a', input: '{"x":1}' })
      );
      const running = await sfn.client.send(new DescribeExecutionCommand({ executionArn }));
      await sfn.settled();
      const done = await sfn.client.send(new DescribeExecutionCommand({ executionArn }));
      return { running, done };
    });

    // Assess
    expect(running).toMatchObject({ status: 'RUNNING', name: 'create-a', input: '{"x":1}', stateMachineArn: WAIT });
    expect(running.executionArn).toBe('arn:aws:states:eu-west-1:123456789012:execution:create-cluster:create-a');
    expect(done).toMatchObject({ status: 'SUCCEEDED', output: '{"x":1}' });
    expect((done.stopDate?.getTime() ?? 0) - (done.startDate?.getTime() ?? 0)).toBe(60_000);
  });

  it('answers a start with the name and input of an open execution with that execution, and refuses another input or a closed one', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const answers = await session(async () => {
      const start = (input: string) =>
        sfn.client.send(new StartExecutionCommand({ stateMachineArn: WAIT, name: 'create-a', input })).then(
          (r) => r.executionArn,
          (err: Error) => err.name
        );
      const first = await start('{}');
      const same = await start('{}');
      const other = await start('{"y":2}');
      await sfn.settled();
      const closed = await start('{}');
      return { first, same, other, closed };
    });

    // Assess
    expect(answers.same).toBe(answers.first);
    expect(answers.other).toBe('ExecutionAlreadyExists');
    expect(answers.closed).toBe('ExecutionAlreadyExists');
    expect(sfn.executions()).toHaveLength(1);
  });

  it('records a failed execution with the Fail state error and cause', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const failed = await session(async () => {
      const { executionArn } = await sfn.client.send(new StartExecutionCommand({ stateMachineArn: FAIL, name: 'delete-a', input: '{}' }));
      await sfn.settled();
      return sfn.client.send(new DescribeExecutionCommand({ executionArn }));
    });

    // Assess
    expect(failed).toMatchObject({ status: 'FAILED', error: 'CreateFailed', cause: 'VALIDATE_SPEC_FAILED: no room' });
  });

  it('lists one machine newest first, with a status filter and pages', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const lists = await session(async () => {
      for (const name of ['one', 'two', 'three']) {
        await sfn.client.send(new StartExecutionCommand({ stateMachineArn: WAIT, name, input: '{}' }));
        await new Promise((resolve) => setTimeout(resolve, 25_000));
      }
      await sfn.client.send(new StartExecutionCommand({ stateMachineArn: FAIL, name: 'other', input: '{}' }));
      const running = await sfn.client.send(new ListExecutionsCommand({ stateMachineArn: WAIT, statusFilter: 'RUNNING' }));
      const page1 = await sfn.client.send(new ListExecutionsCommand({ stateMachineArn: WAIT, maxResults: 2 }));
      const page2 = await sfn.client.send(new ListExecutionsCommand({ stateMachineArn: WAIT, maxResults: 2, nextToken: page1.nextToken }));
      await sfn.settled();
      return { running, page1, page2 };
    });

    // Assess: started at 0, 25 and 50 s; at 75 s 'one' has ended (60 s), the other two still run.
    expect(lists.running.executions?.map((e) => e.name)).toEqual(['three', 'two']);
    expect(lists.page1.executions?.map((e) => e.name)).toEqual(['three', 'two']);
    expect(lists.page1.nextToken).toBeDefined();
    expect(lists.page2.executions?.map((e) => [e.name, e.status])).toEqual([['one', 'SUCCEEDED']]);
    expect(lists.page2.nextToken).toBeUndefined();
  });

  it('stops a running execution: ABORTED with the given error and cause, and its run ends', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const { stopped, result } = await session(async () => {
      const { executionArn = '' } = await sfn.client.send(
        new StartExecutionCommand({ stateMachineArn: WAIT, name: 'create-a', input: '{}' })
      );
      await sfn.client.send(new StopExecutionCommand({ executionArn, error: 'ClusterDeleted', cause: 'a delete stopped it' }));
      const result = await sfn.executions()[0]?.done;
      return { stopped: await sfn.client.send(new DescribeExecutionCommand({ executionArn })), result };
    });

    // Assess
    expect(stopped).toMatchObject({ status: 'ABORTED', error: 'ClusterDeleted', cause: 'a delete stopped it' });
    expect(result?.aborted).toBe(true);
  });

  it('answers an unknown machine, an unknown execution and an operation it does not hold with their errors', async () => {
    // Prepare
    const sfn = standIn();
    const nameOf = (p: Promise<unknown>) =>
      p.then(
        () => 'answered',
        (err: Error) => err.name
      );

    // Act
    const names = await session(async () => [
      await nameOf(sfn.client.send(new StartExecutionCommand({ stateMachineArn: `${WAIT}-x`, name: 'a', input: '{}' }))),
      await nameOf(
        sfn.client.send(new DescribeExecutionCommand({ executionArn: `${WAIT.replace(':stateMachine:', ':execution:')}:none` }))
      ),
      await nameOf(sfn.client.send(new StartExecutionCommand({ stateMachineArn: WAIT, name: 'has space', input: '{}' }))),
      await nameOf(sfn.client.send(new GetExecutionHistoryCommand({ executionArn: 'arn' }))),
    ]);

    // Assess
    expect(names).toEqual(['StateMachineDoesNotExist', 'ExecutionDoesNotExist', 'InvalidName', 'UnknownOperationException']);
  });

  it('refuses to start outside a virtual-time session', async () => {
    // Prepare
    const sfn = standIn();

    // Act
    const outcome = sfn.client.send(new StartExecutionCommand({ stateMachineArn: WAIT, name: 'a', input: '{}' }));

    // Assess
    await expect(outcome).rejects.toThrow('inside a virtual-time session only');
  });
});
