/**
 * The scale-out phase of the scale machine:
 *
 *   Has The Cluster A Slave Image?
 *     yes: Use The Cluster's Slave Image
 *     no (a cluster created without slaves): the slave image phase, from the recipe its VPC
 *         recorded at the create (Find Cached Slave Image → reuse, or Launch Template Slave
 *         … Bake Slave Image … Terminate Template Slave); a failure there → Discard Image
 *         Bake (template slaves, images, snapshots) → the failure path
 *   → Launch Slaves (the cluster's image, one RunInstances call per zone) → wait online in
 *   SSM → Query Agents → wait registered (= the plan's target) → `next`.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { agentsLoop } from '../agents-loop';
import { slaveImagePhase } from '../create/slave-image';
import { timedPollLoop } from '../poll-loop';
import { ERROR_PATH } from '../record-failure';
import { POLL_ANSWER, POLL_BUDGETS } from '../timings';
import { type CatchableState, J, type OnPollTimeout, PLAN, type ScalePhaseContext } from './context';

export interface ScaleBranchProps {
  /** Where the branch goes once done (Record Scale). */
  readonly next: sfn.IChainable;
  /** What a poll loop at its bound goes to. */
  readonly onTimeout: OnPollTimeout;
  /** The failure path (Record Scale Failure), its error in `$.error`: where a discarded bake goes. */
  readonly onFailure?: sfn.IChainable;
}

export interface ScaleBranch {
  readonly chain: sfn.Chain;
  /** Its steps, in the order they join the failure path. */
  readonly catchable: readonly CatchableState[];
}

export function scaleOutPhase(ctx: ScalePhaseContext, props: ScaleBranchProps): ScaleBranch {
  const { scope, step, launch, check, master } = ctx;
  const launchSlaves = launch('Launch Slaves', {
    step: 'launch-instances',
    payload: {
      role: 'slave',
      count: J.numberAt(`${PLAN}.delta`),
      instanceType: J.stringAt(`${PLAN}.launch.instanceType`),
      imageId: J.stringAt('$.slaveImage.imageId'),
      subnetIds: J.listAt(`${PLAN}.launch.subnetIds`),
      securityGroupId: J.stringAt(`${PLAN}.launch.securityGroupId`),
      masterIps: J.listAt(`${PLAN}.launch.masterIps`),
      // Each round of each execution launches its own slaves; a retried launch launches none.
      tokenSuffix: J.format('{}-{}', J.executionName, J.stringAt('$.round.count')),
    },
    result: { instanceIds: '$.Payload.instanceIds' },
    resultPath: '$.launched',
  });
  const checkOnline = check('Check New Slaves Online', {
    step: 'check-ssm-online',
    payload: { instanceIds: J.listAt('$.launched.instanceIds'), budgetSeconds: POLL_BUDGETS.nodesOnline },
    result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount', startedAt: '$.Payload.startedAt', ...POLL_ANSWER },
    resultPath: '$.newSlavesOnline',
  });
  const {
    chain: agentsChain,
    queryAgents,
    checkAgents,
  } = agentsLoop(scope, {
    step,
    check,
    instanceId: master,
    expected: J.numberAt(`${PLAN}.target`),
    // Counted from the first query: the new slaves are online, their agents can register.
    budget: { budgetSeconds: POLL_BUDGETS.agentsRegistered },
    subject: 'New Agents',
    question: 'Are New Agents Registered?',
    notDone: 'new agents not registered with the master',
    next: props.next,
    onTimeout: props.onTimeout,
  });
  const launchChain = sfn.Chain.start(launchSlaves).next(
    timedPollLoop(scope, {
      subject: 'New Slaves Online',
      answerPath: '$.newSlavesOnline',
      probe: checkOnline,
      question: 'Are New Slaves Online?',
      done: sfn.Condition.booleanEquals('$.newSlavesOnline.online', true),
      next: agentsChain,
      stepId: 'check-ssm-online',
      notDone: 'new slaves not online in SSM',
      onTimeout: props.onTimeout,
    })
  );
  const image = imageBranch(ctx, launchChain, props);
  return { chain: image.chain, catchable: [launchSlaves, checkOnline, queryAgents, checkAgents, ...image.catchable] };
}

/**
 * Has The Cluster A Slave Image? and, when it has none, the bake from the recorded recipe
 * with its rollback. Both end in `$.slaveImage.imageId`, then `launch`.
 */
function imageBranch(ctx: ScalePhaseContext, launch: sfn.Chain, props: ScaleBranchProps): ScaleBranch {
  const { scope, step } = ctx;
  if (!props.onFailure) throw new Error('scaleOutPhase: onFailure is required (the failure path after a discarded bake)');
  const discard = step('Discard Image Bake', {
    step: 'discard-image-bake',
    payload: {},
    result: {
      terminated: '$.Payload.terminated',
      deleted: '$.Payload.deleted',
      kept: '$.Payload.kept',
      claimsReleased: '$.Payload.claimsReleased',
    },
    resultPath: '$.discardedBake',
  });
  discard.next(props.onFailure);
  const bake = slaveImagePhase(
    ctx,
    {
      vpcId: `${PLAN}.bake.vpcId`,
      baseImageId: `${PLAN}.bake.baseImageId`,
      software: `${PLAN}.bake.software`,
      freshImage: `${PLAN}.bake.freshImage`,
      instanceType: `${PLAN}.launch.instanceType`,
      subnetId: `${PLAN}.bake.publicSubnetId`,
      securityGroupId: `${PLAN}.launch.securityGroupId`,
      // A bake after a discarded one launches a template slave of its own.
      tokenSuffix: J.format('{}-{}', J.executionName, J.stringAt('$.round.count')),
      budgets: {
        online: { budgetSeconds: POLL_BUDGETS.nodesOnline },
        setup: { budgetSeconds: POLL_BUDGETS.templateSlaveSetup },
        image: { budgetSeconds: POLL_BUDGETS.slaveImage },
        bake: { budgetSeconds: POLL_BUDGETS.nodesOnline + POLL_BUDGETS.templateSlaveSetup + POLL_BUDGETS.slaveImage },
      },
    },
    {
      next: launch,
      onTimeout: (s, stateName, error, cause) =>
        new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(discard),
    }
  );
  for (const task of bake.tasks) task.addCatch(discard, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  const useOwn = new sfn.Pass(scope, "Use The Cluster's Slave Image", {
    parameters: { imageId: J.stringAt(`${PLAN}.launch.imageId`) },
    resultPath: '$.slaveImage',
  }).next(launch);
  const chain = sfn.Chain.start(
    new sfn.Choice(scope, 'Has The Cluster A Slave Image?')
      .when(sfn.Condition.isNull(`${PLAN}.launch.imageId`), bake.chain)
      .otherwise(useOwn)
  );
  return { chain, catchable: [discard] };
}
