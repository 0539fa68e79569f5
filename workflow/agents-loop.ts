/**
 * The agent-registration loop that the create's agents phase and the scale-out share:
 *
 *   Query Agents → Wait For <subject> → Check Agents Registered → <question> → (not yet)
 *   Wait To Recheck <subject> → Check Agents Registered … → registered → `next`.
 *
 * Query Agents sends the first count; the check reads it and, when it falls short, sends the
 * next, so a recheck is three states. The loop counts from the first query.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { type TimedPollLoopProps, timedPollLoop } from './poll-loop';
import type { PayloadFields, StepBuilder } from './step-task';
import { POLL_ANSWER } from './timings';

export interface AgentsLoopProps {
  readonly step: StepBuilder<'query-agents'>;
  readonly check: StepBuilder<'check-agents-registered'>;
  /** The master that counts the agents (a JSONPath value). */
  readonly instanceId: string;
  /** How many agents must be registered (a JSONPath value). */
  readonly expected: number;
  /** The check's time budget fields (`budgetSeconds` or the spec's minutes). */
  readonly budget: PayloadFields;
  /** Names the loop's Wait states: `Wait For <subject>`, `Wait To Recheck <subject>`. */
  readonly subject: string;
  readonly question: string;
  /** What a timeout's reason says was not done. */
  readonly notDone: string;
  readonly next: sfn.IChainable;
  readonly onTimeout: TimedPollLoopProps['onTimeout'];
}

export interface AgentsLoop {
  readonly chain: sfn.Chain;
  readonly queryAgents: sfn.TaskStateBase;
  readonly checkAgents: sfn.TaskStateBase;
}

export function agentsLoop(scope: Construct, props: AgentsLoopProps): AgentsLoop {
  const queryAgents = props.step('Query Agents', {
    step: 'query-agents',
    payload: { instanceId: props.instanceId },
    result: { commandId: '$.Payload.commandId', startedAt: '$.Payload.startedAt' },
    resultPath: '$.agents',
  });
  const checkAgents = props.check('Check Agents Registered', {
    step: 'check-agents-registered',
    payload: {
      // The query to read: Query Agents' first, then the one the last check answered.
      commandId: sfn.JsonPath.stringAt('$.agents.commandId'),
      instanceId: props.instanceId,
      expected: props.expected,
      since: sfn.JsonPath.stringAt('$.agents.startedAt'),
      ...props.budget,
    },
    result: {
      registered: '$.Payload.registered',
      ready: '$.Payload.ready',
      commandId: '$.Payload.commandId',
      startedAt: '$.Payload.startedAt',
      ...POLL_ANSWER,
    },
    resultPath: '$.agents',
  });
  const chain = sfn.Chain.start(queryAgents).next(
    timedPollLoop(scope, {
      subject: props.subject,
      answerPath: '$.agents',
      // Its check reads the query and sends the next one: a recheck re-enters the check only.
      probe: checkAgents,
      question: props.question,
      done: sfn.Condition.booleanEquals('$.agents.ready', true),
      next: props.next,
      stepId: 'check-agents-registered',
      notDone: props.notDone,
      onTimeout: props.onTimeout,
    })
  );
  return { chain, queryAgents, checkAgents };
}
