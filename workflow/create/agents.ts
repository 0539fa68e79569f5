/**
 * The agents phase of the create machine:
 *
 *   Any Slaves? → Query Agents → Wait For Agent Count → Check Agents Registered → wait
 *   registered → `next` (the smoke test); no slaves → `noSlaves`.
 *
 * The loop counts from the slaves' launch (an agent count has no start of its own), so its
 * rechecks come a tenth of the slaves' age apart, and it starts with a query: by the time
 * the nodes are built the slaves have been booting for a while.
 *
 * The agents loop runs outside any Parallel: at its bound it records the timeout as the
 * caught error and joins the failure path, so the cluster is rolled back like any failure.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { timedPollLoop } from '../poll-loop';
import { ERROR_PATH } from '../record-failure';
import { AGENT_QUERY_RESULT, POLL_ANSWER } from '../timings';
import { type CatchableState, type CreatePhaseContext, J, SPEC } from './context';

export interface AgentsPhaseProps {
  /** Where the create goes once every slave's agent has registered. */
  readonly next: sfn.IChainable;
  /** Where a create without slaves goes (nothing to register, nothing to run work on). */
  readonly noSlaves: sfn.IChainable;
  /** The failure path a loop at its bound joins, its error in `$.error`. */
  readonly onTimeout: sfn.IChainable;
}

export interface AgentsPhase {
  /** Any Slaves? */
  readonly start: sfn.Choice;
  /** Its steps, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function agentsPhase(ctx: CreatePhaseContext, props: AgentsPhaseProps): AgentsPhase {
  const { scope, step, check } = ctx;
  const queryAgents = step('Query Agents', {
    step: 'query-agents',
    payload: { instanceId: J.stringAt('$.nodes.firstMasterId') },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.agentQuery',
  });
  const checkAgents = check('Check Agents Registered', {
    step: 'check-agents-registered',
    payload: {
      commandId: J.stringAt('$.agentQuery.commandId'),
      instanceId: J.stringAt('$.nodes.firstMasterId'),
      expected: J.numberAt(`${SPEC}.slaves`),
      since: J.stringAt('$.nodes.slavesLaunchedAt'),
      // Counted from the launch: the slaves' boot budget, then the agents'.
      budgetMinutes: J.mathAdd(J.numberAt(`${SPEC}.timeouts.nodesOnlineMinutes`), J.numberAt(`${SPEC}.timeouts.agentsMinutes`)),
    },
    result: { registered: '$.Payload.registered', ready: '$.Payload.ready', ...POLL_ANSWER },
    resultPath: '$.agents',
  });
  const agentsLoop = timedPollLoop(scope, {
    subject: 'Agents',
    answerPath: '$.agents',
    firstWait: null,
    probe: sfn.Chain.start(queryAgents)
      .next(new sfn.Wait(scope, 'Wait For Agent Count', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkAgents),
    question: 'Are Agents Registered?',
    done: sfn.Condition.booleanEquals('$.agents.ready', true),
    next: props.next,
    stepId: 'check-agents-registered',
    notDone: 'agents not registered with the master',
    onTimeout: (s, stateName, error, cause) =>
      new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(props.onTimeout),
  });
  const start = new sfn.Choice(scope, 'Any Slaves?')
    .when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), agentsLoop)
    .otherwise(props.noSlaves);
  return { start, catchable: [queryAgents, checkAgents] };
}
