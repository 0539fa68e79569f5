import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { StateMachine } from 'aws-local-stepfunctions';
import { describeFailure } from '../../../functions/record-failure/record-failure';
import type { CaughtError, PlanScaleOutput } from '../../../functions/shared/contracts';
import { type AslDefinition, exportAsl, placeholderFunctions } from '../../../workflow/export';
import { POLL_TIMEOUT_ERROR } from '../../../workflow/poll-loop';
import { SCALE_MACHINE_STEP_IDS } from '../../../workflow/scale/steps';
import {
  buildScaleDefinition,
  MAX_ALARM_ROUNDS,
  ScaleClusterMachine,
  type ScaleFunctions,
  TASKS_DRAINED,
} from '../../../workflow/scale-cluster';
import type { StepId } from '../../../workflow/step-catalogue';
import { allStates, checksWithin, runAsl, type StepCall, type StubStep, stepError, TEST_EXECUTION_ID } from '../../helpers/asl';

const GOLDEN = join(__dirname, '../../golden/scale-cluster.asl.json');

const THROTTLE_RETRY = {
  ErrorEquals: ['Lambda.TooManyRequestsException'],
  IntervalSeconds: 5,
  MaxAttempts: 8,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const TIMED_OUT_RETRY = {
  ErrorEquals: ['States.Timeout', 'Sandbox.Timedout'],
  IntervalSeconds: 10,
  MaxAttempts: 3,
  BackoffRate: 2,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const RETRYABLE_RETRY = {
  ErrorEquals: ['RetryableError'],
  IntervalSeconds: 3,
  MaxAttempts: 8,
  BackoffRate: 1.5,
  MaxDelaySeconds: 60,
  JitterStrategy: 'FULL',
};
const CAPACITY_RETRY = { ErrorEquals: ['CapacityError'], IntervalSeconds: 30, MaxAttempts: 2 };
const NOT_READY_RETRY = { ErrorEquals: ['NotReadyError'], IntervalSeconds: 3, MaxAttempts: 8, BackoffRate: 1.3, JitterStrategy: 'FULL' };

function newStack(): Stack {
  return new Stack(new App(), 'Test', { env: { region: 'eu-west-1', account: '123456789012' } });
}

function importedFunctions(stack: Stack): ScaleFunctions {
  return placeholderFunctions(stack, SCALE_MACHINE_STEP_IDS);
}

function stateJson(stack: Stack, name: string): Record<string, unknown> {
  return stack.resolve((stack.node.findChild(name) as sfn.State).toStateJson());
}

const CLUSTER = { clusterId: 'blue-0a1b2c', clusterName: 'blue' };
const API_INPUT = { clusterId: CLUSTER.clusterId, targetSlaves: 5, source: 'api' };
const ALARM_INPUT = { alarmName: `mesos-cluster-${CLUSTER.clusterId}-scale-out`, direction: 'out', source: 'alarm' };
const LAUNCH = {
  imageId: 'ami-slave',
  subnetIds: ['subnet-private'],
  securityGroupId: 'sg-slave',
  instanceType: 't3.large',
  masterIps: ['10.0.1.10'],
};

function plan(action: PlanScaleOutput['action'], current: number, target: number): PlanScaleOutput {
  return {
    action,
    ...CLUSTER,
    current,
    target,
    delta: Math.abs(target - current),
    reason: `scale ${action} from ${current} to ${target}`,
    cooldownSeconds: 60,
    ...(action === 'none' ? {} : { masterInstanceId: 'i-master' }),
    ...(action === 'out' ? { launch: LAUNCH } : {}),
  };
}

/** Stubs of the scale steps on a good day; Plan Scale answers `planned`. */
function scaleStubs(planned: PlanScaleOutput, overrides: Partial<Record<StepId, StubStep>> = {}): Partial<Record<StepId, StubStep>> {
  let drainChecks = 0;
  return {
    'plan-scale': () => planned,
    'check-scale-lease': () => ({ held: true }),
    'launch-instances': (p) => ({
      instanceIds: Array.from({ length: p.count as number }, (_, i) => `i-new-${i + 1}`),
      privateIps: Array.from({ length: p.count as number }, (_, i) => `10.0.2.${i + 20}`),
    }),
    'check-ssm-online': (p) => ({
      online: true,
      onlineCount: (p.instanceIds as string[]).length,
      total: (p.instanceIds as string[]).length,
    }),
    'query-agents': () => ({ commandId: 'cmd-count', startedAt: '2026-01-01T00:05:00.000Z' }),
    'check-agents-registered': (p) => ({ registered: p.expected, ready: true, commandId: p.commandId }),
    'query-agent-load': () => ({ commandId: 'cmd-load' }),
    'pick-slaves-to-remove': (p) => ({
      instanceIds: Array.from({ length: p.count as number }, (_, i) => `i-old-${i + 1}`),
      agentIps: Array.from({ length: p.count as number }, (_, i) => `10.0.2.${i + 5}`),
      tasks: 1,
    }),
    'drain-slaves': (p) => ({ commandId: (p.agentIps as string[]).length > 0 ? 'cmd-drain' : 'cmd-clear' }),
    'check-command': () => ({ done: true }),
    // The command's status event came: SendTaskSuccess's output (the state discards it).
    'await-command-signal': () => ({ status: 'Success' }),
    // The tasks are still there at the first check.
    'check-drain': () => (++drainChecks < 2 ? { drained: false, remainingTasks: 2 } : { drained: true, remainingTasks: 0 }),
    'terminate-instances': (p) => ({ terminating: (p.instanceIds as string[]).length }),
    'check-instances-gone': () => ({ done: true, remaining: 0 }),
    'record-scale': (p) => ({
      recorded: true,
      status: 'CREATE_COMPLETE',
      ...(p.error ? describeFailure(p.error as CaughtError) : {}),
    }),
    ...overrides,
  };
}

function stepsOf(calls: StepCall[]): string[] {
  return calls.map((c) => c.stepId);
}

function callsOf(calls: StepCall[], stepId: StepId): StepCall[] {
  return calls.filter((c) => c.stepId === stepId);
}

/** A Lambda error as Step Functions records it in a Catch: Cause is the JSON error object. */
function lambdaError(name: string, message: string): Error {
  return stepError(name, JSON.stringify({ errorType: name, errorMessage: message }));
}

/** The states of a list by name. */
function byNameOf<T>(states: readonly [string, T][]): Map<string, T> {
  return new Map(states);
}

describe('scale-cluster machine definition', () => {
  let asl: AslDefinition;

  beforeAll(() => {
    asl = exportAsl('scale-cluster');
  });

  it('matches the golden ASL file (UPDATE_GOLDEN=1 rewrites it)', () => {
    // Prepare
    const rendered = `${JSON.stringify(asl, null, 2)}\n`;
    if (process.env.UPDATE_GOLDEN === '1') writeFileSync(GOLDEN, rendered);

    // Act
    const golden = readFileSync(GOLDEN, 'utf8');

    // Assess
    expect(JSON.parse(golden)).toEqual(asl);
  });

  it('passes the local runner validation of paths and ARNs', () => {
    // Prepare
    const options = { validationOptions: { checkPaths: true, checkArn: true } };

    // Act
    const build = () => new StateMachine(JSON.parse(JSON.stringify(asl)), options);

    // Assess
    expect(build).not.toThrow();
    expect(asl.TimeoutSeconds).toBe(6 * 3600);
  });

  it('names states in Title Case and asks questions in Choice states', () => {
    // Prepare
    const states = allStates(asl);

    // Act
    const badNames = states.filter(([name]) => !name.split(' ').every((word) => /^[A-Z0-9]/.test(word)));
    const choicesWithoutQuestion = states.filter(([name, s]) => s.Type === 'Choice' && !name.endsWith('?'));
    const questionsNotChoices = states.filter(([name, s]) => s.Type !== 'Choice' && name.endsWith('?'));

    // Assess
    expect(badNames).toEqual([]);
    expect(choicesWithoutQuestion).toEqual([]);
    expect(questionsNotChoices).toEqual([]);
  });

  it('invokes only the scale machine steps, each with the cluster reference of the plan and its own result key', () => {
    // Prepare
    const tasks = allStates(asl).filter(([, s]) => s.Type === 'Task');

    // Act
    const stepIds = new Set(tasks.map(([, s]) => String(s.Parameters?.FunctionName).split(':').pop()));
    const withoutPlan = tasks.filter(([name]) => name !== 'Plan Scale');
    const references = withoutPlan.map(([, s]) => {
      const payload = s.Parameters?.Payload as Record<string, string>;
      return [payload['clusterId.$'], payload['clusterName.$']];
    });
    // Check Agents Registered carries on the record Query Agents starts (the query to read next).
    const results = withoutPlan.filter(([name]) => name !== 'Record Scale Failure' && name !== 'Query Agents').map(([, s]) => s.ResultPath);

    // Assess
    expect([...stepIds].sort()).toEqual([...SCALE_MACHINE_STEP_IDS].sort());
    expect(new Set(references.map((r) => JSON.stringify(r)))).toEqual(
      new Set([JSON.stringify(['$.scale.plan.clusterId', '$.scale.plan.clusterName'])])
    );
    expect(new Set(results).size).toBe(results.length);
    expect(asl.States['Query Agents']?.ResultPath).toBe(asl.States['Check Agents Registered']?.ResultPath);
    expect(asl.States['Plan Scale']?.Parameters?.['Payload.$']).toBe('States.JsonMerge($.request, $.lease, false)');
    expect(asl.States['Read Scale Request']?.Parameters).toEqual({
      'request.$': '$',
      lease: { 'executionId.$': '$$.Execution.Id' },
      round: { count: 1 },
    });
  });

  it('never retries on States.ALL; launches also retry CapacityError, checks NotReadyError', () => {
    // Prepare
    const stack = newStack();
    buildScaleDefinition(stack, importedFunctions(stack));

    // Act
    const retriers = allStates(asl).flatMap(([, s]) => s.Retry ?? []);
    const launch = stateJson(stack, 'Launch Slaves').Retry as unknown[];
    const pick = stateJson(stack, 'Pick Slaves To Remove').Retry as unknown[];
    const drain = stateJson(stack, 'Drain Slaves').Retry as unknown[];

    // Assess
    expect(retriers.filter((r) => r.ErrorEquals.includes('States.ALL'))).toEqual([]);
    expect(launch.slice(1)).toEqual([THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_RETRY, CAPACITY_RETRY]);
    expect(pick.slice(1)).toEqual([THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_RETRY, NOT_READY_RETRY]);
    expect(drain.slice(1)).toEqual([THROTTLE_RETRY, TIMED_OUT_RETRY, RETRYABLE_RETRY]);
  });

  it('catches refusals before any other error, and every other task into the failure path', () => {
    // Prepare
    const tasks = allStates(asl).filter(([name, s]) => s.Type === 'Task' && name !== 'Plan Scale' && name !== 'Check Scale Lease');

    // Act
    const planCatch = asl.States['Plan Scale']?.Catch;
    const leaseCatch = asl.States['Check Scale Lease']?.Catch;
    const bakeTasks = new Set([
      'Find Cached Slave Image',
      'Check Slave Image Bake',
      'Launch Template Slave',
      'Check Template Slave Online',
      'Configure Template Slave',
      'Await Template Slave Setup Signal',
      'Check Template Slave Setup',
      'Bake Slave Image',
      'Check Slave Image',
      'Terminate Template Slave',
    ]);
    // A signal wait that times out goes on to its check first (the command may have ended without an event).
    const signalEnd = { ErrorEquals: ['States.Timeout'], ResultPath: null, Next: 'Check Template Slave Setup' };
    const bake = new Set(
      tasks
        .filter(([name]) => bakeTasks.has(name))
        .map(([, s]) =>
          JSON.stringify(s.Resource?.endsWith('.waitForTaskToken') ? s.Catch?.filter((c) => c.Next !== signalEnd.Next) : s.Catch)
        )
    );
    const others = new Set(
      tasks.filter(([name]) => name !== 'Record Scale Failure' && !bakeTasks.has(name)).map(([, s]) => JSON.stringify(s.Catch))
    );

    // Assess
    expect(planCatch).toEqual([
      { ErrorEquals: ['ValidationError', 'ConflictError'], ResultPath: '$.error', Next: 'Read Refusal' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Was A Scale Planned?' },
    ]);
    expect(leaseCatch).toEqual([
      { ErrorEquals: ['ConflictError'], ResultPath: '$.error', Next: 'Read Refusal' },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record Scale Failure' },
    ]);
    expect([...others]).toEqual([JSON.stringify([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Record Scale Failure' }])]);
    // A failed bake of a cluster's first image is discarded (template slave, image, snapshots) before the failure is recorded.
    expect([...bake]).toEqual([JSON.stringify([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'Discard Image Bake' }])]);
    expect(tasks.filter(([name]) => bakeTasks.has(name))).toHaveLength(bakeTasks.size);
    expect(byNameOf(tasks).get('Await Template Slave Setup Signal')?.Catch?.[0]).toEqual(signalEnd);
    expect(asl.States['Discard Image Bake']?.Next).toBe('Record Scale Failure');
    expect(asl.States['Record Scale Failure']?.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.recordError', Next: 'Note Unrecorded Scale Failure' },
    ]);
  });

  it("bounds every loop: the poll loops by the check's timedOut against a budget, the drain by a check count, the alarm loop by MAX_ALARM_ROUNDS", () => {
    // Prepare
    const states = allStates(asl);
    const byName = new Map(states);
    const questions = states.filter(
      ([name]) => /^(Are|Is|Have) /.test(name) && name !== 'Is A Scale Needed?' && name !== 'Is A Slave Image Cached?'
    );

    // Act
    const bounds = questions.map(([name, s]): [string, string] => {
      const rules = JSON.stringify(s.Choices);
      const timed = /"Variable":"([^"]+)\.timedOut","BooleanEquals":true/.exec(rules);
      if (timed) {
        // The check that answers the loop carries its budget in its payload.
        const check = states.find(([, t]) => t.Type === 'Task' && t.ResultPath === timed[1]);
        const payload = check?.[1].Parameters?.Payload as Record<string, unknown> | undefined;
        return [name, `budget ${payload?.budgetSeconds}`];
      }
      return [name, rules.includes('NumericGreaterThanEquals') ? 'count' : 'none'];
    });
    const alarmLoop = byName.get('Keep Following The Alarm?')?.Choices as unknown[];

    // Assess
    expect(Object.fromEntries(bounds)).toEqual({
      'Is Template Slave Online?': 'budget 900',
      'Is Template Slave Setup Done?': 'budget 1200',
      'Is Slave Image Available?': 'budget 2400',
      'Is Slave Image Bake Done?': 'budget 4500',
      'Are New Slaves Online?': 'budget 900',
      'Are New Agents Registered?': 'budget 600',
      'Is Drain Command Done?': 'budget 180',
      'Have The Tasks Left?': 'count',
      'Are Removed Slaves Gone?': 'budget 1200',
      'Is Maintenance Schedule Cleared?': 'budget 180',
    });
    // Their rechecks wait what the check answered, or for the command's signal (a task with a fixed timeout).
    for (const [name] of bounds.filter(([, b]) => b.startsWith('budget'))) {
      const recheck = byName.get(String(byName.get(name)?.Default));
      if (name === 'Is Template Slave Setup Done?') expect(recheck?.Resource).toMatch(/\.waitForTaskToken$/);
      else expect(recheck?.SecondsPath).toMatch(/\.waitSeconds$/);
    }
    expect(JSON.stringify(alarmLoop)).toContain(`"NumericLessThan":${MAX_ALARM_ROUNDS}`);
  });

  it('refuses a machine whose timeout is shorter than a scale-in round', () => {
    // Prepare
    const stack = newStack();
    const functions = importedFunctions(stack);

    // Act
    const build = () => new ScaleClusterMachine(stack, 'Scale', { functions, timeout: { toSeconds: () => 600 } as never });

    // Assess
    expect(build).toThrow('timeout must be at least one hour');
  });
});

describe('scale-cluster machine run (aws-local-stepfunctions)', () => {
  let asl: AslDefinition;

  beforeAll(() => {
    asl = exportAsl('scale-cluster');
  });

  it('scales out: takes the lease, launches delta slaves from the plan, waits online and registered, records', async () => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 5));

    // Act
    const run = await runAsl(asl, API_INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(stepsOf(run.calls)).toEqual([
      'plan-scale',
      'check-scale-lease',
      'launch-instances',
      'check-ssm-online',
      'query-agents',
      'check-agents-registered',
      'record-scale',
    ]);
    expect(run.calls[0]?.payload).toEqual({ ...API_INPUT, executionId: TEST_EXECUTION_ID });
    expect(callsOf(run.calls, 'launch-instances')[0]?.payload).toEqual({
      ...CLUSTER,
      executionId: TEST_EXECUTION_ID,
      role: 'slave',
      count: 3,
      ...LAUNCH,
      tokenSuffix: 'test-run-1',
    });
    expect(callsOf(run.calls, 'check-agents-registered')[0]?.payload).toEqual(
      expect.objectContaining({ commandId: 'cmd-count', instanceId: 'i-master', expected: 5 })
    );
    expect(callsOf(run.calls, 'record-scale')[0]?.payload).toEqual({
      ...CLUSTER,
      executionId: TEST_EXECUTION_ID,
      outcome: 'succeeded',
      target: 5,
    });
    expect(run.entered.at(-1)).toBe('Cluster Scaled');
  });

  it('scales in: picks, drains and waits for the tasks, terminates, waits, clears the schedule, records', async () => {
    // Prepare
    const stubs = scaleStubs(plan('in', 5, 3));

    // Act
    const run = await runAsl(asl, { ...API_INPUT, targetSlaves: 3 }, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(stepsOf(run.calls)).toEqual([
      'plan-scale',
      'check-scale-lease',
      'query-agent-load',
      'pick-slaves-to-remove',
      'drain-slaves',
      'check-command',
      'query-agent-load',
      'check-drain',
      'query-agent-load',
      'check-drain',
      'terminate-instances',
      'check-instances-gone',
      'drain-slaves',
      'check-command',
      'record-scale',
    ]);
    const [drain, clear] = callsOf(run.calls, 'drain-slaves');
    expect(drain?.payload).toEqual({
      ...CLUSTER,
      executionId: `${TEST_EXECUTION_ID}#1`,
      instanceId: 'i-master',
      agentIps: ['10.0.2.5', '10.0.2.6'],
    });
    expect(clear?.payload).toEqual({ ...CLUSTER, executionId: `${TEST_EXECUTION_ID}#1`, instanceId: 'i-master', agentIps: [] });
    expect(callsOf(run.calls, 'check-command')[0]?.payload).toEqual(
      expect.objectContaining({ commandId: 'cmd-drain', instanceIds: ['i-master'] })
    );
    expect(callsOf(run.calls, 'check-drain')[0]?.payload).toEqual(
      expect.objectContaining({ commandId: 'cmd-load', agentIps: ['10.0.2.5', '10.0.2.6'] })
    );
    expect(callsOf(run.calls, 'terminate-instances')[0]?.payload).toEqual(expect.objectContaining({ instanceIds: ['i-old-1', 'i-old-2'] }));
    expect(callsOf(run.calls, 'check-instances-gone')[0]?.payload).toEqual(
      expect.objectContaining({ instanceIds: ['i-old-1', 'i-old-2'] })
    );
  });

  it('ends in No Scale Needed when the plan is none, taking no lease', async () => {
    // Prepare
    const stubs = scaleStubs(plan('none', 5, 5));

    // Act
    const run = await runAsl(asl, ALARM_INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(stepsOf(run.calls)).toEqual(['plan-scale']);
    expect(run.entered.at(-1)).toBe('No Scale Needed');
  });

  it('fails in Scale Refused with the plan message when the target is past the bounds', async () => {
    // Prepare
    const message = "plan-scale: slaves: must be between 1 and 10, the cluster's autoscaling bounds; got 11";
    const stubs = scaleStubs(plan('none', 2, 2), {
      'plan-scale': () => {
        throw lambdaError('ValidationError', message);
      },
    });

    // Act
    const run = await runAsl(asl, { ...API_INPUT, targetSlaves: 11 }, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SCALE_REFUSED');
    expect(run.cause).toBe(message);
    expect(stepsOf(run.calls)).toEqual(['plan-scale']);
  });

  it.each([
    ['api', API_INPUT, 'FAILED', 'Scale Refused'],
    ['alarm', ALARM_INPUT, 'SUCCEEDED', 'Scale Skipped'],
  ])('ends a %s scale that lost the lease in %s (%s) without changing anything', async (_source, input, status, end) => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 4), {
      'check-scale-lease': () => {
        throw lambdaError(
          'ConflictError',
          'check-scale-lease: cluster blue-0a1b2c is UPDATE_IN_PROGRESS (the scale lease is held by x); the scale stops'
        );
      },
    });

    // Act
    const run = await runAsl(asl, input, stubs);

    // Assess
    expect(run.status).toBe(status);
    expect(run.entered.at(-1)).toBe(end);
    expect(stepsOf(run.calls)).toEqual(['plan-scale', 'check-scale-lease']);
  });

  it('records the failure (releasing the lease) and fails naming the step when a launch fails', async () => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 4), {
      'launch-instances': () => {
        throw lambdaError('FatalError', 'launch-instances: InvalidAMIID.NotFound');
      },
    });

    // Act
    const run = await runAsl(asl, API_INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SCALE_FAILED');
    expect(run.cause).toBe('LAUNCH_INSTANCES_FAILED: FatalError: launch-instances: InvalidAMIID.NotFound');
    expect(callsOf(run.calls, 'record-scale')[0]?.payload).toEqual({
      ...CLUSTER,
      executionId: TEST_EXECUTION_ID,
      outcome: 'failed',
      error: {
        Error: 'FatalError',
        Cause: JSON.stringify({ errorType: 'FatalError', errorMessage: 'launch-instances: InvalidAMIID.NotFound' }),
      },
    });
    expect(run.entered.slice(-2)).toEqual(['Record Scale Failure', 'Scale Failed']);
  });

  it('fails with the planning error when Plan Scale fails before it knows the cluster', async () => {
    // Prepare
    const stubs = scaleStubs(plan('none', 2, 2), {
      'plan-scale': () => {
        throw lambdaError('FatalError', 'plan-scale: cluster blue-0a1b2c has no running master; cannot scale');
      },
    });

    // Act
    const run = await runAsl(asl, ALARM_INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SCALE_FAILED');
    expect(run.cause).toMatch(/^PLAN_SCALE_FAILED: FatalError: .*has no running master/);
    expect(stepsOf(run.calls)).toEqual(['plan-scale']);
  });

  it('gives up on agents that never register, releasing the lease and naming check-agents-registered', async () => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 4), {
      'check-agents-registered': (p) => ({ registered: 2, ready: false, commandId: p.commandId }),
    });

    // Act
    const run = await runAsl(asl, API_INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    // Counted from the first query (the new slaves online): the agents' budget, 10 min.
    expect(callsOf(run.calls, 'check-agents-registered')[0]?.payload).toEqual(
      expect.objectContaining({ budgetSeconds: 600, since: '2026-01-01T00:05:00.000Z' })
    );
    expect(callsOf(run.calls, 'check-agents-registered')).toHaveLength(checksWithin(600));
    expect(callsOf(run.calls, 'record-scale')[0]?.payload.error).toEqual({
      Error: POLL_TIMEOUT_ERROR,
      Cause: 'check-agents-registered: new agents not registered with the master after 10 min of a 10 min budget',
    });
    expect(run.cause).toMatch(/^CHECK_AGENTS_REGISTERED_FAILED: PollTimeoutError: check-agents-registered: /);
  });

  it('terminates the drained slaves anyway when the tasks never leave within the drain timeout', async () => {
    // Prepare
    const stubs = scaleStubs(plan('in', 5, 4), { 'check-drain': () => ({ drained: false, remainingTasks: 3 }) });

    // Act
    const run = await runAsl(asl, { ...API_INPUT, targetSlaves: 4 }, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'check-drain')).toHaveLength(TASKS_DRAINED.maxChecks);
    expect(run.entered).toContain('Drain Timed Out');
    expect(stepsOf(run.calls).slice(-5)).toEqual([
      'terminate-instances',
      'check-instances-gone',
      'drain-slaves',
      'check-command',
      'record-scale',
    ]);
    expect((run.output as { drainTimeout: { Error: string } }).drainTimeout.Error).toBe(POLL_TIMEOUT_ERROR);
  });

  it('plans again after each cooldown while an alarm scale keeps finding work, at most MAX_ALARM_ROUNDS times', async () => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 4));

    // Act
    const run = await runAsl(asl, ALARM_INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'plan-scale')).toHaveLength(MAX_ALARM_ROUNDS);
    expect(callsOf(run.calls, 'launch-instances').map((c) => c.payload.tokenSuffix)).toEqual(
      Array.from({ length: MAX_ALARM_ROUNDS }, (_, i) => `test-run-${i + 1}`)
    );
    expect(run.entered.filter((s) => s === 'Wait Out The Cooldown')).toHaveLength(MAX_ALARM_ROUNDS - 1);
    expect(run.entered.at(-1)).toBe('Cluster Scaled');
  });

  it('waits out the cooldown and plans again when an alarm comes within it, instead of dropping it', async () => {
    // Prepare
    const plans = [{ ...plan('none', 2, 2), retryAfterSeconds: 40 }, plan('out', 2, 4), plan('none', 4, 4)];
    const stubs = scaleStubs(plan('none', 2, 2), { 'plan-scale': () => plans.shift() });

    // Act
    const run = await runAsl(asl, ALARM_INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(stepsOf(run.calls).filter((s) => s === 'plan-scale' || s === 'launch-instances')).toEqual([
      'plan-scale',
      'plan-scale',
      'launch-instances',
      'plan-scale',
    ]);
    expect(run.entered).toContain('Wait Out The Remaining Cooldown');
    expect(callsOf(run.calls, 'launch-instances')[0]?.payload.tokenSuffix).toBe('test-run-2');
    expect(run.entered.at(-1)).toBe('No Scale Needed');
  });

  it.each([
    ['an API scale', API_INPUT, 1],
    ['an alarm scale after MAX_ALARM_ROUNDS plans', ALARM_INPUT, MAX_ALARM_ROUNDS],
  ])('does not wait for the cooldown for %s', async (_what, input, plans) => {
    // Prepare
    const stubs = scaleStubs({ ...plan('none', 2, 2), retryAfterSeconds: 40 });

    // Act
    const run = await runAsl(asl, input, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(callsOf(run.calls, 'plan-scale')).toHaveLength(plans);
    expect(run.entered.at(-1)).toBe('No Scale Needed');
  });

  it('stops an alarm scale at the first plan that finds nothing to do', async () => {
    // Prepare
    let plans = 0;
    const stubs = scaleStubs(plan('out', 2, 4), { 'plan-scale': () => (++plans === 1 ? plan('out', 2, 4) : plan('none', 4, 4)) });

    // Act
    const run = await runAsl(asl, ALARM_INPUT, stubs);

    // Assess
    expect(run.status).toBe('SUCCEEDED');
    expect(stepsOf(run.calls).filter((s) => s === 'plan-scale' || s === 'record-scale')).toEqual([
      'plan-scale',
      'record-scale',
      'plan-scale',
    ]);
    expect(run.entered.at(-1)).toBe('No Scale Needed');
  });

  it('fails with an unrecorded failure when recording the failure fails too', async () => {
    // Prepare
    const stubs = scaleStubs(plan('out', 2, 4), {
      'launch-instances': () => {
        throw lambdaError('FatalError', 'launch-instances: UnauthorizedOperation');
      },
      'record-scale': () => {
        throw lambdaError('FatalError', 'record-scale: UnauthorizedOperation');
      },
    });

    // Act
    const run = await runAsl(asl, API_INPUT, stubs);

    // Assess
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SCALE_FAILED');
    expect(run.cause).toMatch(/^SCALE_FAILED: FatalError - the failure could not be recorded/);
    expect(run.entered.slice(-2)).toEqual(['Note Unrecorded Scale Failure', 'Scale Failed']);
  });
});
