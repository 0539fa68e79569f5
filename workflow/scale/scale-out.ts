/**
 * The scale-out phase of the scale machine: Launch Slaves (the cluster's image, one
 * RunInstances call per zone) → wait online in SSM → Query Agents → wait registered (= the
 * plan's target) → `next`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { timedPollLoop } from '../poll-loop';
import { AGENT_QUERY_RESULT, POLL_ANSWER, POLL_BUDGETS } from '../timings';
import { type CatchableState, J, type OnPollTimeout, PLAN, type ScalePhaseContext } from './context';

export interface ScaleBranchProps {
  /** Where the branch goes once done (Record Scale). */
  readonly next: sfn.IChainable;
  /** What a poll loop at its bound goes to. */
  readonly onTimeout: OnPollTimeout;
}

export interface ScaleBranch {
  readonly chain: sfn.Chain;
  /** Its steps, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function scaleOutPhase(ctx: ScalePhaseContext, props: ScaleBranchProps): ScaleBranch {
  const { scope, step, launch, check, master } = ctx;
  const launchSlaves = launch('Launch Slaves', {
    step: 'launch-instances',
    payload: {
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
    result: { instanceIds: '$.Payload.instanceIds' },
    resultPath: '$.launched',
  });
  const queryAgents = step('Query Agents', {
    step: 'query-agents',
    payload: { instanceId: master },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.agentQuery',
  });
  const checkAgents = check('Check Agents Registered', {
    step: 'check-agents-registered',
    payload: {
      commandId: J.stringAt('$.agentQuery.commandId'),
      instanceId: master,
      expected: J.numberAt(`${PLAN}.target`),
      // Counted from the new slaves' launch: their boot budget, then the agents'.
      since: J.stringAt('$.newSlavesOnline.startedAt'),
      budgetSeconds: POLL_BUDGETS.nodesOnline + POLL_BUDGETS.agentsRegistered,
    },
    result: { registered: '$.Payload.registered', ready: '$.Payload.ready', ...POLL_ANSWER },
    resultPath: '$.agents',
  });
  const checkOnline = check('Check New Slaves Online', {
    step: 'check-ssm-online',
    payload: { instanceIds: J.listAt('$.launched.instanceIds'), budgetSeconds: POLL_BUDGETS.nodesOnline },
    result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount', startedAt: '$.Payload.startedAt', ...POLL_ANSWER },
    resultPath: '$.newSlavesOnline',
  });
  const agentsLoop = timedPollLoop(scope, {
    subject: 'New Agents',
    answerPath: '$.agents',
    firstWait: null,
    probe: sfn.Chain.start(queryAgents)
      .next(new sfn.Wait(scope, 'Wait For Agent Count', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkAgents),
    question: 'Are New Agents Registered?',
    done: sfn.Condition.booleanEquals('$.agents.ready', true),
    next: props.next,
    stepId: 'check-agents-registered',
    notDone: 'new agents not registered with the master',
    onTimeout: props.onTimeout,
  });
  const chain = sfn.Chain.start(launchSlaves).next(
    timedPollLoop(scope, {
      subject: 'New Slaves Online',
      answerPath: '$.newSlavesOnline',
      probe: checkOnline,
      question: 'Are New Slaves Online?',
      done: sfn.Condition.booleanEquals('$.newSlavesOnline.online', true),
      next: agentsLoop,
      stepId: 'check-ssm-online',
      notDone: 'new slaves not online in SSM',
      onTimeout: props.onTimeout,
    })
  );
  return { chain, catchable: [launchSlaves, checkOnline, queryAgents, checkAgents] };
}
