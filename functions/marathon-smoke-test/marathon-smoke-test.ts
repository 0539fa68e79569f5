/**
 * Marathon Smoke Test: the cluster is ready only when it runs work. After the agents have
 * registered, the create machine deploys a tiny Marathon app through one master
 * (bootstrap/marathon-smoke-test.sh), polls it until its task runs, and removes it. One step
 * with an action per state, so that every failure of the test is MARATHON_SMOKE_TEST_FAILED,
 * and three states per check of the loop (Wait, check, Choice):
 *
 *   deploy          sends (once) the deploy command and a first status query
 *                   → { deployCommandId, queryCommandId, deployedAt }
 *   check           reads the status query: while the app does not run it sends the next
 *                   query (a query: old answers are worthless) and answers when to look
 *                   again, and `timedOut` past the loop's budget (counted from `since`, the
 *                   deploy); once it runs it sends (once) the remove command. `status` says
 *                   how the app stands, with Marathon's last task failure.
 *                   → { deployCommandId, deployedAt, running, status, queryCommandId,
 *                       removeCommandId (or null), waitSeconds, timedOut, waited, … }
 *   check-removal   done when the remove command succeeded (NotReadyError while it runs)
 * A failed deploy, status or remove command is a FatalError with the end of its stderr.
 */
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import {
  agentNotOnline,
  CONFIGURE_TIMEOUT_SECONDS,
  commandComment,
  commandFailed,
  getInvocation,
  RUNNING_STATUSES,
  sendCommandOnce,
} from '../shared/commands';
import { FatalError, NotReadyError, RetryableError } from '../shared/errors';
import { type PollAnswer, type PollInput, withPoll } from '../shared/poll';
import { defineStep, type StepClients } from '../shared/step';

export const SMOKE_TEST_STEP_ID = 'marathon-smoke-test';

/** Delivery timeout of a status query; SSM's minimum is 30 s. */
export const SMOKE_QUERY_TIMEOUT_SECONDS = 60;

export type SmokeTestAction = 'deploy' | 'check' | 'check-removal';

export interface MarathonSmokeTestInput extends PollInput {
  readonly action: SmokeTestAction;
  readonly clusterId: string;
  /** The master whose Marathon the test talks to (a standby proxies to the leader). */
  readonly instanceId: string;
  /** check: the deploy command (a failed deploy fails the test at once). */
  readonly deployCommandId?: string;
  /** check: the last status query. */
  readonly queryCommandId?: string;
  /** check-removal: the remove command. */
  readonly removeCommandId?: string;
}

/** What the status command printed: the app's state, and Marathon's last task failure. */
export interface SmokeAppStatus {
  readonly state: 'running' | 'deploying' | 'absent';
  readonly tasksRunning: number;
  readonly lastFailure?: string;
}

/** The answer of a check. */
export interface SmokeTestCheck {
  /** The deploy command, as given: the next check reads it again (the state keeps one result per loop). */
  readonly deployCommandId: string;
  /** When the app was deployed (the input's `since`, as given), for the next check's budget. */
  readonly deployedAt: string | null;
  readonly running: boolean;
  readonly status: string;
  readonly queryCommandId: string;
  /** The remove command, sent by the check that sees the app running; null until then. */
  readonly removeCommandId: string | null;
}

export type MarathonSmokeTestOutput =
  | { readonly deployCommandId: string; readonly queryCommandId: string; readonly deployedAt: string }
  | SmokeTestCheck
  | (SmokeTestCheck & PollAnswer)
  | { readonly removed: boolean };

/** Parses the status command's output (bootstrap/marathon-smoke-test.sh status_app). */
export function parseSmokeStatus(stdout: string | undefined): SmokeAppStatus | undefined {
  const lines = (stdout ?? '')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0);
  const failure = lines.find((l) => l.startsWith('last failure: '))?.slice('last failure: '.length);
  const head = lines.find((l) => /^(running|deploying|absent)\b/.test(l));
  if (!head) return undefined;
  const [state, first, second] = head.split(/\s+/);
  const tasksRunning = state === 'running' ? Number(first ?? 0) : state === 'deploying' ? Number(second ?? 0) : 0;
  return { state: state as SmokeAppStatus['state'], tasksRunning, ...(failure ? { lastFailure: failure } : {}) };
}

function describe(status: SmokeAppStatus): string {
  const base = status.state === 'absent' ? 'absent' : `${status.state}, ${status.tasksRunning} task(s) running`;
  return status.lastFailure ? `${base}; last task failure: ${status.lastFailure}` : base;
}

/** The finished invocation of a command; NotReadyError while it runs, FatalError when it failed. */
async function finished(ssm: StepClients['ssm'], commandId: string, instanceId: string, what: string) {
  const invocation = await pending(ssm, commandId, instanceId, what);
  if (typeof invocation === 'string') throw new NotReadyError(invocation);
  return invocation;
}

/** The finished invocation, or why it is not finished yet; FatalError when it failed. */
async function pending(ssm: StepClients['ssm'], commandId: string, instanceId: string, what: string) {
  const invocation = await getInvocation(ssm, commandId, instanceId);
  if (!invocation) return `the ${what} ${commandId} is not visible on ${instanceId} yet`;
  if (RUNNING_STATUSES.includes(invocation.Status ?? 'Pending'))
    return `the ${what} ${commandId} on ${instanceId} is ${invocation.Status ?? 'pending'}`;
  if (invocation.Status !== 'Success') throw commandFailed(commandId, instanceId, invocation);
  return invocation;
}

function required(value: string | undefined, name: string, action: SmokeTestAction): string {
  if (!value) throw new FatalError(`action ${action} needs ${name}`);
  return value;
}

export const marathonSmokeTestStep = defineStep(
  SMOKE_TEST_STEP_ID,
  async (input: MarathonSmokeTestInput, { ssm, config }: Pick<StepClients, 'ssm' | 'config'>): Promise<MarathonSmokeTestOutput> => {
    const document = config.documents.marathonSmokeTest;
    const once = (action: 'deploy' | 'remove') =>
      sendCommandOnce(ssm, {
        documentName: document,
        instanceIds: [input.instanceId],
        parameters: { SmokeTestAction: [action] },
        comment: commandComment(input.clusterId, `${SMOKE_TEST_STEP_ID}-${action}`),
        timeoutSeconds: CONFIGURE_TIMEOUT_SECONDS,
      });
    const query = async () => {
      try {
        const sent = await ssm.send(
          new SendCommandCommand({
            DocumentName: document,
            InstanceIds: [input.instanceId],
            Parameters: { SmokeTestAction: ['status'] },
            Comment: commandComment(input.clusterId, `${SMOKE_TEST_STEP_ID}-status`),
            TimeoutSeconds: SMOKE_QUERY_TIMEOUT_SECONDS,
          })
        );
        const commandId = sent.Command?.CommandId;
        if (!commandId) throw new RetryableError(`SendCommand of ${document} returned no command id`);
        return commandId;
      } catch (err) {
        throw agentNotOnline(err, [input.instanceId]) ?? err;
      }
    };
    switch (input.action) {
      case 'deploy':
        return { deployCommandId: await once('deploy'), queryCommandId: await query(), deployedAt: new Date().toISOString() };
      case 'check': {
        const deployCommandId = required(input.deployCommandId, 'deployCommandId', 'check');
        const deployedAt = input.since ?? null;
        const deploy = await pending(ssm, deployCommandId, input.instanceId, 'smoke test deploy');
        const queryId = required(input.queryCommandId, 'queryCommandId', 'check');
        const answer = typeof deploy === 'string' ? deploy : await pending(ssm, queryId, input.instanceId, 'smoke test status query');
        let check: SmokeTestCheck;
        if (typeof answer === 'string') {
          // A command still runs: look again at the same query.
          check = { deployCommandId, deployedAt, running: false, status: answer, queryCommandId: queryId, removeCommandId: null };
        } else {
          const status = parseSmokeStatus(answer.StandardOutputContent);
          if (!status) {
            const shown = (answer.StandardOutputContent ?? '').trim().slice(-100);
            throw new FatalError(`the smoke test status query ${queryId} printed no status: '${shown}'`);
          }
          check =
            status.state === 'running'
              ? {
                  deployCommandId,
                  deployedAt,
                  running: true,
                  status: describe(status),
                  queryCommandId: queryId,
                  removeCommandId: await once('remove'),
                }
              : {
                  deployCommandId,
                  deployedAt,
                  running: false,
                  status: describe(status),
                  queryCommandId: await query(),
                  removeCommandId: null,
                };
        }
        return withPoll(input, check, { done: check.running });
      }
      case 'check-removal': {
        await finished(ssm, required(input.removeCommandId, 'removeCommandId', 'check-removal'), input.instanceId, 'smoke test removal');
        return { removed: true };
      }
      default:
        throw new FatalError(`unknown smoke test action ${JSON.stringify((input as { action: unknown }).action)}`);
    }
  }
);
