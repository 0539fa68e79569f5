/**
 * The scale-out phase of the scale machine: Launch Slaves (the cluster's image, one
 * RunInstances call per zone) → wait online in SSM → Query Agents → wait registered (= the
 * plan's target) → `next`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { pollLoop } from '../poll-loop';
import { AGENT_QUERY_RESULT } from '../timings';
import { type CatchableState, J, type OnPollTimeout, PLAN, type ScalePhaseContext } from './context';
import { NEW_AGENTS_REGISTERED, NEW_SLAVES_ONLINE } from './timings';

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
    payload: { commandId: J.stringAt('$.agentQuery.commandId'), instanceId: master, expected: J.numberAt(`${PLAN}.target`) },
    result: { registered: '$.Payload.registered', ready: '$.Payload.ready' },
    resultPath: '$.agents',
  });
  const checkOnline = check('Check New Slaves Online', {
    step: 'check-ssm-online',
    payload: { instanceIds: J.listAt('$.launched.instanceIds') },
    result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount' },
    resultPath: '$.newSlavesOnline',
  });
  const agentsLoop = pollLoop(scope, {
    subject: 'New Agents',
    counter: 'newAgents',
    probe: sfn.Chain.start(queryAgents)
      .next(new sfn.Wait(scope, 'Wait For Agent Count', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkAgents),
    question: 'Are New Agents Registered?',
    done: sfn.Condition.booleanEquals('$.agents.ready', true),
    next: props.next,
    timing: NEW_AGENTS_REGISTERED,
    stepId: 'check-agents-registered',
    notDone: 'new agents not registered with the master',
    onTimeout: props.onTimeout,
  });
  const chain = sfn.Chain.start(launchSlaves).next(
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
      onTimeout: props.onTimeout,
    })
  );
  return { chain, catchable: [launchSlaves, checkOnline, queryAgents, checkAgents] };
}
