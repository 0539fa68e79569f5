/**
 * The slave image phase of the create machine (a branch of Prepare Slave Network And Image):
 *
 *   Find Cached Slave Image → Is A Slave Image Cached?
 *     yes: Use Cached Slave Image
 *     no:  Launch Template Slave → wait SSM Online → Configure Template Slave → wait setup
 *          → Bake Slave Image → wait available → Terminate Template Slave
 *
 * The template slave boots in the first public subnet, so the bake does not wait for the
 * NAT gateway. The image id ends in `$.slaveImage.imageId`, its recipe hash in
 * `$.slaveImageCache.imageHash`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { timedPollLoop } from '../poll-loop';
import { POLL_ANSWER } from '../timings';
import { budget, type CreatePhaseContext, J, SPEC } from './context';

export function slaveImagePhase(ctx: CreatePhaseContext): sfn.Chain {
  const { scope, step } = ctx;
  // An available image of the same recipe (base image, software, configure-slave script)
  // is reused: no template slave, no bake. freshImage forces the bake.
  const findCachedImage = step('Find Cached Slave Image', {
    step: 'find-cached-image',
    payload: {
      vpcId: J.stringAt('$.vpc.vpcId'),
      baseImageId: J.stringAt('$.validated.baseImageId'),
      software: J.objectAt(`${SPEC}.software`),
      freshImage: J.stringAt(`${SPEC}.freshImage`),
    },
    result: { imageHash: '$.Payload.imageHash', cachedImageId: '$.Payload.cachedImageId' },
    resultPath: '$.slaveImageCache',
  });
  const useCachedImage = new sfn.Pass(scope, 'Use Cached Slave Image', {
    parameters: { imageId: J.stringAt('$.slaveImageCache.cachedImageId') },
    resultPath: '$.slaveImage',
  });
  // Asked as IsNull: true (the local runner evaluates IsNull: false as never matching).
  return sfn.Chain.start(findCachedImage).next(
    new sfn.Choice(scope, 'Is A Slave Image Cached?')
      .when(sfn.Condition.isNull('$.slaveImageCache.cachedImageId'), bakeSlaveImage(ctx))
      .otherwise(useCachedImage)
  );
}

/** Launch Template Slave … Terminate Template Slave: a fresh image in `$.slaveImage.imageId`. */
function bakeSlaveImage(ctx: CreatePhaseContext): sfn.Chain {
  const { scope, step, launch, check } = ctx;
  const launchTemplateSlave = launch('Launch Template Slave', {
    step: 'launch-instances',
    payload: {
      role: 'template-slave',
      count: 1,
      instanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      imageId: J.stringAt('$.validated.baseImageId'),
      // The public subnet: the template slave reaches the package mirrors through the
      // internet gateway, so the bake does not wait for the NAT gateway.
      subnetId: J.stringAt('$.subnets.publicSubnetId'),
      securityGroupId: J.stringAt('$.network.slaveSecurityGroupId'),
    },
    result: { instanceIds: '$.Payload.instanceIds', instanceId: '$.Payload.instanceIds[0]' },
    resultPath: '$.templateSlave',
  });
  const configureTemplateSlave = step('Configure Template Slave', {
    step: 'configure-template-slave',
    payload: { instanceId: J.stringAt('$.templateSlave.instanceId'), software: J.objectAt(`${SPEC}.software`) },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.templateSlaveSetup',
  });
  const bakeImage = step('Bake Slave Image', {
    step: 'bake-image',
    payload: {
      instanceId: J.stringAt('$.templateSlave.instanceId'),
      vpcId: J.stringAt('$.vpc.vpcId'),
      imageHash: J.stringAt('$.slaveImageCache.imageHash'),
      freshImage: J.stringAt(`${SPEC}.freshImage`),
    },
    result: { imageId: '$.Payload.imageId' },
    resultPath: '$.slaveImage',
  });
  const terminateTemplateSlave = step('Terminate Template Slave', {
    step: 'terminate-instances',
    payload: { instanceIds: J.listAt('$.templateSlave.instanceIds') },
    result: { terminating: '$.Payload.terminating' },
    resultPath: '$.templateSlaveTermination',
  });
  const imageLoop = timedPollLoop(scope, {
    subject: 'Slave Image',
    probe: check('Check Slave Image', {
      step: 'check-image',
      payload: { imageId: J.stringAt('$.slaveImage.imageId'), ...budget('imageMinutes') },
      result: { state: '$.Payload.state', ...POLL_ANSWER },
      resultPath: '$.slaveImageStatus',
    }),
    answerPath: '$.slaveImageStatus',
    question: 'Is Slave Image Available?',
    done: sfn.Condition.stringEquals('$.slaveImageStatus.state', 'available'),
    next: terminateTemplateSlave,
    stepId: 'check-image',
    notDone: 'slave image not available',
  });
  const templateSetupLoop = timedPollLoop(scope, {
    subject: 'Template Slave Setup',
    probe: check('Check Template Slave Setup', {
      step: 'check-command',
      payload: {
        commandId: J.stringAt('$.templateSlaveSetup.commandId'),
        instanceIds: J.listAt('$.templateSlave.instanceIds'),
        ...budget('slaveSetupMinutes'),
      },
      result: { done: '$.Payload.done', ...POLL_ANSWER },
      resultPath: '$.templateSlaveSetupStatus',
    }),
    answerPath: '$.templateSlaveSetupStatus',
    question: 'Is Template Slave Setup Done?',
    done: sfn.Condition.booleanEquals('$.templateSlaveSetupStatus.done', true),
    next: sfn.Chain.start(bakeImage).next(imageLoop),
    stepId: 'check-command',
    notDone: 'template slave setup not finished',
  });
  return sfn.Chain.start(launchTemplateSlave).next(
    timedPollLoop(scope, {
      subject: 'Template Slave Online',
      probe: check('Check Template Slave Online', {
        step: 'check-ssm-online',
        payload: { instanceIds: J.listAt('$.templateSlave.instanceIds'), ...budget('nodesOnlineMinutes') },
        result: { online: '$.Payload.online', ...POLL_ANSWER },
        resultPath: '$.templateSlaveOnline',
      }),
      answerPath: '$.templateSlaveOnline',
      question: 'Is Template Slave Online?',
      done: sfn.Condition.booleanEquals('$.templateSlaveOnline.online', true),
      next: sfn.Chain.start(configureTemplateSlave).next(templateSetupLoop),
      stepId: 'check-ssm-online',
      notDone: 'template slave not online in SSM',
    })
  );
}
