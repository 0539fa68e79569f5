/**
 * The create machine: builds a Mesos cluster in its own VPC.
 *
 *   Validate Cluster Spec → Create VPC → Create Subnets (a public and a private subnet per zone)
 *   → Create Gateways And Security Groups:
 *       [Create Internet Gateway → Create Public Route Table] ‖ [Allocate Elastic IP] ‖ [Create Security Groups]
 *   → Launch Masters (one RunInstances call: their private IPs are known from here on)
 *   → Build Cluster Nodes:
 *       [wait masters SSM Online → Configure Masters → wait setup]
 *     ‖ [Prepare Slave Network And Image:
 *            [Create NAT Gateway → wait available → Create Private Route Table]
 *          ‖ [Find Cached Slave Image → Is A Slave Image Cached?
 *               yes: Use Cached Slave Image
 *               no:  Launch Template Slave → wait SSM Online → Configure Template Slave → wait setup
 *                    → Bake Slave Image → wait available → Terminate Template Slave]
 *        → Any Slaves To Launch? → Launch Slaves → wait slaves SSM Online]
 *   → Any Slaves? → Query Agents → wait registered
 *   → Create Scaling Alarms → Mark Cluster Ready → Cluster Ready
 *
 * Zones: the masters spread round-robin over the zones' public subnets, the slaves over
 * their private subnets (one RunInstances call per zone). The NAT steps handle one NAT
 * gateway (first zone, one private route table) or one per zone (natGateways perAz: one
 * Elastic IP, NAT gateway and private route table per zone) in one Lambda call each.
 *
 * The template slave boots in the first public subnet, so the bake does not wait for the
 * NAT gateway. The slaves (private subnets) wait for the NAT route and the image, not for
 * configured masters: their agents retry ZooKeeper until a master runs, so the slaves boot
 * while the masters install, and the agents register as soon as the first master runs.
 *
 * Failure path: a Catch (States.ALL → $.error) on every top-level state → Record Create
 * Failure (status CREATE_FAILED) → Keep Resources? → the teardown chain ('Roll Back …')
 * unless the spec says keepOnFailure or was never validated → Fail `Create Failed`, whose
 * cause is `<FAILURE_CODE>: <reason>`.
 */
import type { Duration } from 'aws-cdk-lib';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { CreateStepId } from '../functions/shared/contracts';
import { buildStandardMachine, type MachineObservabilityProps } from './observability';
import { pollLoop } from './poll-loop';
import { ERROR_PATH, FAILURE_CAUSE_PATH, recordFailureTask, unrecordedFailure } from './record-failure';
import { CHECK_STEP_RETRIES, CREATE_STEP_RETRIES, LAUNCH_STEP_RETRIES, type RetryPolicy } from './retry';
import { type ClusterPaths, type PayloadFields, type StepFunctions, stepTask } from './step-task';
import { buildTeardownChain } from './teardown-cluster';
import {
  AGENT_QUERY_RESULT,
  AGENTS_REGISTERED,
  CREATE_MACHINE_TIMEOUT,
  IMAGE_AVAILABLE,
  INSTANCES_ONLINE,
  MASTER_SETUP,
  NAT_GATEWAY_AVAILABLE,
  TEMPLATE_SLAVE_SETUP,
} from './timings';

/** The input of a create execution. */
export interface CreateMachineInput {
  readonly clusterId: string;
  /** The cluster spec as requested; Validate Cluster Spec normalizes it into `$.validated.spec`. */
  readonly spec: object;
}

/** The Comment of the create machine's definition. */
export const CREATE_COMMENT = 'Creates a Mesos cluster: VPC, NAT, masters, a baked slave image and the slaves';

/** Prefix of the rollback states (the teardown chain embedded in the create machine). */
export const ROLLBACK_PREFIX = 'Roll Back ';

const J = sfn.JsonPath;

/** The validated spec: every field below exists once Validate Cluster Spec has succeeded. */
const SPEC = '$.validated.spec';

/**
 * Builds the create definition (the chain from Validate Cluster Spec, with its failure
 * path and rollback) without a StateMachine, for the machine construct, tests and the ASL
 * export.
 */
export function buildCreateDefinition(scope: Construct, functions: StepFunctions): sfn.Chain {
  const cluster: ClusterPaths = { clusterId: '$.clusterId', clusterName: `${SPEC}.name` };
  const task = (
    stateName: string,
    id: CreateStepId,
    payload: PayloadFields,
    result: Record<string, string>,
    resultPath: string,
    retries: RetryPolicy = CREATE_STEP_RETRIES
  ) => stepTask(scope, stateName, { fn: functions[id], cluster, payload, result, resultPath, retries });

  // ------------------------------------------------------------------ network
  const validate = stepTask(scope, 'Validate Cluster Spec', {
    fn: functions['validate-spec'],
    cluster,
    // The name is only known once the spec is valid.
    withoutClusterName: true,
    payload: { spec: J.objectAt('$.spec') },
    result: { spec: '$.Payload.spec', baseImageId: '$.Payload.baseImageId' },
    resultPath: '$.validated',
    retries: CREATE_STEP_RETRIES,
  });
  const createVpc = task('Create VPC', 'create-vpc', { cidrBlock: J.stringAt(`${SPEC}.vpcCidr`) }, { vpcId: '$.Payload.vpcId' }, '$.vpc');
  // The zones: those the spec names (a validated spec always has the list, maybe empty),
  // else as many as there are masters, capped by the Region's available zones.
  const createSubnets = task(
    'Create Subnets',
    'create-subnets',
    {
      vpcId: J.stringAt('$.vpc.vpcId'),
      vpcCidr: J.stringAt(`${SPEC}.vpcCidr`),
      publicCidr: J.stringAt(`${SPEC}.publicSubnetCidr`),
      privateCidr: J.stringAt(`${SPEC}.privateSubnetCidr`),
      availabilityZones: J.listAt(`${SPEC}.availabilityZones`),
      zoneCount: J.numberAt(`${SPEC}.masters`),
    },
    {
      zones: '$.Payload.zones',
      availabilityZones: '$.Payload.availabilityZones',
      publicSubnetIds: '$.Payload.publicSubnetIds',
      privateSubnetIds: '$.Payload.privateSubnetIds',
      publicSubnetId: '$.Payload.publicSubnetId',
    },
    '$.subnets'
  );

  const internetGateway = task(
    'Create Internet Gateway',
    'create-internet-gateway',
    { vpcId: J.stringAt('$.vpc.vpcId') },
    { internetGatewayId: '$.Payload.internetGatewayId' },
    '$.internetGateway'
  );
  const publicRouteTable = task(
    'Create Public Route Table',
    'create-public-route-table',
    {
      vpcId: J.stringAt('$.vpc.vpcId'),
      internetGatewayId: J.stringAt('$.internetGateway.internetGatewayId'),
      subnetIds: J.listAt('$.subnets.publicSubnetIds'),
    },
    { routeTableId: '$.Payload.routeTableId' },
    '$.publicRouteTable'
  );
  // One address per NAT gateway: the first zone's, or every zone's with natGateways perAz.
  const elasticIp = task(
    'Allocate Elastic IP',
    'allocate-elastic-ip',
    { availabilityZones: J.listAt('$.subnets.availabilityZones'), natGateways: J.stringAt(`${SPEC}.natGateways`) },
    { allocationId: '$.Payload.allocationId', publicIp: '$.Payload.publicIp', allocations: '$.Payload.allocations' },
    '$.elasticIp'
  );
  const securityGroups = task(
    'Create Security Groups',
    'create-security-groups',
    { vpcId: J.stringAt('$.vpc.vpcId'), adminCidr: J.stringAt(`${SPEC}.adminCidr`) },
    { masterSecurityGroupId: '$.Payload.masterSecurityGroupId', slaveSecurityGroupId: '$.Payload.slaveSecurityGroupId' },
    '$.securityGroups'
  );
  const gateways = new sfn.Parallel(scope, 'Create Gateways And Security Groups', {
    resultSelector: {
      internetGatewayId: J.stringAt('$[0].internetGateway.internetGatewayId'),
      publicRouteTableId: J.stringAt('$[0].publicRouteTable.routeTableId'),
      allocationId: J.stringAt('$[1].elasticIp.allocationId'),
      natPublicIp: J.stringAt('$[1].elasticIp.publicIp'),
      allocations: J.stringAt('$[1].elasticIp.allocations'),
      masterSecurityGroupId: J.stringAt('$[2].securityGroups.masterSecurityGroupId'),
      slaveSecurityGroupId: J.stringAt('$[2].securityGroups.slaveSecurityGroupId'),
    },
    resultPath: '$.network',
  })
    .branch(sfn.Chain.start(internetGateway).next(publicRouteTable))
    .branch(elasticIp)
    .branch(securityGroups);

  // ------------------------------------------------------------------ NAT gateway
  const natBranch = sfn.Chain.start(
    task(
      'Create NAT Gateway',
      'create-nat-gateway',
      { zones: J.listAt('$.subnets.zones'), allocations: J.listAt('$.network.allocations') },
      { natGatewayId: '$.Payload.natGatewayId', natGatewayIds: '$.Payload.natGatewayIds', nats: '$.Payload.nats' },
      '$.natGateway'
    )
  ).next(
    pollLoop(scope, {
      subject: 'NAT Gateway',
      counter: 'natGateway',
      probe: task(
        'Check NAT Gateway',
        'check-nat-gateway',
        { natGatewayIds: J.listAt('$.natGateway.natGatewayIds') },
        { state: '$.Payload.state' },
        '$.natGatewayStatus',
        CHECK_STEP_RETRIES
      ),
      question: 'Is NAT Gateway Available?',
      done: sfn.Condition.stringEquals('$.natGatewayStatus.state', 'available'),
      next: task(
        'Create Private Route Table',
        'create-private-route-table',
        { vpcId: J.stringAt('$.vpc.vpcId'), zones: J.listAt('$.subnets.zones'), nats: J.listAt('$.natGateway.nats') },
        { routeTableId: '$.Payload.routeTableId', routeTableIds: '$.Payload.routeTableIds' },
        '$.privateRouteTable'
      ),
      timing: NAT_GATEWAY_AVAILABLE,
      stepId: 'check-nat-gateway',
      notDone: 'NAT gateway not available',
    })
  );

  // ------------------------------------------------------------------ masters
  const launchMasters = task(
    'Launch Masters',
    'launch-instances',
    {
      role: 'master',
      count: J.numberAt(`${SPEC}.masters`),
      instanceType: J.stringAt(`${SPEC}.masterInstanceType`),
      imageId: J.stringAt('$.validated.baseImageId'),
      // Round-robin over the zones' public subnets: master i in zone i mod n.
      subnetIds: J.listAt('$.subnets.publicSubnetIds'),
      securityGroupId: J.stringAt('$.network.masterSecurityGroupId'),
    },
    { instanceIds: '$.Payload.instanceIds', privateIps: '$.Payload.privateIps' },
    '$.masters',
    LAUNCH_STEP_RETRIES
  );
  const configureMasters = task(
    'Configure Masters',
    'configure-masters',
    {
      instanceIds: J.listAt('$.masters.instanceIds'),
      masterIps: J.listAt('$.masters.privateIps'),
      software: J.objectAt(`${SPEC}.software`),
    },
    { commandId: '$.Payload.commandId' },
    '$.masterSetup'
  );
  // Launched before the Parallel: the slaves' join user data names the masters' private IPs.
  const mastersBranch = sfn.Chain.start(
    pollLoop(scope, {
      subject: 'Masters Online',
      counter: 'mastersOnline',
      probe: task(
        'Check Masters Online',
        'check-ssm-online',
        { instanceIds: J.listAt('$.masters.instanceIds') },
        { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount' },
        '$.mastersOnline',
        CHECK_STEP_RETRIES
      ),
      question: 'Are Masters Online?',
      done: sfn.Condition.booleanEquals('$.mastersOnline.online', true),
      next: sfn.Chain.start(configureMasters).next(
        pollLoop(scope, {
          subject: 'Master Setup',
          counter: 'masterSetup',
          probe: task(
            'Check Master Setup',
            'check-command',
            { commandId: J.stringAt('$.masterSetup.commandId'), instanceIds: J.listAt('$.masters.instanceIds') },
            { done: '$.Payload.done' },
            '$.masterSetupStatus',
            CHECK_STEP_RETRIES
          ),
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

  // ------------------------------------------------------------------ template slave and image
  const launchTemplateSlave = task(
    'Launch Template Slave',
    'launch-instances',
    {
      role: 'template-slave',
      count: 1,
      instanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      imageId: J.stringAt('$.validated.baseImageId'),
      // The public subnet: the template slave reaches the package mirrors through the
      // internet gateway, so the bake does not wait for the NAT gateway.
      subnetId: J.stringAt('$.subnets.publicSubnetId'),
      securityGroupId: J.stringAt('$.network.slaveSecurityGroupId'),
    },
    { instanceIds: '$.Payload.instanceIds', instanceId: '$.Payload.instanceIds[0]' },
    '$.templateSlave',
    LAUNCH_STEP_RETRIES
  );
  const configureTemplateSlave = task(
    'Configure Template Slave',
    'configure-template-slave',
    { instanceId: J.stringAt('$.templateSlave.instanceId'), software: J.objectAt(`${SPEC}.software`) },
    { commandId: '$.Payload.commandId' },
    '$.templateSlaveSetup'
  );
  const bakeImage = task(
    'Bake Slave Image',
    'bake-image',
    {
      instanceId: J.stringAt('$.templateSlave.instanceId'),
      vpcId: J.stringAt('$.vpc.vpcId'),
      imageHash: J.stringAt('$.slaveImageCache.imageHash'),
      freshImage: J.stringAt(`${SPEC}.freshImage`),
    },
    { imageId: '$.Payload.imageId' },
    '$.slaveImage'
  );
  const terminateTemplateSlave = task(
    'Terminate Template Slave',
    'terminate-instances',
    { instanceIds: J.listAt('$.templateSlave.instanceIds') },
    { terminating: '$.Payload.terminating' },
    '$.templateSlaveTermination'
  );
  const imageLoop = pollLoop(scope, {
    subject: 'Slave Image',
    counter: 'slaveImage',
    probe: task(
      'Check Slave Image',
      'check-image',
      { imageId: J.stringAt('$.slaveImage.imageId') },
      { state: '$.Payload.state' },
      '$.slaveImageStatus',
      CHECK_STEP_RETRIES
    ),
    question: 'Is Slave Image Available?',
    done: sfn.Condition.stringEquals('$.slaveImageStatus.state', 'available'),
    next: terminateTemplateSlave,
    timing: IMAGE_AVAILABLE,
    stepId: 'check-image',
    notDone: 'slave image not available',
  });
  const templateSetupLoop = pollLoop(scope, {
    subject: 'Template Slave Setup',
    counter: 'templateSlaveSetup',
    probe: task(
      'Check Template Slave Setup',
      'check-command',
      { commandId: J.stringAt('$.templateSlaveSetup.commandId'), instanceIds: J.listAt('$.templateSlave.instanceIds') },
      { done: '$.Payload.done' },
      '$.templateSlaveSetupStatus',
      CHECK_STEP_RETRIES
    ),
    question: 'Is Template Slave Setup Done?',
    done: sfn.Condition.booleanEquals('$.templateSlaveSetupStatus.done', true),
    next: sfn.Chain.start(bakeImage).next(imageLoop),
    timing: TEMPLATE_SLAVE_SETUP,
    stepId: 'check-command',
    notDone: 'template slave setup not finished',
  });
  const bakeBranch = sfn.Chain.start(launchTemplateSlave).next(
    pollLoop(scope, {
      subject: 'Template Slave Online',
      counter: 'templateSlaveOnline',
      probe: task(
        'Check Template Slave Online',
        'check-ssm-online',
        { instanceIds: J.listAt('$.templateSlave.instanceIds') },
        { online: '$.Payload.online' },
        '$.templateSlaveOnline',
        CHECK_STEP_RETRIES
      ),
      question: 'Is Template Slave Online?',
      done: sfn.Condition.booleanEquals('$.templateSlaveOnline.online', true),
      next: sfn.Chain.start(configureTemplateSlave).next(templateSetupLoop),
      timing: INSTANCES_ONLINE,
      stepId: 'check-ssm-online',
      notDone: 'template slave not online in SSM',
    })
  );

  // An available image of the same recipe (base image, software, configure-slave script)
  // is reused: no template slave, no bake. freshImage forces the bake.
  const findCachedImage = task(
    'Find Cached Slave Image',
    'find-cached-image',
    {
      vpcId: J.stringAt('$.vpc.vpcId'),
      baseImageId: J.stringAt('$.validated.baseImageId'),
      software: J.objectAt(`${SPEC}.software`),
      freshImage: J.stringAt(`${SPEC}.freshImage`),
    },
    { imageHash: '$.Payload.imageHash', cachedImageId: '$.Payload.cachedImageId' },
    '$.slaveImageCache'
  );
  const useCachedImage = new sfn.Pass(scope, 'Use Cached Slave Image', {
    parameters: { imageId: J.stringAt('$.slaveImageCache.cachedImageId') },
    resultPath: '$.slaveImage',
  });
  // Asked as IsNull: true (the local runner evaluates IsNull: false as never matching).
  const templateBranch = sfn.Chain.start(findCachedImage).next(
    new sfn.Choice(scope, 'Is A Slave Image Cached?')
      .when(sfn.Condition.isNull('$.slaveImageCache.cachedImageId'), bakeBranch)
      .otherwise(useCachedImage)
  );

  // ------------------------------------------------------------------ slaves
  // The slaves need the slave image, the NAT route of their private subnets and the
  // masters' private IPs (known at launch), not configured masters: their agents retry
  // ZooKeeper until a master runs. So they launch as soon as the image and the route exist,
  // while the masters install.
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
    .branch(natBranch)
    .branch(templateBranch);
  const launchSlaves = task(
    'Launch Slaves',
    'launch-instances',
    {
      role: 'slave',
      count: J.numberAt(`${SPEC}.slaves`),
      instanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      imageId: J.stringAt('$.slaveSupply.slaveImageId'),
      // Spread over the zones' private subnets: one RunInstances call per zone.
      subnetIds: J.listAt('$.subnets.privateSubnetIds'),
      securityGroupId: J.stringAt('$.network.slaveSecurityGroupId'),
      masterIps: J.listAt('$.masters.privateIps'),
    },
    { instanceIds: '$.Payload.instanceIds' },
    '$.slaves',
    LAUNCH_STEP_RETRIES
  );
  // Booted slaves (Online in SSM) register within AGENTS_REGISTERED of a running master, so
  // the agents loop after the join waits the same short time whichever branch ended last.
  const slavesOnline = pollLoop(scope, {
    subject: 'Slaves Online',
    counter: 'slavesOnline',
    probe: task(
      'Check Slaves Online',
      'check-ssm-online',
      { instanceIds: J.listAt('$.slaves.instanceIds') },
      { online: '$.Payload.online', onlineCount: '$.Payload.onlineCount' },
      '$.slavesOnline',
      CHECK_STEP_RETRIES
    ),
    question: 'Are Slaves Online?',
    done: sfn.Condition.booleanEquals('$.slavesOnline.online', true),
    next: new sfn.Succeed(scope, 'Slaves Booted'),
    timing: INSTANCES_ONLINE,
    stepId: 'check-ssm-online',
    notDone: 'slaves not online in SSM',
  });
  launchSlaves.next(slavesOnline);
  const slavesBranch = sfn.Chain.start(slaveSupply).next(
    new sfn.Choice(scope, 'Any Slaves To Launch?')
      .when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), launchSlaves)
      .otherwise(new sfn.Succeed(scope, 'No Slaves To Launch'))
  );

  const nodes = new sfn.Parallel(scope, 'Build Cluster Nodes', {
    resultSelector: {
      natGatewayId: J.stringAt('$[1].slaveSupply.natGatewayId'),
      privateRouteTableId: J.stringAt('$[1].slaveSupply.privateRouteTableId'),
      privateRouteTableIds: J.stringAt('$[1].slaveSupply.privateRouteTableIds'),
      natGatewayIds: J.stringAt('$[1].slaveSupply.natGatewayIds'),
      masterInstanceIds: J.stringAt('$[0].masters.instanceIds'),
      masterIps: J.stringAt('$[0].masters.privateIps'),
      firstMasterId: J.stringAt('$[0].masters.instanceIds[0]'),
      slaveImageId: J.stringAt('$[1].slaveSupply.slaveImageId'),
      slaveImageHash: J.stringAt('$[1].slaveSupply.slaveImageHash'),
    },
    resultPath: '$.nodes',
  })
    .branch(mastersBranch)
    .branch(slavesBranch);

  const markReady = task(
    'Mark Cluster Ready',
    'mark-ready',
    { vpcId: J.stringAt('$.vpc.vpcId') },
    { status: '$.Payload.status' },
    '$.ready'
  );
  markReady.next(new sfn.Succeed(scope, 'Cluster Ready'));
  // The scaling alarms and settings go last: no alarm may start a scale of a cluster that is
  // not complete (Plan Scale refuses anything but CREATE_COMPLETE anyway).
  const createAlarms = stepTask(scope, 'Create Scaling Alarms', {
    fn: functions['create-scaling-alarms'],
    cluster,
    payload: {
      vpcId: J.stringAt('$.vpc.vpcId'),
      autoscaling: J.objectAt(`${SPEC}.autoscaling`),
      slaveInstanceType: J.stringAt(`${SPEC}.slaveInstanceType`),
      slaves: J.numberAt(`${SPEC}.slaves`),
    },
    result: { alarmNames: '$.Payload.alarmNames' },
    resultPath: '$.scalingAlarms',
    retries: CREATE_STEP_RETRIES,
  });
  createAlarms.next(markReady);

  const queryAgents = task(
    'Query Agents',
    'query-agents',
    { instanceId: J.stringAt('$.nodes.firstMasterId') },
    { commandId: '$.Payload.commandId' },
    '$.agentQuery'
  );
  const checkAgents = task(
    'Check Agents Registered',
    'check-agents-registered',
    {
      commandId: J.stringAt('$.agentQuery.commandId'),
      instanceId: J.stringAt('$.nodes.firstMasterId'),
      expected: J.numberAt(`${SPEC}.slaves`),
    },
    { registered: '$.Payload.registered', ready: '$.Payload.ready' },
    '$.agents',
    CHECK_STEP_RETRIES
  );

  // ------------------------------------------------------------------ failure path
  const createFailed = new sfn.Fail(scope, 'Create Failed', { error: 'CREATE_FAILED', causePath: FAILURE_CAUSE_PATH });
  const rollbackFailed = new sfn.Fail(scope, 'Rollback Failed', { error: 'ROLLBACK_FAILED', causePath: FAILURE_CAUSE_PATH });

  const rollback = buildTeardownChain(scope, ROLLBACK_PREFIX, functions, { cluster });
  rollback.chain.next(createFailed);
  rollback.addCatch(rollbackFailed, { errors: [sfn.Errors.ALL], resultPath: '$.rollbackError' });

  // A spec that never validated created nothing; keepOnFailure (a validated spec always
  // has it, but a missing path must not break the failure path) keeps the resources for
  // inspection. Rules are tried in order, so no rule reads a path an earlier rule ruled out.
  const keepResources = new sfn.Choice(scope, 'Keep Resources?')
    .when(sfn.Condition.not(sfn.Condition.isPresent('$.validated')), createFailed)
    .when(sfn.Condition.not(sfn.Condition.isPresent(`${SPEC}.keepOnFailure`)), rollback.chain)
    .when(sfn.Condition.booleanEquals(`${SPEC}.keepOnFailure`, true), createFailed)
    .otherwise(rollback.chain);

  const unrecorded = unrecordedFailure(scope, 'Note Unrecorded Create Failure', 'CREATE_FAILED').next(keepResources);
  const recordFailure = recordFailureTask(scope, 'Record Create Failure', {
    fn: functions['record-failure'],
    cluster,
    status: 'CREATE_FAILED',
  });
  // Without a valid spec there is no cluster name: the cluster is known by its id.
  const recordRejected = recordFailureTask(scope, 'Record Rejected Spec', {
    fn: functions['record-failure'],
    cluster: { clusterId: '$.clusterId', clusterName: '$.clusterId' },
    status: 'CREATE_FAILED',
  });
  for (const record of [recordFailure, recordRejected]) {
    record.addCatch(unrecorded, { errors: [sfn.Errors.ALL], resultPath: '$.recordError' });
    record.next(keepResources);
  }
  const wasValidated = new sfn.Choice(scope, 'Was Spec Validated?')
    .when(sfn.Condition.isPresent('$.validated'), recordFailure)
    .otherwise(recordRejected);

  // The agents loop runs outside any Parallel: at its bound it records the timeout as the
  // caught error and joins the failure path, so the cluster is rolled back like any failure.
  const agentsLoop = pollLoop(scope, {
    subject: 'Agents',
    counter: 'agents',
    probe: sfn.Chain.start(queryAgents)
      .next(new sfn.Wait(scope, 'Wait For Agent Count', { time: sfn.WaitTime.duration(AGENT_QUERY_RESULT) }))
      .next(checkAgents),
    question: 'Are Agents Registered?',
    done: sfn.Condition.booleanEquals('$.agents.ready', true),
    next: createAlarms,
    timing: AGENTS_REGISTERED,
    stepId: 'check-agents-registered',
    notDone: 'agents not registered with the master',
    onTimeout: (s, stateName, error, cause) =>
      new sfn.Pass(s, stateName, { parameters: { Error: error, Cause: cause }, resultPath: ERROR_PATH }).next(wasValidated),
  });
  const anySlaves = new sfn.Choice(scope, 'Any Slaves?')
    .when(sfn.Condition.numberGreaterThan(`${SPEC}.slaves`, 0), agentsLoop)
    .otherwise(createAlarms);

  for (const state of [
    validate,
    createVpc,
    createSubnets,
    gateways,
    launchMasters,
    nodes,
    queryAgents,
    checkAgents,
    createAlarms,
    markReady,
  ]) {
    state.addCatch(wasValidated, { errors: [sfn.Errors.ALL], resultPath: ERROR_PATH });
  }

  return sfn.Chain.start(validate).next(createVpc).next(createSubnets).next(gateways).next(launchMasters).next(nodes).next(anySlaves);
}

export interface CreateClusterMachineProps extends MachineObservabilityProps {
  /** Every step's function: the create steps and, for the rollback, the teardown steps. */
  readonly functions: StepFunctions;
  /** @default 2 hours (CREATE_MACHINE_TIMEOUT) */
  readonly timeout?: Duration;
  /** @default a name generated by CloudFormation */
  readonly stateMachineName?: string;
}

/** The create state machine (Standard). Input: `{ clusterId, spec }`. */
export class CreateClusterMachine extends Construct {
  readonly stateMachine: sfn.StateMachine;
  readonly logGroup: logs.ILogGroup;
  /** Fires when an execution fails. */
  readonly failedAlarm: cloudwatch.Alarm;

  constructor(scope: Construct, id: string, props: CreateClusterMachineProps) {
    super(scope, id);
    const timeout = props.timeout ?? CREATE_MACHINE_TIMEOUT;
    if (timeout.toSeconds() < 60) throw new Error('CreateClusterMachine: timeout must be at least one minute');
    const machine = buildStandardMachine(this, {
      ...props,
      machineLabel: 'create',
      comment: CREATE_COMMENT,
      timeout,
      definition: (scope) => buildCreateDefinition(scope, props.functions),
    });
    this.stateMachine = machine.stateMachine;
    this.logGroup = machine.logGroup;
    this.failedAlarm = machine.failedAlarm;
  }
}
