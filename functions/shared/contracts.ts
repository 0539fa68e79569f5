/**
 * The inputs and outputs of every workflow step: the contract between the step
 * functions (functions/<step>/) and the state machines (workflow/). Payloads are small:
 * ids and the few fields a step needs, never command output or whole API responses.
 */
import type { ClusterRef } from './tags';

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
}

export interface CreateVpcInput extends StepInput {
  readonly cidrBlock: string;
}
export interface CreateVpcOutput {
  readonly vpcId: string;
}

export interface CreateSubnetsInput extends StepInput {
  readonly vpcId: string;
  readonly publicCidr: string;
  readonly privateCidr: string;
  /** When absent, the first available zone of the Region (by name) is used. */
  readonly availabilityZone?: string;
}
export interface CreateSubnetsOutput {
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
  readonly subnetId: string;
}
export interface CreatePrivateRouteTableInput extends StepInput {
  readonly vpcId: string;
  readonly natGatewayId: string;
  readonly subnetId: string;
}
export interface CreateRouteTableOutput {
  readonly routeTableId: string;
}

export type AllocateElasticIpInput = StepInput;
export interface AllocateElasticIpOutput {
  readonly allocationId: string;
  readonly publicIp: string;
}

export interface CreateSecurityGroupsInput extends StepInput {
  readonly vpcId: string;
  readonly adminCidr: string;
}
export interface CreateSecurityGroupsOutput {
  readonly masterSecurityGroupId: string;
  readonly slaveSecurityGroupId: string;
}

export interface CreateNatGatewayInput extends StepInput {
  readonly subnetId: string;
  readonly allocationId: string;
}
export interface CreateNatGatewayOutput {
  readonly natGatewayId: string;
}

export interface CheckNatGatewayInput extends StepInput {
  readonly natGatewayId: string;
}
/** `failed` is not returned: it throws FatalError with the NAT's failure code. */
export interface CheckNatGatewayOutput {
  readonly state: 'pending' | 'available';
}

export type NodeRole = 'master' | 'template-slave' | 'slave';

export interface LaunchInstancesInput extends StepInput {
  readonly role: NodeRole;
  readonly count: number;
  readonly instanceType: string;
  readonly imageId: string;
  readonly subnetId: string;
  readonly securityGroupId: string;
  /** Slaves only: the masters' private IPs, rendered into the join user data. */
  readonly masterIps?: readonly string[];
}
export interface LaunchInstancesOutput {
  readonly instanceIds: string[];
  readonly privateIps: string[];
}

export interface CheckSsmOnlineInput extends StepInput {
  readonly instanceIds: readonly string[];
}
export interface CheckSsmOnlineOutput {
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

export interface CheckCommandInput extends StepInput {
  readonly commandId: string;
  readonly instanceIds: readonly string[];
}
/** Failed, cancelled or timed-out invocations throw FatalError naming the instance and status. */
export interface CheckCommandOutput {
  readonly done: boolean;
}

export interface CheckAgentsRegisteredInput extends StepInput {
  readonly commandId: string;
  readonly instanceId: string;
  readonly expected: number;
}
export interface CheckAgentsRegisteredOutput {
  readonly registered: number;
  readonly ready: boolean;
}

export interface BakeImageInput extends StepInput {
  readonly instanceId: string;
}
export interface BakeImageOutput {
  readonly imageId: string;
}

export interface CheckImageInput extends StepInput {
  readonly imageId: string;
}
/** `failed` throws FatalError with the image's state reason. */
export interface CheckImageOutput {
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

/** A teardown step that starts asynchronous deletes reports what it started. */
export interface TeardownStartOutput {
  readonly ids: string[];
}
/** A teardown check reports whether the asynchronous deletes have finished. */
export interface TeardownCheckOutput {
  readonly done: boolean;
  readonly remaining: number;
}
/** A synchronous delete reports what it deleted. */
export interface TeardownDeleteOutput {
  readonly deleted: string[];
}
/** Verify Nothing Left: throws FatalError listing what is left, else returns an empty list. */
export interface VerifyDeletedOutput {
  readonly remaining: string[];
}

/** Step ids: the folder under functions/ and the Lambda of each step. */
export const CREATE_STEP_IDS = [
  'validate-spec',
  'create-vpc',
  'create-subnets',
  'create-internet-gateway',
  'create-public-route-table',
  'allocate-elastic-ip',
  'create-security-groups',
  'create-nat-gateway',
  'check-nat-gateway',
  'create-private-route-table',
  'launch-instances',
  'check-ssm-online',
  'configure-masters',
  'configure-template-slave',
  'check-command',
  'bake-image',
  'check-image',
  'terminate-instances',
  'query-agents',
  'check-agents-registered',
  'mark-ready',
  'record-failure',
] as const;

export const TEARDOWN_STEP_IDS = [
  'delete-alarms',
  'terminate-cluster-instances',
  'check-instances-terminated',
  'delete-nat-gateways',
  'check-nat-gateways-deleted',
  'delete-images',
  'release-addresses',
  'delete-route-tables',
  'delete-internet-gateways',
  'delete-security-groups',
  'delete-subnets',
  'delete-vpc',
  'verify-deleted',
] as const;

export type CreateStepId = (typeof CREATE_STEP_IDS)[number];
export type TeardownStepId = (typeof TEARDOWN_STEP_IDS)[number];
export type StepId = CreateStepId | TeardownStepId;
