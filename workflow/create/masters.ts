/**
 * The masters phase of the create machine: Launch Masters (one RunInstances call: their
 * private IPs are known from here on), then in the nodes Parallel
 *
 *   wait masters Online in SSM → Configure Masters → wait for the setup's signal → Masters Configured
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { SIGNAL_TIMEOUT_SECONDS } from '../../functions/shared/command-signals';
import { signalledPollLoop, timedPollLoop } from '../poll-loop';
import { SIGNAL_STEP_RETRIES } from '../retry';
import { POLL_ANSWER } from '../timings';
import { budget, type CreatePhaseContext, J, SPEC } from './context';

export interface MastersPhase {
  /** Launch Masters: before the nodes Parallel, since the slaves' join user data names the masters' IPs. */
  readonly launch: tasks.LambdaInvoke;
  /** The masters' branch of the nodes Parallel. */
  readonly branch: sfn.Chain;
}

export function mastersPhase(ctx: CreatePhaseContext): MastersPhase {
  const { scope, step, launch, check } = ctx;
  const launchMasters = launch('Launch Masters', {
    step: 'launch-instances',
    payload: {
      role: 'master',
      count: J.numberAt(`${SPEC}.masters`),
      instanceType: J.stringAt(`${SPEC}.masterInstanceType`),
      imageId: J.stringAt('$.validated.baseImageId'),
      // Round-robin over the zones' public subnets: master i in zone i mod n.
      subnetIds: J.listAt('$.subnets.publicSubnetIds'),
      securityGroupId: J.stringAt('$.network.masterSecurityGroupId'),
    },
    result: { instanceIds: '$.Payload.instanceIds', privateIps: '$.Payload.privateIps' },
    resultPath: '$.masters',
  });
  const configureMasters = step('Configure Masters', {
    step: 'configure-masters',
    payload: {
      instanceIds: J.listAt('$.masters.instanceIds'),
      masterIps: J.listAt('$.masters.privateIps'),
      software: J.objectAt(`${SPEC}.software`),
    },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.masterSetup',
  });
  const branch = sfn.Chain.start(
    timedPollLoop(scope, {
      subject: 'Masters Online',
      probe: check('Check Masters Online', {
        step: 'check-ssm-online',
        payload: { instanceIds: J.listAt('$.masters.instanceIds'), ...budget('nodesOnlineMinutes') },
        result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount', ...POLL_ANSWER },
        resultPath: '$.mastersOnline',
      }),
      answerPath: '$.mastersOnline',
      question: 'Are Masters Online?',
      done: sfn.Condition.booleanEquals('$.mastersOnline.online', true),
      next: sfn.Chain.start(configureMasters).next(
        signalledPollLoop(scope, {
          subject: 'Master Setup',
          signal: step('Await Master Setup Signal', {
            step: 'await-command-signal',
            payload: { commandId: J.stringAt('$.masterSetup.commandId'), instanceIds: J.listAt('$.masters.instanceIds') },
            result: {},
            resultPath: J.DISCARD,
            retries: SIGNAL_STEP_RETRIES,
            waitForSignal: Duration.seconds(SIGNAL_TIMEOUT_SECONDS),
          }),
          probe: check('Check Master Setup', {
            step: 'check-command',
            payload: {
              commandId: J.stringAt('$.masterSetup.commandId'),
              instanceIds: J.listAt('$.masters.instanceIds'),
              ...budget('masterSetupMinutes'),
            },
            result: { done: '$.Payload.done', ...POLL_ANSWER },
            resultPath: '$.masterSetupStatus',
          }),
          answerPath: '$.masterSetupStatus',
          question: 'Is Master Setup Done?',
          done: sfn.Condition.booleanEquals('$.masterSetupStatus.done', true),
          next: new sfn.Succeed(scope, 'Masters Configured'),
          stepId: 'check-command',
          notDone: 'master setup not finished',
        })
      ),
      stepId: 'check-ssm-online',
      notDone: 'masters not online in SSM',
    })
  );
  return { launch: launchMasters, branch };
}
