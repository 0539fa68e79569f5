/**
 * The smoke test phase of the create machine: the cluster is ready only when it runs work.
 * Once the agents have registered, a tiny Marathon app (bootstrap/marathon-smoke-test.sh:
 * one nginx container with a port) is deployed through the first master, watched until its
 * task runs, and removed:
 *
 *   Deploy Smoke Test App → Wait For Smoke Test App → Check Smoke Test App → Is Smoke Test App Running?
 *       running   → Wait For Smoke Test Removal → Check Smoke Test Removal → `next`
 *       timed out → Smoke Test App Timed Out (the time waited and the app's last status, with
 *                   Marathon's last task failure, in the cause) → the failure path
 *       otherwise → Wait To Recheck Smoke Test App (the check's waitSeconds) → Check Smoke Test App …
 *
 * The check counts from the deploy against SMOKE_TEST_BUDGET and sends the next status
 * query each time (each check reads the query the previous one sent).
 *
 * Every state runs the one marathon-smoke-test step, so every failure of the test is
 * MARATHON_SMOKE_TEST_FAILED and rolls the cluster back like any failed step. A cluster
 * without slaves has no agent to run the app: the agents phase skips this phase then.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { timedPollLoop } from '../poll-loop';
import { ERROR_PATH } from '../record-failure';
import { POLL_ANSWER, SMOKE_TEST_BUDGET, SMOKE_TEST_REMOVAL } from '../timings';
import { type CatchableState, type CreatePhaseContext, J } from './context';

/** Where the smoke test keeps its commands and the app's last status. */
export const SMOKE_TEST_PATH = '$.smokeTest';

export interface SmokeTestPhaseProps {
  /** Where the create goes once the app has run and been removed. */
  readonly next: sfn.IChainable;
  /** The failure path a loop at its bound joins, its error in `$.error`. */
  readonly onTimeout: sfn.IChainable;
}

export interface SmokeTestPhase {
  /** Deploy Smoke Test App. */
  readonly start: sfn.IChainable;
  /** Its steps, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function smokeTestPhase(ctx: CreatePhaseContext, props: SmokeTestPhaseProps): SmokeTestPhase {
  const { scope, step, check } = ctx;
  const master = { instanceId: J.stringAt('$.nodes.firstMasterId') };
  const deploy = step('Deploy Smoke Test App', {
    step: 'marathon-smoke-test',
    payload: { action: 'deploy', ...master },
    result: {
      deployCommandId: '$.Payload.deployCommandId',
      deployedAt: '$.Payload.deployedAt',
      queryCommandId: '$.Payload.queryCommandId',
    },
    resultPath: SMOKE_TEST_PATH,
  });
  const checkApp = check('Check Smoke Test App', {
    step: 'marathon-smoke-test',
    payload: {
      action: 'check',
      ...master,
      deployCommandId: J.stringAt(`${SMOKE_TEST_PATH}.deployCommandId`),
      queryCommandId: J.stringAt(`${SMOKE_TEST_PATH}.queryCommandId`),
      since: J.stringAt(`${SMOKE_TEST_PATH}.deployedAt`),
      budgetSeconds: SMOKE_TEST_BUDGET.toSeconds(),
    },
    result: {
      deployCommandId: '$.Payload.deployCommandId',
      deployedAt: '$.Payload.deployedAt',
      queryCommandId: '$.Payload.queryCommandId',
      running: '$.Payload.running',
      status: '$.Payload.status',
      // null until the app runs: the check that sees it running sends the remove command.
      removeCommandId: '$.Payload.removeCommandId',
      ...POLL_ANSWER,
    },
    resultPath: SMOKE_TEST_PATH,
  });
  const removal = check('Check Smoke Test Removal', {
    step: 'marathon-smoke-test',
    payload: { action: 'check-removal', ...master, removeCommandId: J.stringAt(`${SMOKE_TEST_PATH}.removeCommandId`) },
    result: { removed: '$.Payload.removed' },
    resultPath: '$.smokeTestRemoval',
  });
  const waitRemoval = new sfn.Wait(scope, 'Wait For Smoke Test Removal', { time: sfn.WaitTime.duration(SMOKE_TEST_REMOVAL) });
  waitRemoval.next(removal).next(props.next);

  const loop = timedPollLoop(scope, {
    subject: 'Smoke Test App',
    answerPath: SMOKE_TEST_PATH,
    probe: checkApp,
    question: 'Is Smoke Test App Running?',
    done: sfn.Condition.booleanEquals(`${SMOKE_TEST_PATH}.running`, true),
    next: waitRemoval,
    stepId: 'marathon-smoke-test',
    notDone: 'Marathon smoke test app not running',
    // The cause ends with the app's last status: Marathon's last task failure says why.
    onTimeout: (s, stateName, error) =>
      new sfn.Pass(s, stateName, {
        parameters: {
          Error: error,
          Cause: J.format(
            'marathon-smoke-test: Marathon smoke test app not running {}; last status: {}',
            J.stringAt(`${SMOKE_TEST_PATH}.waited`),
            J.stringAt(`${SMOKE_TEST_PATH}.status`)
          ),
        },
        resultPath: ERROR_PATH,
      }).next(props.onTimeout),
  });
  deploy.next(loop);
  return { start: deploy, catchable: [deploy, checkApp, removal] };
}
