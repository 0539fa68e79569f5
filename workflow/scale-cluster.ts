/**
 * The scale machine: adds slaves to a Mesos cluster or drains and removes some, one scale
 * at a time per cluster.
 *
 *   Read Scale Request → Plan Scale → Is A Scale Needed?
 *       no:  Wait For The Cooldown? (an alarm scale that came within the cooldown)
 *              yes: Wait Out The Remaining Cooldown → Count Scale Rounds → Plan Scale …
 *              no:  No Scale Needed
 *       yes: Wait For Lease To Settle → Check Scale Lease → Which Way To Scale?
 *         out: Launch Slaves (the cluster's image, one RunInstances call per zone)
 *              → wait online in SSM → Query Agents → wait registered (= the plan's target)
 *         in:  Query Agent Load → Pick Slaves To Remove (fewest tasks) → Drain Slaves
 *              (Mesos maintenance + drain) → wait command → wait until their tasks have
 *              left, or the drain timeout → Terminate Removed Slaves → wait gone
 *              → Clear Maintenance Schedule → wait command
 *       → Record Scale → Keep Following The Alarm?
 *           alarm scale, rounds left: Wait Out The Cooldown → Count Scale Rounds → Plan Scale …
 *           otherwise: Cluster Scaled
 *
 * One scale at a time: Plan Scale takes the cluster's scale lease (status UPDATE_IN_PROGRESS
 * with this execution's id on the VPC) and refuses while another execution holds it or the
 * cluster is not CREATE_COMPLETE. EC2 tags are no conditional write, so two plans at the same
 * moment may both write the lease; after a short wait Check Scale Lease lets only the
 * execution whose write won go on. Record Scale gives the lease back and starts the cooldown.
 *
 * Refusals (ValidationError, ConflictError from Plan Scale or Check Scale Lease) end in
 * `Scale Refused` with the step's message, except an alarm scale that finds another scale
 * running or a teardown begun: that one ends quietly in `Scale Skipped` (the running scale,
 * or the teardown, covers it). Any other failure: Record Scale Failure (releases the lease,
 * names the failed step) → `Scale Failed`, whose cause is `<FAILURE_CODE>: <reason>`.
 *
 * An alarm scale moves one `step`; while its alarm stays in ALARM it plans again after each
 * cooldown (EventBridge sends one event per state change, not one per evaluation, so an
 * alarm that stays in ALARM is not delivered again), at most MAX_ALARM_ROUNDS plans. For the
 * same reason an alarm that comes within the cooldown of another scale waits for its end
 * and plans again, instead of being dropped. Plan Scale answers `none` (without
 * `retryAfterSeconds`) once the alarm is OK or a bound is reached: the scale ends.
 */
import { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { ScaleRequest, StepId } from '../functions/shared/contracts';
import { DRAIN_POLL_SECONDS, DRAIN_TIMEOUT_SECONDS } from '../functions/shared/scaling';
import { buildStandardMachine, type MachineObservabilityProps } from './observability';
import { pollLoop } from './poll-loop';
import { ERROR_PATH, FAILURE_CAUSE_PATH, FAILURE_PATH } from './record-failure';
import { applyRetries, CHECK_STEP_RETRIES, CREATE_STEP_RETRIES, LAUNCH_STEP_RETRIES, type RetryPolicy } from './retry';
import { type ClusterPaths, type PayloadFields, stepTask } from './step-task';
import {
  AGENT_QUERY_RESULT,
  expectedPoll,
  INSTANCES_ONLINE,
  INSTANCES_TERMINATED,
  type PollTiming,
  STEP_TASK_TIMEOUT,
  TYPICAL_SECONDS,
} from './timings';

/** The steps the scale machine invokes. */
export const SCALE_MACHINE_STEP_IDS = [
  'plan-scale',
  'check-scale-lease',
  'launch-instances',
  'check-ssm-online',
  'query-agents',
  'check-agents-registered',
  'query-agent-load',
  'pick-slaves-to-remove',
  'drain-slaves',
  'check-command',
  'check-drain',
  'terminate-instances',
  'check-instances-gone',
  'record-scale',
] as const satisfies readonly StepId[];

/** The functions the scale machine invokes. */
export type ScaleFunctions = Readonly<Record<(typeof SCALE_MACHINE_STEP_IDS)[number], lambda.IFunction>>;

/** The input of a scale execution (Plan Scale documents the fields). */
export type ScaleMachineInput = Omit<ScaleRequest, 'executionId'>;

/** The Comment of the scale machine's definition. */
export const SCALE_COMMENT = "Scales a Mesos cluster's slaves within its bounds: launch from its image, or drain and terminate";

/** The error of `Scale Refused`, the end of a refused request (bad target, cluster busy or not complete). */
export const SCALE_REFUSED_ERROR = 'SCALE_REFUSED';
/** The error of `Scale Failed`. */
export const SCALE_FAILED_ERROR = 'SCALE_FAILED';

/**
 * Between Plan Scale and Check Scale Lease: long enough for a concurrent plan's lease write
 * (a Lambda call of a few API calls) to land, so that the check sees the last write.
 */
export const LEASE_SETTLE: Duration = Duration.seconds(5);

/** New slaves online in SSM: as any launch (running 15 s + agent 90 s). */
export const NEW_SLAVES_ONLINE: PollTiming = INSTANCES_ONLINE;

/**
 * New agents registered once the slaves are online: registration (20 s) read by a count that
 * ends AGENT_QUERY_RESULT after its query (the probe), so queries go out 10 s apart and the
 * second one reads the count at 20 s. One early check; bound ≈ 10 min.
 */
export const NEW_AGENTS_REGISTERED: PollTiming = expectedPoll({
  expected: TYPICAL_SECONDS.agentRegister,
  probe: AGENT_QUERY_RESULT.toSeconds(),
  interval: 5,
  early: 1,
  giveUpAfter: 600,
});

/**
 * A drain-agents command (drain or schedule clearing) done: delivery (2 s) + a few operator
 * API calls (≈ 3 s). Bound: the command's own delivery timeout (120 s) and a little more.
 */
export const DRAIN_COMMAND_DONE: PollTiming = expectedPoll({
  expected: TYPICAL_SECONDS.commandDelivery + TYPICAL_SECONDS.agentCount,
  interval: 5,
  early: 0,
  giveUpAfter: 150,
});

/**
 * The drained agents' tasks gone: Mesos gives them a 60 s grace period. A check every
 * DRAIN_POLL_SECONDS; after DRAIN_TIMEOUT_SECONDS the slaves are terminated anyway.
 */
export const TASKS_DRAINED: PollTiming = {
  firstWait: Duration.seconds(DRAIN_POLL_SECONDS),
  interval: Duration.seconds(DRAIN_POLL_SECONDS),
  maxChecks: DRAIN_TIMEOUT_SECONDS / DRAIN_POLL_SECONDS,
};

/** Removed slaves terminated: as any termination. */
export const REMOVED_SLAVES_GONE: PollTiming = INSTANCES_TERMINATED;

/** Plans of one alarm scale (the first included): each after the cooldown of the one before. */
export const MAX_ALARM_ROUNDS = 10;

/**
 * Execution timeout. One round takes minutes (≈ 27 min at worst for a scale-in: drain
 * timeout, termination, commands); an alarm scale adds a cooldown per round. The timeout
 * only backstops the loop bounds; the scale lease is held within one round only.
 */
export const SCALE_MACHINE_TIMEOUT: Duration = Duration.hours(6);

const J = sfn.JsonPath;

/** The plan of the current round (Plan Scale's whole answer). */
const PLAN = '$.scale.plan';
const CLUSTER: ClusterPaths = { clusterId: `${PLAN}.clusterId`, clusterName: `${PLAN}.clusterName` };

/** Appended to a failure that could not be recorded (plain text: no intrinsic escapes). */
const UNRECORDED = ' - the failure could not be recorded and the scale lease may still be held, see the execution history';

/**
 * Builds the scale definition (from Read Scale Request, with its refusal and failure paths)
 * without a StateMachine, for the machine construct, tests and the ASL export.
 */
export function buildScaleDefinition(scope: Construct, functions: ScaleFunctions): sfn.Chain {
  const task = (
    stateName: string,
    id: keyof ScaleFunctions,
    payload: PayloadFields,
    result: Record<string, string>,
    resultPath: string,
    retries: RetryPolicy = CREATE_STEP_RETRIES
  ) => stepTask(scope, stateName, { fn: functions[id], cluster: CLUSTER, payload, result, resultPath, retries });
  const master = J.stringAt(`${PLAN}.masterInstanceId`);
  // A drain of round n must not reuse the drain (or schedule clearing) command of round n-1:
  // Drain Slaves identifies its command by the execution id, so each round gets its own.
  const roundId = J.format('{}#{}', J.executionId, J.stringAt('$.round.count'));

  // ------------------------------------------------------------------ request and plan
  // The input fields are optional (an alarm gives only its name): they are passed on as a
  // whole, with the lease owner (this execution) merged in.
  const readRequest = new sfn.Pass(scope, 'Read Scale Request', {
    parameters: { request: J.objectAt('$'), lease: { executionId: J.executionId }, round: { count: 1 } },
  });
  const plan = applyRetries(
    new tasks.LambdaInvoke(scope, 'Plan Scale', {
      lambdaFunction: functions['plan-scale'],
      payload: sfn.TaskInput.fromJsonPathAt(J.jsonMerge(J.objectAt('$.request'), J.objectAt('$.lease'))),
      // The plan's fields depend on its action (launch only for out): kept whole, it is small.
      resultSelector: { plan: J.objectAt('$.Payload') },
      resultPath: '$.scale',
      taskTimeout: sfn.Timeout.duration(STEP_TASK_TIMEOUT),
    }),
    CREATE_STEP_RETRIES
  );
  const checkLease = task('Check Scale Lease', 'check-scale-lease', {}, { held: '$.Payload.held' }, '$.leaseCheck');

  // ------------------------------------------------------------------ record and loop
  const recordScale = task(
    'Record Scale',
    'record-scale',
    { outcome: 'succeeded', target: J.numberAt(`${PLAN}.target`) },
    { recorded: '$.Payload.recorded', status: '$.Payload.status' },
    '$.recorded'
  );
  const countRounds = new sfn.Pass(scope, 'Count Scale Rounds', {
    parameters: { count: J.mathAdd(J.numberAt('$.round.count'), 1) },
    resultPath: '$.round',
  });
  const waitCooldown = new sfn.Wait(scope, 'Wait Out The Cooldown', { time: sfn.WaitTime.secondsPath(`${PLAN}.cooldownSeconds`) });
  waitCooldown.next(countRounds).next(plan);
  recordScale.next(
    new sfn.Choice(scope, 'Keep Following The Alarm?')
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.request.source', 'alarm'),
          sfn.Condition.numberLessThan('$.round.count', MAX_ALARM_ROUNDS)
        ),
        waitCooldown
      )
      .otherwise(new sfn.Succeed(scope, 'Cluster Scaled'))
  );

  // ------------------------------------------------------------------ failure and refusal
  const scaleFailed = new sfn.Fail(scope, 'Scale Failed', { error: SCALE_FAILED_ERROR, causePath: FAILURE_CAUSE_PATH });
  const recordFailure = task(
    'Record Scale Failure',
    'record-scale',
    { outcome: 'failed', error: J.objectAt(ERROR_PATH) },
    {
      failureCode: '$.Payload.failureCode',
      failureReason: '$.Payload.failureReason',
      cause: J.format('{}: {}', J.stringAt('$.Payload.failureCode'), J.stringAt('$.Payload.failureReason')),
    },
    FAILURE_PATH
  );
  const unrecorded = new sfn.Pass(scope, 'Note Unrecorded Scale Failure', {
    parameters: {
      failureCode: SCALE_FAILED_ERROR,
      failureReason: J.format(`{}${UNRECORDED}`, J.stringAt(`${ERROR_PATH}.Error`)),
      cause: J.format(`${SCALE_FAILED_ERROR}: {}${UNRECORDED}`, J.stringAt(`${ERROR_PATH}.Error`)),
    },
    resultPath: FAILURE_PATH,
  });
  recordFailure.addCatch(unrecorded.next(scaleFailed), { errors: [sfn.Errors.ALL], resultPath: '$.recordError' });
  recordFailure.next(scaleFailed);

  // Plan Scale failed before it knew the cluster (an alarm names it only by its alarm): no
  // lease was taken, nothing to record; the cause keeps the caught error as it is.
  const planningFailed = new sfn.Pass(scope, 'Note Planning Failure', {
    parameters: {
      failureCode: 'PLAN_SCALE_FAILED',
      failureReason: J.format('{}: {}', J.stringAt(`${ERROR_PATH}.Error`), J.stringAt(`${ERROR_PATH}.Cause`)),
      cause: J.format('PLAN_SCALE_FAILED: {}: {}', J.stringAt(`${ERROR_PATH}.Error`), J.stringAt(`${ERROR_PATH}.Cause`)),
    },
    resultPath: FAILURE_PATH,
  }).next(scaleFailed);
  const wasPlanned = new sfn.Choice(scope, 'Was A Scale Planned?')
    .when(sfn.Condition.isPresent(PLAN), recordFailure)
    .otherwise(planningFailed);

  // ValidationError and ConflictError come from our steps: their cause is Lambda's JSON error.
  const readRefusal = new sfn.Pass(scope, 'Read Refusal', {
    parameters: { reason: J.stringToJson(J.stringAt(`${ERROR_PATH}.Cause`)) },
    resultPath: '$.refusal',
  });
  const refused = new sfn.Fail(scope, 'Scale Refused', { error: SCALE_REFUSED_ERROR, causePath: '$.refusal.reason.errorMessage' });
  // Rules are tried in order: no rule reads a path an earlier rule ruled out.
  readRefusal.next(
    new sfn.Choice(scope, 'Should The Alarm Scale Stop Quietly?')
      .when(sfn.Condition.not(sfn.Condition.isPresent('$.request.source')), refused)
      .when(
        sfn.Condition.and(
          sfn.Condition.stringEquals('$.request.source', 'alarm'),
          sfn.Condition.stringEquals(`${ERROR_PATH}.Error`, 'ConflictError')
        ),
        new sfn.Succeed(scope, 'Scale Skipped')
      )
      .otherwise(refused)
  );
  const refusals = ['ValidationError', 'ConflictError'];
  plan.addCatch(readRefusal, { errors: refusals, resultPath: ERROR_PATH });
  plan.addCatch(wasPlanned, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  checkLease.addCatch(readRefusal, { errors: ['ConflictError'], resultPath: ERROR_PATH });

  /** A poll loop at its bound records the timeout as the caught error and fails the scale. */
  const failOnTimeout = (s: Construct, stateName: string, error: string, cause: string) =>
    new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(recordFailure);

  // ------------------------------------------------------------------ scale out
  const launchSlaves = task(
    'Launch Slaves',
    'launch-instances',
    {
      role: 'slave',
      count: J.numberAt(`${PLAN}.delta`),
      instanceType: J.stringAt(`${PLAN}.launch.instanceType`),
      imageId: J.stringAt(`${PLAN}.launch.imageId`),
      subnetIds: J.listAt(`${PLAN}.launch.subnetIds`),
      securityGroupId: J.stringAt(`${PLAN}.launch.securityGroupId`),
      masterIps: J.listAt(`${PLAN}.launch.masterIps`),
      // Each round of each execution launches its own slaves; a retried launch launches none.
      tokenSuffix: J.format('{}-{}', J.executionName, J.stringAt('$.round.count')),
    },
    { instanceIds: '$.Payload.instanceIds' },
    '$.launched',
    LAUNCH_STEP_RETRIES
  );
  const queryAgents = task('Query Agents', 'query-agents', { instanceId: master }, { commandId: '$.Payload.commandId' }, '$.agentQuery');
  const checkAgents = task(
    'Check Agents Registered',
    'check-agents-registered',
    { commandId: J.stringAt('$.agentQuery.commandId'), instanceId: master, expected: J.numberAt(`${PLAN}.target`) },
    { registered: '$.Payload.registered', ready: '$.Payload.ready' },
    '$.agents',
    CHECK_STEP_RETRIES
  );
  const checkOnline = task(
    'Check New Slaves Online',
    'check-ssm-online',
    { instanceIds: J.listAt('$.launched.instanceIds') },
    { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount' },
    '$.newSlavesOnline',
    CHECK_STEP_RETRIES
  );
  const agentsLoop = pollLoop(scope, {
    subject: 'New Agents',
    counter: 'newAgents',
    probe: sfn.Chain.start(queryAgents)
      .next(new sfn.Wait(scope, 'Wait For Agent Count', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkAgents),
    question: 'Are New Agents Registered?',
    done: sfn.Condition.booleanEquals('$.agents.ready', true),
    next: recordScale,
    timing: NEW_AGENTS_REGISTERED,
    stepId: 'check-agents-registered',
    notDone: 'new agents not registered with the master',
    onTimeout: failOnTimeout,
  });
  const scaleOut = sfn.Chain.start(launchSlaves).next(
    pollLoop(scope, {
      subject: 'New Slaves Online',
      counter: 'newSlavesOnline',
      probe: checkOnline,
      question: 'Are New Slaves Online?',
      done: sfn.Condition.booleanEquals('$.newSlavesOnline.online', true),
      next: agentsLoop,
      timing: NEW_SLAVES_ONLINE,
      stepId: 'check-ssm-online',
      notDone: 'new slaves not online in SSM',
      onTimeout: failOnTimeout,
    })
  );

  // ------------------------------------------------------------------ scale in
  const queryLoad = task(
    'Query Agent Load',
    'query-agent-load',
    { instanceId: master },
    { commandId: '$.Payload.commandId' },
    '$.loadQuery'
  );
  const pick = task(
    'Pick Slaves To Remove',
    'pick-slaves-to-remove',
    { instanceId: master, commandId: J.stringAt('$.loadQuery.commandId'), count: J.numberAt(`${PLAN}.delta`) },
    { instanceIds: '$.Payload.instanceIds', agentIps: '$.Payload.agentIps', tasks: '$.Payload.tasks' },
    '$.removal',
    CHECK_STEP_RETRIES
  );
  const drain = task(
    'Drain Slaves',
    'drain-slaves',
    { instanceId: master, agentIps: J.listAt('$.removal.agentIps'), executionId: roundId },
    { commandId: '$.Payload.commandId' },
    '$.drain'
  );
  const checkDrainCommand = task(
    'Check Drain Command',
    'check-command',
    { commandId: J.stringAt('$.drain.commandId'), instanceIds: J.array(master) },
    { done: '$.Payload.done' },
    '$.drainCommand',
    CHECK_STEP_RETRIES
  );
  const queryDrained = task(
    'Query Drained Agents',
    'query-agent-load',
    { instanceId: master },
    { commandId: '$.Payload.commandId' },
    '$.drainQuery'
  );
  const checkDrain = task(
    'Check Drain',
    'check-drain',
    { instanceId: master, commandId: J.stringAt('$.drainQuery.commandId'), agentIps: J.listAt('$.removal.agentIps') },
    { drained: '$.Payload.drained', remainingTasks: '$.Payload.remainingTasks' },
    '$.drainStatus',
    CHECK_STEP_RETRIES
  );
  const terminate = task(
    'Terminate Removed Slaves',
    'terminate-instances',
    { instanceIds: J.listAt('$.removal.instanceIds') },
    { terminating: '$.Payload.terminating' },
    '$.termination'
  );
  const checkGone = task(
    'Check Removed Slaves Gone',
    'check-instances-gone',
    { instanceIds: J.listAt('$.removal.instanceIds') },
    { done: '$.Payload.done', remaining: '$.Payload.remaining' },
    '$.removedSlaves',
    CHECK_STEP_RETRIES
  );
  // A new slave that gets a removed one's address must not start in maintenance.
  const clearSchedule = task(
    'Clear Maintenance Schedule',
    'drain-slaves',
    { instanceId: master, agentIps: [], executionId: roundId },
    { commandId: '$.Payload.commandId' },
    '$.scheduleClearing'
  );
  const checkCleared = task(
    'Check Schedule Cleared',
    'check-command',
    { commandId: J.stringAt('$.scheduleClearing.commandId'), instanceIds: J.array(master) },
    { done: '$.Payload.done' },
    '$.scheduleCleared',
    CHECK_STEP_RETRIES
  );

  const afterTermination = sfn.Chain.start(terminate).next(
    pollLoop(scope, {
      subject: 'Removed Slaves Termination',
      counter: 'removedSlaves',
      probe: checkGone,
      question: 'Are Removed Slaves Gone?',
      done: sfn.Condition.booleanEquals('$.removedSlaves.done', true),
      next: sfn.Chain.start(clearSchedule).next(
        pollLoop(scope, {
          subject: 'Schedule Clearing',
          counter: 'scheduleClearing',
          probe: checkCleared,
          question: 'Is Maintenance Schedule Cleared?',
          done: sfn.Condition.booleanEquals('$.scheduleCleared.done', true),
          next: recordScale,
          timing: DRAIN_COMMAND_DONE,
          stepId: 'check-command',
          notDone: 'maintenance schedule not cleared',
          onTimeout: failOnTimeout,
        })
      ),
      timing: REMOVED_SLAVES_GONE,
      stepId: 'check-instances-gone',
      notDone: 'removed slaves not terminated',
      onTimeout: failOnTimeout,
    })
  );
  // Tasks that never leave do not block the scale: at the drain timeout the slaves go anyway.
  const drainLoop = pollLoop(scope, {
    subject: 'Drain',
    counter: 'drain',
    probe: sfn.Chain.start(queryDrained)
      .next(new sfn.Wait(scope, 'Wait For Drained Agents Load', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkDrain),
    question: 'Have The Tasks Left?',
    done: sfn.Condition.booleanEquals('$.drainStatus.drained', true),
    next: afterTermination,
    timing: TASKS_DRAINED,
    stepId: 'check-drain',
    notDone: 'tasks still on the drained agents',
    onTimeout: (s, stateName, error, cause) =>
      new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: '$.drainTimeout' }).next(terminate),
  });
  const scaleIn = sfn.Chain.start(queryLoad)
    .next(new sfn.Wait(scope, 'Wait For Agent Load', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
    .next(pick)
    .next(drain)
    .next(
      pollLoop(scope, {
        subject: 'Drain Command',
        counter: 'drainCommand',
        probe: checkDrainCommand,
        question: 'Is Drain Command Done?',
        done: sfn.Condition.booleanEquals('$.drainCommand.done', true),
        next: drainLoop,
        timing: DRAIN_COMMAND_DONE,
        stepId: 'check-command',
        notDone: 'drain command not finished',
        onTimeout: failOnTimeout,
      })
    );

  const failing = [
    checkLease,
    launchSlaves,
    checkOnline,
    queryAgents,
    checkAgents,
    queryLoad,
    pick,
    drain,
    checkDrainCommand,
    queryDrained,
    checkDrain,
    terminate,
    checkGone,
    clearSchedule,
    checkCleared,
    recordScale,
  ];
  for (const state of failing) state.addCatch(recordFailure, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });

  const which = new sfn.Choice(scope, 'Which Way To Scale?')
    .when(sfn.Condition.stringEquals(`${PLAN}.action`, 'in'), scaleIn)
    .otherwise(scaleOut);
  const waitRemaining = new sfn.Wait(scope, 'Wait Out The Remaining Cooldown', {
    time: sfn.WaitTime.secondsPath(`${PLAN}.retryAfterSeconds`),
  });
  waitRemaining.next(countRounds);
  const inCooldown = new sfn.Choice(scope, 'Wait For The Cooldown?')
    .when(
      sfn.Condition.and(
        sfn.Condition.stringEquals('$.request.source', 'alarm'),
        sfn.Condition.isPresent(`${PLAN}.retryAfterSeconds`),
        sfn.Condition.numberLessThan('$.round.count', MAX_ALARM_ROUNDS)
      ),
      waitRemaining
    )
    .otherwise(new sfn.Succeed(scope, 'No Scale Needed'));
  const needed = new sfn.Choice(scope, 'Is A Scale Needed?')
    .when(sfn.Condition.stringEquals(`${PLAN}.action`, 'none'), inCooldown)
    .otherwise(
      sfn.Chain.start(new sfn.Wait(scope, 'Wait For Lease To Settle', { time: sfn.WaitTime.duration(LEASE_SETTLE) }))
        .next(checkLease)
        .next(which)
    );
  return sfn.Chain.start(readRequest).next(plan).next(needed);
}

export interface ScaleClusterMachineProps extends MachineObservabilityProps {
  /** The functions of the steps the machine invokes (SCALE_MACHINE_STEP_IDS). */
  readonly functions: ScaleFunctions;
  /** @default 6 hours (SCALE_MACHINE_TIMEOUT) */
  readonly timeout?: Duration;
  /** @default a name generated by CloudFormation */
  readonly stateMachineName?: string;
}

/**
 * The scale state machine (Standard). Input: `{ clusterId?, alarmName?, clusterName?,
 * direction?, targetSlaves?, source }` (ScaleRequest without executionId).
 */
export class ScaleClusterMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.ILogGroup;
  /** Fires when an execution fails (refusals included). */
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: ScaleClusterMachineProps) {
    super(scope, id);
    const timeout = props.timeout ?? SCALE_MACHINE_TIMEOUT;
    if (timeout.toSeconds() < 3600)
      throw new Error('ScaleClusterMachine: timeout must be at least one hour (a scale-in round takes up to ≈ 27 min)');
    for (const stepId of SCALE_MACHINE_STEP_IDS) {
      if (!props.functions[stepId]) throw new Error(`ScaleClusterMachine: no function for step ${stepId}`);
    }
    const machine = buildStandardMachine(this, {
      ...props,
      machineLabel: 'scale',
      comment: SCALE_COMMENT,
      timeout,
      definition: (scope) => buildScaleDefinition(scope, props.functions),
    });
    this.stateMachine = machine.stateMachine;
    this.logGroup = machine.logGroup;
    this.failedAlarm = machine.failedAlarm;
  }
}
