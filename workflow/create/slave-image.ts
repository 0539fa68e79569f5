/**
 * The slave image phase, shared by the create machine (a branch of Prepare Slave Network
 * And Image, when slaves are wanted) and the scale machine (a scale-out of a cluster that
 * has no image yet):
 *
 *   Find Cached Slave Image → Is A Slave Image Cached?
 *     cached: Use Cached Slave Image
 *     bake:   Launch Template Slave → wait SSM Online → Configure Template Slave → wait for the setup's
 *             signal → Bake Slave Image → wait available → Terminate Template Slave
 *     wait:   wait for the bake of the cluster that claimed the recipe (Check Slave Image
 *             Bake) → Was The Slave Image Baked Elsewhere?
 *               available: Use Baked Slave Image
 *               claimed (that bake was given up): the bake above
 *
 * Of the clusters of one recipe created at once, one claims the bake and the others wait
 * for its image (functions/shared/bake-claims.ts); Check Slave Image releases the claim.
 *
 * The template slave boots in the first public subnet, so the bake does not wait for the
 * NAT gateway. The image id ends in `$.slaveImage.imageId`, its recipe hash in
 * `$.slaveImageCache.imageHash`.
 */
import { Duration } from 'aws-cdk-lib';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import type { Construct } from 'constructs';
import { SIGNAL_TIMEOUT_SECONDS } from '../../functions/shared/command-signals';
import { signalledPollLoop, timedPollLoop } from '../poll-loop';
import { SIGNAL_STEP_RETRIES } from '../retry';
import type { PayloadFields, StepBuilder } from '../step-task';
import { POLL_ANSWER } from '../timings';
import { budget, budgetSum, type CreatePhaseContext, J, SPEC } from './context';

/** The steps of the slave image phase. */
export type SlaveImageStepId =
  | 'find-cached-image'
  | 'check-image-bake'
  | 'launch-instances'
  | 'check-ssm-online'
  | 'configure-template-slave'
  | 'check-command'
  | 'await-command-signal'
  | 'bake-image'
  | 'check-image'
  | 'terminate-instances';

/** What the phase is built with: a machine's scope and step builders. */
export interface SlaveImageContext {
  readonly scope: Construct;
  readonly step: StepBuilder<SlaveImageStepId>;
  readonly launch: StepBuilder<SlaveImageStepId>;
  readonly check: StepBuilder<SlaveImageStepId>;
}

/** Where the phase reads its inputs (JSONPaths into the machine's state) and the budgets of its waits. */
export interface SlaveImageInputs {
  readonly vpcId: string;
  readonly baseImageId: string;
  readonly software: string;
  readonly freshImage: string;
  readonly instanceType: string;
  /** The public subnet the template slave boots in. */
  readonly subnetId: string;
  readonly securityGroupId: string;
  /** A payload value (e.g. `J.format(…)`) that makes the template slave's launch token this run's own. @default none */
  readonly tokenSuffix?: string;
  /**
   * The budget fields of each wait's check (`budgetMinutes` from the spec, or `budgetSeconds`);
   * `bake` is the three together: the lease of a claim on the bake, and how long a cluster
   * waits for another's bake.
   */
  readonly budgets: {
    readonly online: PayloadFields;
    readonly setup: PayloadFields;
    readonly image: PayloadFields;
    readonly bake: PayloadFields;
  };
}

export interface SlaveImageOptions {
  /** Where both ends (cached, baked) continue. @default the phase ends there */
  readonly next?: sfn.IChainable;
  /** What a poll loop of the phase at its bound goes to. @default a Fail state */
  readonly onTimeout?: (scope: Construct, stateName: string, error: string, cause: string) => sfn.IChainable;
}

export interface SlaveImagePhase {
  readonly chain: sfn.Chain;
  /** Its tasks, for a machine that catches their failures. */
  readonly tasks: readonly tasks.LambdaInvoke[];
}

/** The inputs of the create machine. */
export const CREATE_IMAGE_INPUTS: SlaveImageInputs = {
  vpcId: '$.vpc.vpcId',
  baseImageId: '$.validated.baseImageId',
  software: `${SPEC}.software`,
  freshImage: `${SPEC}.freshImage`,
  instanceType: `${SPEC}.slaveInstanceType`,
  // The public subnet: the template slave reaches the package mirrors through the internet
  // gateway, so the bake does not wait for the NAT gateway.
  subnetId: '$.subnets.publicSubnetId',
  securityGroupId: '$.network.slaveSecurityGroupId',
  budgets: {
    online: budget('nodesOnlineMinutes'),
    setup: budget('slaveSetupMinutes'),
    image: budget('imageMinutes'),
    bake: budgetSum('nodesOnlineMinutes', 'slaveSetupMinutes', 'imageMinutes'),
  },
};

/** The create machine's slave image branch. */
export function createSlaveImagePhase(ctx: CreatePhaseContext): sfn.Chain {
  return slaveImagePhase(ctx, CREATE_IMAGE_INPUTS).chain;
}

export function slaveImagePhase(ctx: SlaveImageContext, inputs: SlaveImageInputs, options: SlaveImageOptions = {}): SlaveImagePhase {
  const { scope, step } = ctx;
  // An available image of the same recipe (base image, software, configure-slave script)
  // is reused: no template slave, no bake. freshImage forces the bake.
  const findCachedImage = step('Find Cached Slave Image', {
    step: 'find-cached-image',
    payload: {
      vpcId: J.stringAt(inputs.vpcId),
      baseImageId: J.stringAt(inputs.baseImageId),
      software: J.objectAt(inputs.software),
      freshImage: J.stringAt(inputs.freshImage),
      ...inputs.budgets.bake,
    },
    result: {
      imageHash: '$.Payload.imageHash',
      cachedImageId: '$.Payload.cachedImageId',
      source: '$.Payload.source',
      bakingCluster: '$.Payload.bakingCluster',
      checkedAt: '$.Payload.checkedAt',
    },
    resultPath: '$.slaveImageCache',
  });
  const useCachedImage = new sfn.Pass(scope, 'Use Cached Slave Image', {
    parameters: { imageId: J.stringAt('$.slaveImageCache.cachedImageId') },
    resultPath: '$.slaveImage',
  });
  const bake = bakeSlaveImage(ctx, inputs, options);
  const wait = waitForOtherBake(ctx, inputs, options, bake.chain);
  if (options.next) useCachedImage.next(options.next);
  const chain = sfn.Chain.start(findCachedImage).next(
    new sfn.Choice(scope, 'Is A Slave Image Cached?')
      .when(sfn.Condition.stringEquals('$.slaveImageCache.source', 'bake'), bake.chain)
      .when(sfn.Condition.stringEquals('$.slaveImageCache.source', 'wait'), wait.chain)
      .otherwise(useCachedImage)
  );
  return { chain, tasks: [findCachedImage, ...wait.tasks, ...bake.tasks] };
}

/**
 * The wait for the bake of the cluster that claimed the recipe: its image, recorded on this
 * cluster's VPC, or, when that bake was given up (claim released or run out), this
 * cluster's own bake (`bake`), which then holds the claim.
 */
function waitForOtherBake(ctx: SlaveImageContext, inputs: SlaveImageInputs, options: SlaveImageOptions, bake: sfn.Chain): SlaveImagePhase {
  const { scope, check } = ctx;
  const checkBake = check('Check Slave Image Bake', {
    step: 'check-image-bake',
    payload: {
      vpcId: J.stringAt(inputs.vpcId),
      imageHash: J.stringAt('$.slaveImageCache.imageHash'),
      since: J.stringAt('$.slaveImageCache.checkedAt'),
      ...inputs.budgets.bake,
    },
    result: { state: '$.Payload.state', imageId: '$.Payload.imageId', bakingCluster: '$.Payload.bakingCluster', ...POLL_ANSWER },
    resultPath: '$.slaveImageBake',
  });
  const useBakedImage = new sfn.Pass(scope, 'Use Baked Slave Image', {
    parameters: { imageId: J.stringAt('$.slaveImageBake.imageId') },
    resultPath: '$.slaveImage',
  });
  if (options.next) useBakedImage.next(options.next);
  const chain = timedPollLoop(scope, {
    subject: 'Slave Image Bake',
    probe: checkBake,
    answerPath: '$.slaveImageBake',
    question: 'Is Slave Image Bake Done?',
    done: sfn.Condition.or(
      sfn.Condition.stringEquals('$.slaveImageBake.state', 'available'),
      sfn.Condition.stringEquals('$.slaveImageBake.state', 'claimed')
    ),
    next: new sfn.Choice(scope, 'Was The Slave Image Baked Elsewhere?')
      .when(sfn.Condition.stringEquals('$.slaveImageBake.state', 'available'), useBakedImage)
      .otherwise(bake),
    stepId: 'check-image-bake',
    notDone: 'slave image bake of the cluster holding the claim not finished',
    ...(options.onTimeout ? { onTimeout: options.onTimeout } : {}),
  });
  return { chain, tasks: [checkBake] };
}

/** Launch Template Slave … Terminate Template Slave: a fresh image in `$.slaveImage.imageId`. */
function bakeSlaveImage(ctx: SlaveImageContext, inputs: SlaveImageInputs, options: SlaveImageOptions): SlaveImagePhase {
  const { scope, step, launch, check } = ctx;
  const { onTimeout } = options;
  const launchTemplateSlave = launch('Launch Template Slave', {
    step: 'launch-instances',
    payload: {
      role: 'template-slave',
      count: 1,
      instanceType: J.stringAt(inputs.instanceType),
      imageId: J.stringAt(inputs.baseImageId),
      subnetId: J.stringAt(inputs.subnetId),
      securityGroupId: J.stringAt(inputs.securityGroupId),
      ...(inputs.tokenSuffix ? { tokenSuffix: inputs.tokenSuffix } : {}),
    },
    result: { instanceIds: '$.Payload.instanceIds', instanceId: '$.Payload.instanceIds[0]' },
    resultPath: '$.templateSlave',
  });
  const configureTemplateSlave = step('Configure Template Slave', {
    step: 'configure-template-slave',
    payload: { instanceId: J.stringAt('$.templateSlave.instanceId'), software: J.objectAt(inputs.software) },
    result: { commandId: '$.Payload.commandId' },
    resultPath: '$.templateSlaveSetup',
  });
  const bakeImage = step('Bake Slave Image', {
    step: 'bake-image',
    payload: {
      instanceId: J.stringAt('$.templateSlave.instanceId'),
      vpcId: J.stringAt(inputs.vpcId),
      imageHash: J.stringAt('$.slaveImageCache.imageHash'),
      freshImage: J.stringAt(inputs.freshImage),
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
  if (options.next) terminateTemplateSlave.next(options.next);
  const checkImage = check('Check Slave Image', {
    step: 'check-image',
    payload: { imageId: J.stringAt('$.slaveImage.imageId'), imageHash: J.stringAt('$.slaveImageCache.imageHash'), ...inputs.budgets.image },
    result: { state: '$.Payload.state', ...POLL_ANSWER },
    resultPath: '$.slaveImageStatus',
  });
  const checkSetup = check('Check Template Slave Setup', {
    step: 'check-command',
    payload: {
      commandId: J.stringAt('$.templateSlaveSetup.commandId'),
      instanceIds: J.listAt('$.templateSlave.instanceIds'),
      ...inputs.budgets.setup,
    },
    result: { done: '$.Payload.done', ...POLL_ANSWER },
    resultPath: '$.templateSlaveSetupStatus',
  });
  const checkOnline = check('Check Template Slave Online', {
    step: 'check-ssm-online',
    payload: { instanceIds: J.listAt('$.templateSlave.instanceIds'), ...inputs.budgets.online },
    result: { online: '$.Payload.online', ...POLL_ANSWER },
    resultPath: '$.templateSlaveOnline',
  });
  const imageLoop = timedPollLoop(scope, {
    subject: 'Slave Image',
    probe: checkImage,
    answerPath: '$.slaveImageStatus',
    question: 'Is Slave Image Available?',
    done: sfn.Condition.stringEquals('$.slaveImageStatus.state', 'available'),
    next: terminateTemplateSlave,
    stepId: 'check-image',
    notDone: 'slave image not available',
    ...(onTimeout ? { onTimeout } : {}),
  });
  const awaitSetup = step('Await Template Slave Setup Signal', {
    step: 'await-command-signal',
    payload: { commandId: J.stringAt('$.templateSlaveSetup.commandId'), instanceIds: J.listAt('$.templateSlave.instanceIds') },
    result: {},
    resultPath: J.DISCARD,
    retries: SIGNAL_STEP_RETRIES,
    waitForSignal: Duration.seconds(SIGNAL_TIMEOUT_SECONDS),
  });
  const templateSetupLoop = signalledPollLoop(scope, {
    subject: 'Template Slave Setup',
    signal: awaitSetup,
    probe: checkSetup,
    answerPath: '$.templateSlaveSetupStatus',
    question: 'Is Template Slave Setup Done?',
    done: sfn.Condition.booleanEquals('$.templateSlaveSetupStatus.done', true),
    next: sfn.Chain.start(bakeImage).next(imageLoop),
    stepId: 'check-command',
    notDone: 'template slave setup not finished',
    ...(onTimeout ? { onTimeout } : {}),
  });
  const chain = sfn.Chain.start(launchTemplateSlave).next(
    timedPollLoop(scope, {
      subject: 'Template Slave Online',
      probe: checkOnline,
      answerPath: '$.templateSlaveOnline',
      question: 'Is Template Slave Online?',
      done: sfn.Condition.booleanEquals('$.templateSlaveOnline.online', true),
      next: sfn.Chain.start(configureTemplateSlave).next(templateSetupLoop),
      stepId: 'check-ssm-online',
      notDone: 'template slave not online in SSM',
      ...(onTimeout ? { onTimeout } : {}),
    })
  );
  return {
    chain,
    tasks: [
      launchTemplateSlave,
      checkOnline,
      configureTemplateSlave,
      awaitSetup,
      checkSetup,
      bakeImage,
      checkImage,
      terminateTemplateSlave,
    ],
  };
}
