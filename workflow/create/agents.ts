/**
 * The agents phase of the create machine:
 *
 *   Any Slaves? → Query Agents → Wait For Agents → Check Agents Registered → Are Agents
 *   Registered? → (not yet) Wait To Recheck Agents → Check Agents Registered …
 *   registered → `next` (the smoke test); no slaves → `noSlaves`.
 *
 * The loop counts from the first query (an agent count has no start of its own): the nodes
 * are built then (slaves booted, masters configured), which is when the agents can
 * register, so its budget is the spec's `agentsMinutes`. Query Agents sends the first
 * count; the check reads it and, when it falls short, sends the next, so a recheck is three
 * states.
 *
 * The agents loop runs outside any Parallel: at its bound it records the timeout as the
 * caught error and joins the failure path, so the cluster is rolled back like any failure.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { agentsLoop } from '../agents-loop';
import { ERROR_PATH } from '../record-failure';
import { budget, type CatchableState, type CreatePhaseContext, J, SPEC } from './context';

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
  const { chain, queryAgents, checkAgents } = agentsLoop(scope, {
    step,
    check,
    instanceId: J.stringAt('$.nodes.firstMasterId'),
    expected: J.numberAt(`${SPEC}.slaves`),
    // Counted from the first query: the nodes are built, the agents can register.
    budget: budget('agentsMinutes'),
    subject: 'Agents',
    question: 'Are Agents Registered?',
    notDone: 'agents not registered with the master',
    next: props.next,
    onTimeout: (s, stateName, error, cause) =>
      new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(props.onTimeout),
  });
  const start = new sfn.Choice(scope, 'Any Slaves?')
    .when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), chain)
    .otherwise(props.noSlaves);
  return { start, catchable: [queryAgents, checkAgents] };
}
