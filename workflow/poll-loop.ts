/**
 * The bounded poll loop: polling lives in the state machine, never in a Lambda.
 *
 *   Start <Subject> Checks (count = 0) → Wait For <Subject> (typical duration)
 *   → <probe> → Count <Subject> Checks (count + 1) → <Question>
 *       done                → next
 *       count ≥ maxChecks   → <Subject> Timed Out
 *       otherwise           → Wait To Recheck <Subject> (interval) → <probe> …
 *
 * The counter lives at `$.polls.<counter>.count`; it is incremented with States.MathAdd
 * (JSONPath only: no variables), so the loop ends after `maxChecks` checks whatever the
 * machine timeout. Inside a Parallel branch the counter is local to the branch.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { DEFAULT_BACK_OFF } from '../functions/shared/poll';
import type { StepId } from './step-catalogue';
import { type PollTiming, pollBound } from './timings';

/** The error of a loop that reached its bound; its cause starts with the check's step id. */
export const POLL_TIMEOUT_ERROR = 'PollTimeoutError';

export interface PollLoopProps {
  /** Names the loop's states, e.g. 'NAT Gateway' → 'Wait For NAT Gateway', 'NAT Gateway Timed Out'. */
  readonly subject: string;
  /** Prepended to every state name of the loop (e.g. 'Roll Back '). @default '' */
  readonly prefix?: string;
  /** Key of the loop's counter under `$.polls`. */
  readonly counter: string;
  /** The check: a task, or a chain that ends in the check. Every recheck re-enters its start. */
  readonly probe: sfn.IChainable;
  /** Name of the Choice state, a question: 'Is NAT Gateway Available?'. */
  readonly question: string;
  /** When the check's result says the operation is done. */
  readonly done: sfn.Condition;
  /** Where a done loop continues. */
  readonly next: sfn.IChainable;
  readonly timing: PollTiming;
  /** The check's step id: the timed-out cause starts with it, as every step error does. */
  readonly stepId: StepId;
  /** What is still not so when the loop gives up, e.g. 'NAT gateway not available'. */
  readonly notDone: string;
  /**
   * Builds the state a loop at its bound goes to, from its name, error and cause.
   * @default a Fail state
   */
  readonly onTimeout?: (scope: Construct, stateName: string, error: string, cause: string) => sfn.IChainable;
}

/** The cause of a loop that gave up: `check-nat-gateway: NAT gateway not available after 40 checks (about 11 min)`. */
export function pollTimeoutCause(stepId: StepId, notDone: string, timing: PollTiming): string {
  const minutes = Math.round(pollBound(timing).toSeconds() / 60);
  return `${stepId}: ${notDone} after ${timing.maxChecks} checks (about ${minutes} min)`;
}

/** Builds a bounded poll loop; the returned chain starts at the counter reset and ends where `next` ends. */
export function pollLoop(scope: Construct, props: PollLoopProps): sfn.Chain {
  const { timing } = props;
  if (!Number.isInteger(timing.maxChecks) || timing.maxChecks < 1) {
    throw new Error(`${props.subject}: maxChecks must be a whole number >= 1, got ${timing.maxChecks}`);
  }
  if (!/^[A-Za-z][A-Za-z0-9]*$/.test(props.counter)) throw new Error(`${props.subject}: counter must be a plain key, got ${props.counter}`);
  const name = (s: string) => `${props.prefix ?? ''}${s}`;
  const counterPath = `$.polls.${props.counter}`;

  const start = new sfn.Pass(scope, name(`Start ${props.subject} Checks`), {
    result: sfn.Result.fromObject({ count: 0 }),
    resultPath: counterPath,
  });
  const firstWait = new sfn.Wait(scope, name(`Wait For ${props.subject}`), { time: sfn.WaitTime.duration(timing.firstWait) });
  const count = new sfn.Pass(scope, name(`Count ${props.subject} Checks`), {
    parameters: { count: sfn.JsonPath.mathAdd(sfn.JsonPath.numberAt(`${counterPath}.count`), 1) },
    resultPath: counterPath,
  });
  const recheck = new sfn.Wait(scope, name(`Wait To Recheck ${props.subject}`), { time: sfn.WaitTime.duration(timing.interval) });

  const cause = pollTimeoutCause(props.stepId, props.notDone, timing);
  const timedOutName = name(`${props.subject} Timed Out`);
  const timedOut = props.onTimeout
    ? props.onTimeout(scope, timedOutName, POLL_TIMEOUT_ERROR, cause)
    : new sfn.Fail(scope, timedOutName, { error: POLL_TIMEOUT_ERROR, cause });

  const question = new sfn.Choice(scope, name(props.question))
    .when(props.done, props.next)
    .when(sfn.Condition.numberGreaterThanEquals(`${counterPath}.count`, timing.maxChecks), timedOut)
    .otherwise(recheck.next(props.probe));

  start.next(firstWait).next(props.probe).next(count).next(question);
  return sfn.Chain.custom(start, props.next.endStates, question);
}

/**
 * A poll loop whose waits the check decides (functions/shared/poll.ts):
 *
 *   Wait For <Subject> (firstWait) → <probe> → <Question>
 *       done                   → next
 *       <result>.timedOut      → <Subject> Timed Out (cause: "<step>: <notDone> after 30 min of a 30 min budget")
 *       otherwise              → Wait To Recheck <Subject> (<result>.waitSeconds) → <probe> …
 *
 * Three states per check (probe, question, wait) and no counter: the check measures the
 * time waited from the cloud's own timestamps and judges it against the budget the probe
 * passes it (`budgetSeconds`), so the bound is a time, whatever the cloud's speed.
 */
export interface TimedPollLoopProps {
  /** Names the loop's states, e.g. 'NAT Gateway' → 'Wait For NAT Gateway', 'NAT Gateway Timed Out'. */
  readonly subject: string;
  /** Prepended to every state name of the loop (e.g. 'Roll Back '). @default '' */
  readonly prefix?: string;
  /** The check, or a chain that ends in it; its payload carries `budgetSeconds`. Every recheck re-enters its start. */
  readonly probe: sfn.IChainable;
  /** Where the check writes its answer (its `resultPath`), which holds `waitSeconds`, `timedOut` and `waited`. */
  readonly answerPath: string;
  /** Name of the Choice state, a question: 'Is NAT Gateway Available?'. */
  readonly question: string;
  /** When the check's answer says the operation is done. */
  readonly done: sfn.Condition;
  /** Where a done loop continues. */
  readonly next: sfn.IChainable;
  /** The check's step id: the timed-out cause starts with it, as every step error does. */
  readonly stepId: StepId;
  /** What is still not so when the loop gives up, e.g. 'NAT gateway not available'. */
  readonly notDone: string;
  /**
   * The wait before the first check; `null` starts with the check (when what it waits for
   * has been under way for a while already).
   * @default FIRST_CHECK_AFTER
   */
  readonly firstWait?: Duration | null;
  /**
   * Builds the state a timed-out loop goes to, from its name, error and cause (a
   * States.Format of the check's answer: use it as a Pass parameter).
   * @default a Pass that records the cause at `$.pollTimeout`, then a Fail `<Subject> Gave Up`
   */
  readonly onTimeout?: (scope: Construct, stateName: string, error: string, cause: string) => sfn.IChainable;
}

/** The first look of a loop: the back-off's floor (functions/shared/poll.ts DEFAULT_BACK_OFF). */
export const FIRST_CHECK_AFTER: Duration = Duration.seconds(DEFAULT_BACK_OFF.floorSeconds);

/** The cause of a timed-out loop, as a States.Format of the check's answer. */
export function timedPollCause(stepId: StepId, notDone: string, answerPath: string): string {
  if (/[{}'\\]/.test(notDone)) throw new Error(`notDone must not contain braces, quotes or backslashes: ${notDone}`);
  return sfn.JsonPath.format(`${stepId}: ${notDone} {}`, sfn.JsonPath.stringAt(`${answerPath}.waited`));
}

/** Builds a poll loop whose waits the check decides; the returned chain starts at the first wait (or the probe). */
export function timedPollLoop(scope: Construct, props: TimedPollLoopProps): sfn.Chain {
  if (!/^\$(\.[A-Za-z][A-Za-z0-9]*)+$/.test(props.answerPath))
    throw new Error(`${props.subject}: answerPath must be a plain path, got ${props.answerPath}`);
  const name = (s: string) => `${props.prefix ?? ''}${s}`;
  const recheck = new sfn.Wait(scope, name(`Wait To Recheck ${props.subject}`), {
    time: sfn.WaitTime.secondsPath(`${props.answerPath}.waitSeconds`),
  });

  const cause = timedPollCause(props.stepId, props.notDone, props.answerPath);
  const timedOutName = name(`${props.subject} Timed Out`);
  const timedOut = props.onTimeout
    ? props.onTimeout(scope, timedOutName, POLL_TIMEOUT_ERROR, cause)
    : new sfn.Pass(scope, timedOutName, { parameters: { Error: POLL_TIMEOUT_ERROR, Cause: cause }, resultPath: '$.pollTimeout' }).next(
        new sfn.Fail(scope, name(`${props.subject} Gave Up`), { error: POLL_TIMEOUT_ERROR, causePath: '$.pollTimeout.Cause' })
      );

  const question = new sfn.Choice(scope, name(props.question))
    .when(props.done, props.next)
    .when(sfn.Condition.booleanEquals(`${props.answerPath}.timedOut`, true), timedOut)
    .otherwise(recheck.next(props.probe));

  const firstWait = props.firstWait === undefined ? FIRST_CHECK_AFTER : props.firstWait;
  const start =
    firstWait === null
      ? sfn.Chain.start(props.probe)
      : sfn.Chain.start(new sfn.Wait(scope, name(`Wait For ${props.subject}`), { time: sfn.WaitTime.duration(firstWait) })).next(
          props.probe
        );
  start.next(question);
  return sfn.Chain.custom(start.startState, props.next.endStates, question);
}

/**
 * A poll loop that waits for a completion signal instead of a time (functions/shared/command-signals.ts):
 *
 *   <signal> (a .waitForTaskToken task) → <probe> → <Question>
 *       signal timed out (States.Timeout) → <probe>
 *       done                   → next
 *       <result>.timedOut      → <Subject> Timed Out (as in timedPollLoop)
 *       otherwise              → <signal> …
 *
 * The signal only wakes the machine: the probe, the same check as a timed loop's, decides
 * whether the operation is done, failed (the check throws) or out of its budget. The signal
 * task's own timeout bounds a wait whose signal never comes (a missed event), so three states
 * per wait remain, and the loop's bound is still the check's time budget.
 */
export interface SignalledPollLoopProps extends Omit<TimedPollLoopProps, 'firstWait'> {
  /** The task that waits for the signal: a `.waitForTaskToken` task with a fixed timeout, its result discarded. */
  readonly signal: sfn.TaskStateBase;
}

/** Builds a poll loop woken by a signal; the returned chain starts at the signal task. */
export function signalledPollLoop(scope: Construct, props: SignalledPollLoopProps): sfn.Chain {
  if (!/^\$(\.[A-Za-z][A-Za-z0-9]*)+$/.test(props.answerPath))
    throw new Error(`${props.subject}: answerPath must be a plain path, got ${props.answerPath}`);
  const name = (s: string) => `${props.prefix ?? ''}${s}`;
  const cause = timedPollCause(props.stepId, props.notDone, props.answerPath);
  const timedOutName = name(`${props.subject} Timed Out`);
  const timedOut = props.onTimeout
    ? props.onTimeout(scope, timedOutName, POLL_TIMEOUT_ERROR, cause)
    : new sfn.Pass(scope, timedOutName, { parameters: { Error: POLL_TIMEOUT_ERROR, Cause: cause }, resultPath: '$.pollTimeout' }).next(
        new sfn.Fail(scope, name(`${props.subject} Gave Up`), { error: POLL_TIMEOUT_ERROR, causePath: '$.pollTimeout.Cause' })
      );
  // The signal's end without a signal: look at the operation anyway.
  props.signal.addCatch(props.probe, { errors: [sfn.Errors.TIMEOUT], resultPath: sfn.JsonPath.DISCARD });
  const question = new sfn.Choice(scope, name(props.question))
    .when(props.done, props.next)
    .when(sfn.Condition.booleanEquals(`${props.answerPath}.timedOut`, true), timedOut)
    .otherwise(props.signal);
  const start = sfn.Chain.start(props.signal).next(props.probe).next(question);
  return sfn.Chain.custom(start.startState, props.next.endStates, question);
}
