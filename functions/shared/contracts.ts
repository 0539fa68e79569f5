/**
 * The inputs and outputs of every workflow step: the contract between the step
 * functions (functions/<step>/) and the state machines (workflow/). Payloads are small:
 * ids and the few fields a step needs, never command output or whole API responses.
 */
import type { PollAnswer, PollInput } from './poll';
import type { ClusterRef } from './tags';

/**
 * A check of a poll loop: given a budget (PollInput), it also answers when to look next
 * and whether the budget is used up (PollAnswer, functions/shared/poll.ts).
 */
export type PollOutput = Partial<PollAnswer>;

/** Every step receives the cluster's id and name (for tags) and the execution id. */
export interface StepInput extends ClusterRef {
  readonly executionId?: string;
}

// ---------------------------------------------------------------- create

/** Validate Cluster Spec: normalizes the spec, checks the name is free, resolves the base image. */
export interface ValidateSpecInput {
  readonly clusterId: string;
  readonly spec: unknown;
  readonly executionId?: string;
}
export interface ValidateSpecOutput {
  readonly spec: import('./cluster-spec').ClusterSpec;
  /** Ubuntu AMI from Canonical's public SSM parameter. */
  readonly baseImageId: string;
  /** What the cluster will hold at its peak (Elastic IPs, vCPUs): Create VPC tags it, for the pre-flight of other creates. */
  readonly holds: import('./holds').ClusterHolds;
}

export interface CreateVpcInput extends StepInput {
  readonly cidrBlock: string;
  /** What the cluster's slave image is baked from, recorded on the VPC (image-recipe RECIPE_TAGS). */
  readonly slaveImageRecipe?: import('./image-recipe').SlaveImageRecipe;
  /** What the cluster will hold at its peak (Validate Cluster Spec's `holds`), tagged on the VPC. */
  readonly holds?: import('./holds').ClusterHolds;
}
export interface CreateVpcOutput {
  readonly vpcId: string;
}

export interface CreateSubnetsInput extends StepInput {
  readonly vpcId: string;
  /** The subnets of a single-zone cluster. */
  readonly publicCidr: string;
  readonly privateCidr: string;
  /** The VPC's block, from which a multi-zone cluster carves its subnets (cluster-spec `zoneSubnetCidrs`). */
  readonly vpcCidr?: string;
  /** One zone by name (the spec's `availabilityZone`). */
  readonly availabilityZone?: string;
  /** The zones by name, in order (the validated spec's `availabilityZones`); empty or absent: chosen by the step. */
  readonly availabilityZones?: readonly string[];
  /**
   * How many zones to choose when none are named: the first `zoneCount` available zones of
   * the Region by name, fewer if the Region has fewer (the machine passes the master count).
   * @default 1
   */
  readonly zoneCount?: number;
}
/** A zone of the cluster and its two subnets. */
export interface ZoneSubnets {
  readonly availabilityZone: string;
  readonly publicSubnetId: string;
  readonly privateSubnetId: string;
}
export interface CreateSubnetsOutput {
  /** The cluster's zones in order: masters and slaves are spread over them round-robin. */
  readonly zones: ZoneSubnets[];
  readonly publicSubnetIds: string[];
  readonly privateSubnetIds: string[];
  readonly availabilityZones: string[];
  /** The first zone's subnets (the only ones of a single-zone cluster). */
  readonly publicSubnetId: string;
  readonly privateSubnetId: string;
  readonly availabilityZone: string;
}

export interface CreateInternetGatewayInput extends StepInput {
  readonly vpcId: string;
}
export interface CreateInternetGatewayOutput {
  readonly internetGatewayId: string;
}

export interface CreatePublicRouteTableInput extends StepInput {
  readonly vpcId: string;
  readonly internetGatewayId: string;
  /** One public subnet; or `subnetIds`. */
  readonly subnetId?: string;
  /** Every public subnet (one per zone): the one public route table is associated with each. */
  readonly subnetIds?: readonly string[];
}
/** A NAT gateway and the zone it serves. */
export interface NatGatewayRef {
  readonly availabilityZone: string;
  readonly natGatewayId: string;
}
/**
 * Create Private Route Table(s): with one NAT gateway, one table for every private subnet;
 * with one NAT gateway per zone, one table per zone, routing through that zone's NAT.
 * The single-NAT form may also be given as `natGatewayId` + `subnetId`.
 */
export interface CreatePrivateRouteTableInput extends StepInput {
  readonly vpcId: string;
  readonly natGatewayId?: string;
  readonly subnetId?: string;
  readonly zones?: readonly ZoneSubnets[];
  readonly nats?: readonly NatGatewayRef[];
}
export interface CreateRouteTableOutput {
  /** The (first) route table. */
  readonly routeTableId: string;
  /** Every route table of the step: one, or one per zone. */
  readonly routeTableIds?: string[];
}

/** An Elastic IP of a NAT gateway, and the zone whose NAT gateway holds it. */
export interface ElasticIpAllocation {
  readonly availabilityZone: string;
  readonly allocationId: string;
  readonly publicIp: string;
}
/**
 * Allocate Elastic IP(s): one per NAT gateway: for the first zone (`natGateways: single`,
 * the default) or for every zone (`perAz`). Without zones: one untagged-by-zone address.
 */
export interface AllocateElasticIpInput extends StepInput {
  readonly availabilityZones?: readonly string[];
  readonly natGateways?: import('./cluster-spec').NatGatewayMode;
}
export interface AllocateElasticIpOutput {
  /** The first address. */
  readonly allocationId: string;
  readonly publicIp: string;
  /** One per NAT gateway zone, in zone order. */
  readonly allocations: ElasticIpAllocation[];
}

export interface CreateSecurityGroupsInput extends StepInput {
  readonly vpcId: string;
  readonly adminCidr: string;
}
export interface CreateSecurityGroupsOutput {
  readonly masterSecurityGroupId: string;
  readonly slaveSecurityGroupId: string;
}

/**
 * Create NAT Gateway(s): one per allocation, in that zone's public subnet (`zones` +
 * `allocations`); or a single one from `subnetId` + `allocationId`.
 */
export interface CreateNatGatewayInput extends StepInput {
  readonly subnetId?: string;
  readonly allocationId?: string;
  readonly zones?: readonly ZoneSubnets[];
  readonly allocations?: readonly Pick<ElasticIpAllocation, 'availabilityZone' | 'allocationId'>[];
}
export interface CreateNatGatewayOutput {
  /** The first NAT gateway. */
  readonly natGatewayId: string;
  /** Every NAT gateway of the cluster, with its zone. */
  readonly nats: NatGatewayRef[];
  readonly natGatewayIds: string[];
}

/** Check NAT Gateway(s): available when every one of them is. */
export interface CheckNatGatewayInput extends StepInput, PollInput {
  readonly natGatewayId?: string;
  readonly natGatewayIds?: readonly string[];
}
/** `failed` is not returned: it throws FatalError with the NAT's failure code. */
export interface CheckNatGatewayOutput extends PollOutput {
  readonly state: 'pending' | 'available';
}

export type NodeRole = 'master' | 'template-slave' | 'slave';

export interface LaunchInstancesInput extends StepInput {
  readonly role: NodeRole;
  readonly count: number;
  readonly instanceType: string;
  readonly imageId: string;
  /** One subnet; or `subnetIds`. */
  readonly subnetId?: string;
  /**
   * The subnets of the cluster's zones: the instances are spread over them round-robin
   * (instance i in subnet i mod n), with one RunInstances call per subnet that gets any
   * (ClientToken per subnet), so N slaves over Z zones cost Z calls.
   */
  readonly subnetIds?: readonly string[];
  readonly securityGroupId: string;
  /** Slaves only: the masters' private IPs, rendered into the join user data. */
  readonly masterIps?: readonly string[];
  /**
   * Appended to the ClientToken's step name, so that each scale-out (e.g. the scale
   * execution's name) launches its own instances while a re-run of it launches none.
   */
  readonly tokenSuffix?: string;
}
export interface LaunchInstancesOutput {
  readonly instanceIds: string[];
  readonly privateIps: string[];
}

export interface CheckSsmOnlineInput extends StepInput, PollInput {
  readonly instanceIds: readonly string[];
}
export interface CheckSsmOnlineOutput extends PollOutput {
  readonly online: boolean;
  readonly onlineCount: number;
  readonly total: number;
}

export interface ConfigureMastersInput extends StepInput {
  readonly instanceIds: readonly string[];
  readonly masterIps: readonly string[];
  readonly software: import('./cluster-spec').ClusterSpec['software'];
}
export interface ConfigureTemplateSlaveInput extends StepInput {
  readonly instanceId: string;
  readonly software: import('./cluster-spec').ClusterSpec['software'];
}
export interface QueryAgentsInput extends StepInput {
  /** The master asked for the agent count. */
  readonly instanceId: string;
}
export interface SendCommandOutput {
  readonly commandId: string;
}
/** Query Agents: the first count's command, and when it was sent (the agents loop counts from it). */
export interface QueryAgentsOutput extends SendCommandOutput {
  readonly startedAt: string;
}

export interface CheckCommandInput extends StepInput, PollInput {
  readonly commandId: string;
  readonly instanceIds: readonly string[];
}
/** Failed, cancelled or timed-out invocations throw FatalError naming the instance and status. */
export interface CheckCommandOutput extends PollOutput {
  readonly done: boolean;
}

/** Await Command Signal: the first half of a signal wait (functions/shared/command-signals.ts). */
export interface AwaitCommandSignalInput extends StepInput {
  readonly commandId: string;
  readonly instanceIds: readonly string[];
  /** The waiting task's token (`$$.Task.Token`). */
  readonly taskToken: string;
}
/** The task's own result is what SendTaskSuccess sends; the Lambda answers this for its log. */
export interface AwaitCommandSignalOutput {
  /** True when the command had already finished and the step sent the token itself. */
  readonly signalled: boolean;
}

/** Relay Command Signal: the EventBridge event of a command that reached a final status. */
export interface CommandStatusEvent {
  readonly id?: string;
  readonly 'detail-type'?: string;
  readonly source?: string;
  readonly detail?: { readonly 'command-id'?: string; readonly status?: string };
}
export interface RelayCommandSignalOutput {
  /** True when a waiting task got the signal. */
  readonly relayed: boolean;
}

export interface CheckAgentsRegisteredInput extends StepInput, PollInput {
  readonly commandId: string;
  readonly instanceId: string;
  readonly expected: number;
}
export interface CheckAgentsRegisteredOutput extends PollOutput {
  /** The agents the last finished count saw (0 while the first count runs). */
  readonly registered: number;
  readonly ready: boolean;
  /** The query the next check reads: the same one while it runs, a new one after a short count. */
  readonly commandId: string;
}

/**
 * Find Cached Image: computes the slave image hash of the recipe (base image, software,
 * configure-slave script) and looks for an available image of this account with that
 * hash. On a hit it records the image on the VPC (`mesos-cluster:slave-image`). Without
 * one it claims the recipe's bake (functions/shared/bake-claims.ts), unless another
 * cluster's claim holds it: then the cluster waits for that bake (Check Image Bake).
 * The poll budget fields are the bake's budget, which sets the claim's lease.
 */
export interface FindCachedImageInput extends StepInput, PollInput {
  readonly vpcId: string;
  readonly baseImageId: string;
  readonly software: import('./cluster-spec').ClusterSpec['software'];
  /** Ignore cached images: bake a fresh one (no claim: the image gets a name of its own). */
  readonly freshImage?: boolean;
}
/** Where the cluster's slave image comes from. */
export type SlaveImageSource = 'cached' | 'bake' | 'wait';
export interface FindCachedImageOutput {
  readonly imageHash: string;
  /** The newest available image with that hash; null when there is none or a fresh bake is forced. */
  readonly cachedImageId: string | null;
  /** cached: use cachedImageId; bake: this cluster bakes (it holds the claim); wait: another cluster bakes. */
  readonly source: SlaveImageSource;
  /** The cluster whose bake this one waits for (source wait), else null. */
  readonly bakingCluster: string | null;
  /** When the step looked (ISO 8601): a wait for another cluster's bake counts from here. */
  readonly checkedAt: string;
}

/**
 * Check Image Bake: the wait of a cluster whose recipe another cluster is baking. Each
 * check looks for the recipe's image, then at the claims: an available image is recorded
 * on the VPC (available); a claim released or run out is taken over (claimed: this
 * cluster bakes now); otherwise it waits, at most until the holder's lease ends.
 * The budget is the cluster's own bake budget, counted from `since`; past 10 minutes of
 * waiting a given-up bake fails the create instead (BAKE_TAKEOVER_WINDOW_SECONDS).
 */
export interface CheckImageBakeInput extends StepInput, PollInput {
  readonly vpcId: string;
  readonly imageHash: string;
}
export interface CheckImageBakeOutput extends PollOutput {
  readonly state: 'waiting' | 'available' | 'claimed';
  /** The image (state available), else null. */
  readonly imageId: string | null;
  /** The cluster that holds the bake (state waiting), else null. */
  readonly bakingCluster: string | null;
}

/** Bake Image: the slave image of the recipe `imageHash`, recorded on the VPC. */
export interface BakeImageInput extends StepInput {
  readonly instanceId: string;
  readonly vpcId: string;
  readonly imageHash: string;
  /** A fresh bake: the image gets a name of its own instead of the recipe's shared name. */
  readonly freshImage?: boolean;
}
export interface BakeImageOutput {
  readonly imageId: string;
}

export interface CheckImageInput extends StepInput, PollInput {
  readonly imageId: string;
  /** The recipe hash: once the image is available, the cluster's claim on the recipe's bake is released. */
  readonly imageHash?: string;
}
/** `failed` throws FatalError with the image's state reason. */
export interface CheckImageOutput extends PollOutput {
  readonly state: 'pending' | 'available';
}

export interface TerminateInstancesInput extends StepInput {
  readonly instanceIds: readonly string[];
}
export interface TerminateInstancesOutput {
  readonly terminating: number;
}

export interface MarkReadyInput extends StepInput {
  readonly vpcId: string;
}
export interface MarkReadyOutput {
  readonly status: 'CREATE_COMPLETE';
}

/** The `$.error` that a Catch records: Lambda's errorType and its JSON cause. */
export interface CaughtError {
  readonly Error: string;
  readonly Cause?: string;
}
export interface RecordFailureInput extends StepInput {
  readonly error: CaughtError;
  /** The status to record: CREATE_FAILED for a create, DELETE_FAILED for a teardown. */
  readonly status: 'CREATE_FAILED' | 'DELETE_FAILED';
}
export interface RecordFailureOutput {
  /** e.g. `CREATE_NAT_GATEWAY_FAILED`: the step that failed, in upper snake case. */
  readonly failureCode: string;
  readonly failureReason: string;
}

// ---------------------------------------------------------------- teardown

/** Teardown steps find everything by the cluster-id tag; they need nothing else. */
export type TeardownInput = StepInput;
/** A teardown check: the cluster, and the loop's budget. */
export interface TeardownCheckInput extends StepInput, PollInput {}

/** A teardown step that starts asynchronous deletes reports what it started. */
export interface TeardownStartOutput {
  readonly ids: string[];
  /** When the step started the deletes (ISO 8601): the poll loop that waits for them counts from it. */
  readonly startedAt?: string;
}
/** A teardown check reports whether the asynchronous deletes have finished. */
export interface TeardownCheckOutput extends PollOutput {
  readonly done: boolean;
  readonly remaining: number;
}
/** A synchronous delete reports what it deleted. */
export interface TeardownDeleteOutput {
  readonly deleted: string[];
}
/** Delete Images: what it deleted, and the images it kept because another live cluster uses them. */
export interface DeleteImagesOutput extends TeardownDeleteOutput {
  readonly kept: string[];
  /** The cluster's claims on image bakes deleted (SSM parameter names). */
  readonly claimsReleased: string[];
}
/** Verify Nothing Left: throws FatalError listing what is left, else returns an empty list. */
export interface VerifyDeletedOutput {
  readonly remaining: string[];
}

// ---------------------------------------------------------------- scale

/** What started a scale: a scaling alarm (through EventBridge), the API or CLI, or a schedule. */
export type ScaleSource = 'alarm' | 'api' | 'schedule';

/** Which way a scale goes. */
export type ScaleDirection = 'out' | 'in';

/**
 * The input of the scale machine, passed on to Plan Scale. Give `targetSlaves` (an exact
 * count) or `direction` (one `step` of the cluster's autoscaling settings). An alarm-started
 * scale may give `alarmName` (`mesos-cluster-<clusterId>-scale-out|in`) instead of
 * `clusterId` and `direction`: an EventBridge input transformer can copy the alarm name but
 * cannot cut the cluster id out of it.
 */
export interface ScaleRequest {
  readonly clusterId?: string;
  readonly clusterName?: string;
  readonly direction?: ScaleDirection;
  readonly targetSlaves?: number;
  readonly source: ScaleSource;
  readonly alarmName?: string;
  /** `$$.Execution.Id`: the owner of the cluster's scale lease. Required unless the plan is `none`. */
  readonly executionId?: string;
}
export type PlanScaleInput = ScaleRequest;

/** What a scale-out launches, found by the cluster's tags: the inputs of Launch Instances. */
export interface ScaleLaunchInputs {
  /** The cluster's slave image (role slave-image, available); null when the cluster has none yet (`bake` says how to bake it). */
  readonly imageId: string | null;
  /**
   * The private subnets (one per zone), the one with the fewest live slaves first: Launch
   * Instances spreads the new slaves over them round-robin, the first ones getting any extra.
   */
  readonly subnetIds: string[];
  /** The slave security group. */
  readonly securityGroupId: string;
  readonly instanceType: string;
  /** The running masters' private IPs, in launch order (for the join user data). */
  readonly masterIps: string[];
}

/**
 * The plan of one scale. `none` ends the scale (nothing to do, cooldown, alarm no longer
 * firing); `out` and `in` mean that Plan Scale has taken the cluster's scale lease (status
 * UPDATE_IN_PROGRESS) for this execution, which Record Scale releases.
 */
export interface PlanScaleOutput {
  readonly action: ScaleDirection | 'none';
  readonly clusterId: string;
  readonly clusterName: string;
  /** Live slaves (pending or running) now. */
  readonly current: number;
  /** The slave count after the scale (= current for `none`). */
  readonly target: number;
  /** How many slaves to launch (`out`) or remove (`in`): |target - current|. */
  readonly delta: number;
  /** Why, in words: shown to the user and in the execution history. */
  readonly reason: string;
  /** The cluster's cooldown, for a machine that re-plans an alarm scale after it. */
  readonly cooldownSeconds: number;
  /** Alarm scales within the cooldown: the seconds left until it ends. */
  readonly retryAfterSeconds?: number;
  /** `out` and `in`: the first running master, asked for agents, load and drains. */
  readonly masterInstanceId?: string;
  /** `out` only. */
  readonly launch?: ScaleLaunchInputs;
  /**
   * `out` of a cluster without a slave image (created with 0 slaves): what the scale-out
   * bakes it from before it launches the slaves, the recipe the VPC recorded at the create.
   */
  readonly bake?: ScaleBakeInputs;
}

/** What the scale machine's bake phase needs (the recipe recorded on the VPC, and where the template slave boots). */
export interface ScaleBakeInputs {
  readonly vpcId: string;
  readonly baseImageId: string;
  readonly software: import('./cluster-spec').ClusterSpec['software'];
  readonly freshImage: boolean;
  /** The first public subnet: the template slave reaches the package sources through the internet gateway. */
  readonly publicSubnetId: string;
}

/** Create Scaling Alarms: the cluster's scale-out and scale-in alarms, and its scaling settings on the VPC. */
export interface CreateScalingAlarmsInput extends StepInput {
  readonly vpcId: string;
  /** The validated spec's `autoscaling`. */
  readonly autoscaling: import('./cluster-spec').AutoscalingSpec;
  readonly slaveInstanceType: string;
  /** The slave count of the create, recorded as the cluster's desired slave count. */
  readonly slaves?: number;
}
export interface CreateScalingAlarmsOutput {
  readonly alarmNames: string[];
}

/** Steps of a running scale that only need the cluster id and this execution's id. */
export interface ScaleLeaseInput {
  readonly clusterId: string;
  readonly clusterName?: string;
  readonly executionId: string;
}
/** Check Scale Lease: ConflictError unless this execution still holds the lease. */
export interface CheckScaleLeaseOutput {
  readonly held: true;
}

/** Query Agent Load: sends the agent-load document to a master. Output: SendCommandOutput. */
export interface QueryAgentLoadInput {
  readonly clusterId: string;
  readonly clusterName?: string;
  readonly executionId?: string;
  /** The master asked. */
  readonly instanceId: string;
}

/** Pick Slaves To Remove: reads the agent load and chooses the slaves with the fewest tasks. */
export interface PickSlavesToRemoveInput extends QueryAgentLoadInput {
  /** The agent-load command of Query Agent Load. */
  readonly commandId: string;
  /** How many slaves to remove (the plan's delta). */
  readonly count: number;
}
export interface PickSlavesToRemoveOutput {
  /** Chosen slaves, fewest tasks first. */
  readonly instanceIds: string[];
  /** Their private IPs (= Mesos agent addresses), in the same order. */
  readonly agentIps: string[];
  /** Tasks running on them when chosen. */
  readonly tasks: number;
}

/**
 * Drain Slaves: puts the agents into Mesos maintenance and drains them (drain-agents
 * document on a master). An empty list clears the maintenance schedule. Output: SendCommandOutput.
 */
export interface DrainSlavesInput extends QueryAgentLoadInput {
  readonly agentIps: readonly string[];
}

/** Check Drain: reads an agent-load command and counts the tasks still on the drained agents. */
export interface CheckDrainInput extends QueryAgentLoadInput, PollInput {
  readonly commandId: string;
  readonly agentIps: readonly string[];
}
export interface CheckDrainOutput extends PollOutput {
  readonly drained: boolean;
  readonly remainingTasks: number;
}

/** Check Instances Gone: whether the given instances are all `terminated`. Output: TeardownCheckOutput. */
export interface CheckInstancesGoneInput extends PollInput {
  readonly clusterId: string;
  readonly clusterName?: string;
  readonly executionId?: string;
  readonly instanceIds: readonly string[];
}

/** Record Scale: releases the scale lease and records the outcome on the VPC. */
export interface RecordScaleInput extends ScaleLeaseInput {
  readonly outcome: 'succeeded' | 'failed';
  /** The plan's target; recorded as the desired slave count when the scale succeeded. */
  readonly target?: number;
  /** A failed scale: the error its Catch recorded, turned into the failure code and reason. */
  readonly error?: CaughtError;
}
export interface RecordScaleOutput {
  /** False when the lease was not this execution's (e.g. a teardown began): nothing written. */
  readonly recorded: boolean;
  /** The cluster status after the step. */
  readonly status: string;
  readonly lastScaledAt?: string;
  /** With `error`: the step that failed (`LAUNCH_INSTANCES_FAILED`), as Record Failure names it. */
  readonly failureCode?: string;
  readonly failureReason?: string;
}

/** Mark Deleting: the teardown's first step, so that no scale starts any more. */
export interface MarkDeletingOutput {
  readonly status: 'DELETE_IN_PROGRESS';
  readonly vpcIds: string[];
}

/** Discard Image Bake: what a failed scale-out bake left (template slaves, images, snapshots) removed. */
export interface DiscardImageBakeInput {
  readonly clusterId: string;
  readonly clusterName?: string;
}
export interface DiscardImageBakeOutput {
  /** Template slaves told to terminate. */
  readonly terminated: string[];
  /** Images deregistered and snapshots deleted. */
  readonly deleted: string[];
  /** Images kept because another live cluster uses them (handed over to it). */
  readonly kept: string[];
  /** The cluster's claims on image bakes deleted (SSM parameter names). */
  readonly claimsReleased: string[];
}
