/**
 * The masters phase of the create machine: Launch Masters (one RunInstances call: their
 * private IPs are known from here on), then in the nodes Parallel
 *
 *   wait masters Online in SSM → Configure Masters → wait setup → Masters Configured
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { pollLoop } from '../poll-loop';
import { INSTANCES_ONLINE, MASTER_SETUP } from '../timings';
import { type CreatePhaseContext, J, SPEC } from './context';

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
    pollLoop(scope, {
      subject: 'Masters Online',
      counter: 'mastersOnline',
      probe: check('Check Masters Online', {
        step: 'check-ssm-online',
        payload: { instanceIds: J.listAt('$.masters.instanceIds') },
        result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount' },
        resultPath: '$.mastersOnline',
      }),
      question: 'Are Masters Online?',
      done: sfn.Condition.booleanEquals('$.mastersOnline.online', true),
      next: sfn.Chain.start(configureMasters).next(
        pollLoop(scope, {
          subject: 'Master Setup',
          counter: 'masterSetup',
          probe: check('Check Master Setup', {
            step: 'check-command',
            payload: { commandId: J.stringAt('$.masterSetup.commandId'), instanceIds: J.listAt('$.masters.instanceIds') },
            result: { done: '$.Payload.done' },
            resultPath: '$.masterSetupStatus',
          }),
          question: 'Is Master Setup Done?',
          done: sfn.Condition.booleanEquals('$.masterSetupStatus.done', true),
          next: new sfn.Succeed(scope, 'Masters Configured'),
          timing: MASTER_SETUP,
          stepId: 'check-command',
          notDone: 'master setup not finished',
        })
      ),
      timing: INSTANCES_ONLINE,
      stepId: 'check-ssm-online',
      notDone: 'masters not online in SSM',
    })
  );
  return { launch: launchMasters, branch };
}
