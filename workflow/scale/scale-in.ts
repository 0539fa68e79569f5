/**
 * The scale-in phase of the scale machine:
 *
 *   Query Agent Load → Pick Slaves To Remove (fewest tasks) → Drain Slaves (Mesos maintenance
 *   + drain) → wait command → wait until their tasks have left, or the drain timeout
 *   → Terminate Removed Slaves → wait gone → Clear Maintenance Schedule → wait command → `next`
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { pollLoop, timedPollLoop } from '../poll-loop';
import { AGENT_QUERY_RESULT, POLL_ANSWER, POLL_BUDGETS } from '../timings';
import { J, PLAN, type ScalePhaseContext } from './context';
import type { ScaleBranch, ScaleBranchProps } from './scale-out';
import { TASKS_DRAINED } from './timings';

export function scaleInPhase(ctx: ScalePhaseContext, props: ScaleBranchProps): ScaleBranch {
  const { scope, step, check, master, roundId } = ctx;
  const queryLoad = step('Query Agent Load', {
    step: 'query-agent-load',
    payload: { instanceId: master },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.loadQuery',
  });
  const pick = check('Pick Slaves To Remove', {
    step: 'pick-slaves-to-remove',
    payload: { instanceId: master, commandId: J.stringAt('$.loadQuery.commandId'), count: J.numberAt(`${PLAN}.delta`) },
    result: { instanceIds: '$.Payload.instanceIds', agentIps: '$.Payload.agentIps', tasks: '$.Payload.tasks' },
    resultPath: '$.removal',
  });
  const drain = step('Drain Slaves', {
    step: 'drain-slaves',
    payload: { instanceId: master, agentIps: J.listAt('$.removal.agentIps'), executionId: roundId },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.drain',
  });
  const checkDrainCommand = check('Check Drain Command', {
    step: 'check-command',
    payload: { commandId: J.stringAt('$.drain.commandId'), instanceIds: J.array(master), budgetSeconds: POLL_BUDGETS.drainCommand },
    result: { done: '$.Payload.done', ...POLL_ANSWER },
    resultPath: '$.drainCommand',
  });
  const queryDrained = step('Query Drained Agents', {
    step: 'query-agent-load',
    payload: { instanceId: master },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.drainQuery',
  });
  const checkDrain = check('Check Drain', {
    step: 'check-drain',
    payload: { instanceId: master, commandId: J.stringAt('$.drainQuery.commandId'), agentIps: J.listAt('$.removal.agentIps') },
    result: { drained: '$.Payload.drained', remainingTasks: '$.Payload.remainingTasks' },
    resultPath: '$.drainStatus',
  });
  const terminate = step('Terminate Removed Slaves', {
    step: 'terminate-instances',
    payload: { instanceIds: J.listAt('$.removal.instanceIds') },
    result: { terminating: '$.Payload.terminating' },
    resultPath: '$.termination',
  });
  const checkGone = check('Check Removed Slaves Gone', {
    step: 'check-instances-gone',
    payload: { instanceIds: J.listAt('$.removal.instanceIds'), budgetSeconds: POLL_BUDGETS.instancesTerminated },
    result: { done: '$.Payload.done', remaining: '$.Payload.remaining', ...POLL_ANSWER },
    resultPath: '$.removedSlaves',
  });
  // A new slave that gets a removed one's address must not start in maintenance.
  const clearSchedule = step('Clear Maintenance Schedule', {
    step: 'drain-slaves',
    payload: { instanceId: master, agentIps: [], executionId: roundId },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.scheduleClearing',
  });
  const checkCleared = check('Check Schedule Cleared', {
    step: 'check-command',
    payload: {
      commandId: J.stringAt('$.scheduleClearing.commandId'),
      instanceIds: J.array(master),
      budgetSeconds: POLL_BUDGETS.drainCommand,
    },
    result: { done: '$.Payload.done', ...POLL_ANSWER },
    resultPath: '$.scheduleCleared',
  });

  const afterTermination = sfn.Chain.start(terminate).next(
    timedPollLoop(scope, {
      subject: 'Removed Slaves Termination',
      answerPath: '$.removedSlaves',
      probe: checkGone,
      question: 'Are Removed Slaves Gone?',
      done: sfn.Condition.booleanEquals('$.removedSlaves.done', true),
      next: sfn.Chain.start(clearSchedule).next(
        timedPollLoop(scope, {
          subject: 'Schedule Clearing',
          answerPath: '$.scheduleCleared',
          probe: checkCleared,
          question: 'Is Maintenance Schedule Cleared?',
          done: sfn.Condition.booleanEquals('$.scheduleCleared.done', true),
          next: props.next,
          stepId: 'check-command',
          notDone: 'maintenance schedule not cleared',
          onTimeout: props.onTimeout,
        })
      ),
      stepId: 'check-instances-gone',
      notDone: 'removed slaves not terminated',
      onTimeout: props.onTimeout,
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
  const chain = sfn.Chain.start(queryLoad)
    .next(new sfn.Wait(scope, 'Wait For Agent Load', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
    .next(pick)
    .next(drain)
    .next(
      timedPollLoop(scope, {
        subject: 'Drain Command',
        answerPath: '$.drainCommand',
        probe: checkDrainCommand,
        question: 'Is Drain Command Done?',
        done: sfn.Condition.booleanEquals('$.drainCommand.done', true),
        next: drainLoop,
        stepId: 'check-command',
        notDone: 'drain command not finished',
        onTimeout: props.onTimeout,
      })
    );
  return {
    chain,
    catchable: [queryLoad, pick, drain, checkDrainCommand, queryDrained, checkDrain, terminate, checkGone, clearSchedule, checkCleared],
  };
}
