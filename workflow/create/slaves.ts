/**
 * The slaves phase of the create machine (the slaves' branch of Build Cluster Nodes):
 *
 *   Prepare Slave Network And Image:
 *       [Create NAT Gateway → wait available → Create Private Route Table]
 *     ‖ [Are Slaves Wanted? yes: the slave image phase; no: No Slave Image Needed]
 *   → Any Slaves To Launch? → Launch Slaves → wait slaves SSM Online → Slaves Booted
 *
 * The slaves need the slave image, the NAT route of their private subnets and the masters'
 * private IPs (known at launch), not configured masters: their agents retry ZooKeeper until
 * a master runs. So they launch as soon as the image and the route exist, while the masters
 * install.
 *
 * A cluster created without slaves bakes no image: no template slave, no bake. Its VPC
 * records the image's recipe (Create VPC), and its first scale-out bakes the image then.
 */
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { timedPollLoop } from '../poll-loop';
import { POLL_ANSWER } from '../timings';
import { budget, type CreatePhaseContext, J, SPEC } from './context';

export interface SlavesPhaseProps {
  /** The branch that leaves the slave image in `$.slaveImage.imageId` (and its hash in `$.slaveImageCache`). */
  readonly image: sfn.IChainable;
}

export function slavesPhase(ctx: CreatePhaseContext, props: SlavesPhaseProps): sfn.Chain {
  const { scope, launch, check } = ctx;
  const slaveSupply = new sfn.Parallel(scope, 'Prepare Slave Network And Image', {
    resultSelector: {
      natGatewayId: J.stringAt('$[0].natGateway.natGatewayId'),
      natGatewayIds: J.stringAt('$[0].natGateway.natGatewayIds'),
      privateRouteTableId: J.stringAt('$[0].privateRouteTable.routeTableId'),
      privateRouteTableIds: J.stringAt('$[0].privateRouteTable.routeTableIds'),
      slaveImageId: J.stringAt('$[1].slaveImage.imageId'),
      slaveImageHash: J.stringAt('$[1].slaveImageCache.imageHash'),
    },
    resultPath: '$.slaveSupply',
  })
    .branch(natGatewayBranch(ctx))
    .branch(
      new sfn.Choice(scope, 'Are Slaves Wanted?').when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), props.image).otherwise(
        new sfn.Pass(scope, 'No Slave Image Needed', {
          result: sfn.Result.fromObject({ slaveImage: { imageId: null }, slaveImageCache: { imageHash: null } }),
        })
      )
    );
  const launchSlaves = launch('Launch Slaves', {
    step: 'launch-instances',
    payload: {
      role: 'slave',
      count: J.numberAt(`${SPEC}.slaves`),
      instanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      imageId: J.stringAt('$.slaveSupply.slaveImageId'),
      // Spread over the zones' private subnets: one RunInstances call per zone.
      subnetIds: J.listAt('$.subnets.privateSubnetIds'),
      securityGroupId: J.stringAt('$.network.slaveSecurityGroupId'),
      masterIps: J.listAt('$.masters.privateIps'),
    },
    result: { instanceIds: '$.Payload.instanceIds' },
    resultPath: '$.slaves',
  });
  // The check answers when the slaves were launched (`startedAt`): the agents loop after the
  // join counts from it.
  const slavesOnline = timedPollLoop(scope, {
    subject: 'Slaves Online',
    probe: check('Check Slaves Online', {
      step: 'check-ssm-online',
      payload: { instanceIds: J.listAt('$.slaves.instanceIds'), ...budget('nodesOnlineMinutes') },
      result: { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount', startedAt: '$.Payload.startedAt', ...POLL_ANSWER },
      resultPath: '$.slavesOnline',
    }),
    answerPath: '$.slavesOnline',
    question: 'Are Slaves Online?',
    done: sfn.Condition.booleanEquals('$.slavesOnline.online', true),
    next: new sfn.Succeed(scope, 'Slaves Booted'),
    stepId: 'check-ssm-online',
    notDone: 'slaves not online in SSM',
  });
  launchSlaves.next(slavesOnline);
  return sfn.Chain.start(slaveSupply).next(
    new sfn.Choice(scope, 'Any Slaves To Launch?').when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), launchSlaves).otherwise(
      // The agents loop is skipped too; the field keeps the nodes' result selector whole.
      new sfn.Pass(scope, 'No Slaves To Launch', {
        parameters: { startedAt: J.stringAt('$$.Execution.StartTime') },
        resultPath: '$.slavesOnline',
      })
    )
  );
}

/**
 * Create NAT Gateway → wait available → Create Private Route Table. The steps handle one
 * NAT gateway (first zone, one private route table) or one per zone (natGateways perAz)
 * in one Lambda call each.
 */
function natGatewayBranch(ctx: CreatePhaseContext): sfn.Chain {
  const { scope, step, check } = ctx;
  return sfn.Chain.start(
    step('Create NAT Gateway', {
      step: 'create-nat-gateway',
      payload: { zones: J.listAt('$.subnets.zones'), allocations: J.listAt('$.network.allocations') },
      result: { natGatewayId: '$.Payload.natGatewayId', natGatewayIds: '$.Payload.natGatewayIds', nats: '$.Payload.nats' },
      resultPath: '$.natGateway',
    })
  ).next(
    timedPollLoop(scope, {
      subject: 'NAT Gateway',
      probe: check('Check NAT Gateway', {
        step: 'check-nat-gateway',
        payload: { natGatewayIds: J.listAt('$.natGateway.natGatewayIds'), ...budget('natGatewayMinutes') },
        result: { state: '$.Payload.state', ...POLL_ANSWER },
        resultPath: '$.natGatewayStatus',
      }),
      answerPath: '$.natGatewayStatus',
      question: 'Is NAT Gateway Available?',
      done: sfn.Condition.stringEquals('$.natGatewayStatus.state', 'available'),
      next: step('Create Private Route Table', {
        step: 'create-private-route-table',
        payload: { vpcId: J.stringAt('$.vpc.vpcId'), zones: J.listAt('$.subnets.zones'), nats: J.listAt('$.natGateway.nats') },
        result: { routeTableId: '$.Payload.routeTableId', routeTableIds: '$.Payload.routeTableIds' },
        resultPath: '$.privateRouteTable',
      }),
      stepId: 'check-nat-gateway',
      notDone: 'NAT gateway not available',
    })
  );
}
