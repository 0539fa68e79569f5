/**
 * What each step's role may do: only the API actions its code calls (test/infra/permissions
 * checks this against the bundled code). Each step's catalogue entry (workflow/<machine>/steps.ts)
 * writes its statements with the builders here, scoped the way EC2 allows
 * (https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2.html):
 *
 * - creates need the cluster-id tag in the request (`aws:RequestTag/mesos-cluster:id`), and
 *   tagging on create is allowed only as part of that create (`ec2:CreateAction`);
 * - changes and deletes apply only to resources that carry the cluster-id tag
 *   (`aws:ResourceTag/mesos-cluster:id`);
 * - Describe/List/Get calls, which support no resource-level permissions, get `*`;
 * - iam:PassRole only on the node role, to EC2; ssm:SendCommand only with the product's
 *   documents, on instances tagged with a cluster id.
 *
 * Every statement whose resource holds a wildcard carries the reason cdk-nag's
 * AwsSolutions-IAM5 acknowledgement records.
 */
import { ArnFormat, Aws, CfnMapping, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';
import { BAKE_CLAIM_ROOT } from '../functions/shared/bake-claims';
import type { DocumentKey } from '../functions/shared/documents';
import { TAG_ID, TAG_NAME } from '../functions/shared/tags';
import { STEP_CATALOGUE, type StepId } from '../workflow/step-catalogue';

/** The SSM documents a step may run. */
export type { DocumentKey };

/** What the statements refer to besides the account's EC2 resources. */
export interface PermissionContext {
  readonly scope: IConstruct;
  /** The names of the SSM Command documents. */
  readonly documents: Readonly<Record<DocumentKey, string>>;
  /** The role of the cluster nodes (passed to RunInstances through the instance profile). */
  readonly nodeRole: iam.IRole;
  /**
   * The customer-managed KMS key the account encrypts EBS volumes with by default, if any
   * (settings `mesos-cluster:ebsKmsKeyArn`): launching and baking then need KMS permissions on it.
   * @default none (the AWS managed key aws/ebs needs no grant)
   */
  readonly ebsKmsKeyArn?: string;
  /** The ARN of the command-waits table (the completion signals' task tokens). */
  readonly commandWaitsTableArn: string;
}

/** One statement of a step's policy, with the reason for a wildcard resource. */
export interface StepGrant {
  readonly statement: iam.PolicyStatement;
  /** Why the resource holds a wildcard; required when it does. */
  readonly reason?: string;
}

/** The EC2 resource types a grant names. */
export type Ec2Type =
  | 'vpc'
  | 'subnet'
  | 'internet-gateway'
  | 'route-table'
  | 'elastic-ip'
  | 'security-group'
  | 'security-group-rule'
  | 'natgateway'
  | 'instance'
  | 'volume'
  | 'network-interface'
  | 'image'
  | 'snapshot';

const TAGGING = { Null: { [`aws:RequestTag/${TAG_ID}`]: 'false' } };
const TAGGED = { Null: { [`aws:ResourceTag/${TAG_ID}`]: 'false' } };

const REASON_DESCRIBE =
  'Describe, List and Get calls of EC2, SSM and CloudWatch support no resource-level permissions; every call passes ids or tag filters';
const REASON_CREATE =
  'the ids of resources are unknown before they exist; the aws:RequestTag condition allows only creates tagged with a cluster id';
const REASON_TAGGED =
  'the cluster resources are created at run time; the aws:ResourceTag condition limits the action to resources tagged with a cluster id';
const REASON_RUN_INSTANCES =
  'RunInstances also authorizes the new network interface (untagged), the cluster subnet and security group (tagged) and the image (owned by Canonical or this account)';
const REASON_SEND_COMMAND =
  'the instances are launched at run time; ssm:resourceTag limits SendCommand to instances tagged with a cluster id';
const REASON_PARAMETER = "Canonical's public SSM parameters hold one Ubuntu image id per release and volume type";
const REASON_ALARMS = 'the scaling alarms of a cluster are named mesos-cluster-<cluster id>-…: the name prefix of every cluster alarm';

/**
 * Canonical's AWS account per partition, owner of the public Ubuntu images
 * (https://documentation.ubuntu.com/aws/aws-how-to/instances/find-ubuntu-images/, "Ownership verification").
 */
export const CANONICAL_ACCOUNTS: Readonly<Record<'aws' | 'aws-us-gov' | 'aws-cn', string>> = {
  aws: '099720109477',
  'aws-us-gov': '513442679011',
  'aws-cn': '837727238323',
};

/** Canonical's account in the stack's partition: a mapping on AWS::Partition, made once per stack. */
export function canonicalAccount(scope: IConstruct): string {
  const stack = Stack.of(scope);
  const id = 'CanonicalAccountByPartition';
  const mapping =
    (stack.node.tryFindChild(id) as CfnMapping | undefined) ??
    new CfnMapping(stack, id, {
      mapping: Object.fromEntries(Object.entries(CANONICAL_ACCOUNTS).map(([partition, account]) => [partition, { account }])),
    });
  return mapping.findInMap(Aws.PARTITION, 'account');
}

function ec2Arn(scope: IConstruct, type: Ec2Type): string {
  // Images and snapshots have no account in their ARN (arn:aws:ec2:region::image/ami-…).
  const account = type === 'image' || type === 'snapshot' ? '' : undefined;
  return Stack.of(scope).formatArn({ service: 'ec2', resource: type, resourceName: '*', account });
}

function allow(actions: string[], resources: string[], conditions?: Record<string, unknown>): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources, conditions });
}

/** Read-only calls on `*`. */
function describe(...actions: string[]): StepGrant[] {
  return [{ statement: allow(actions, ['*']), reason: REASON_DESCRIBE }];
}

/** A create that must tag what it creates (and the tagging itself, only as part of that create). */
function create(ctx: PermissionContext, action: string, created: Ec2Type[], existing: Ec2Type[] = []): StepGrant[] {
  const createdArns = created.map((t) => ec2Arn(ctx.scope, t));
  const grants: StepGrant[] = [
    { statement: allow([action], createdArns, TAGGING), reason: REASON_CREATE },
    {
      statement: allow(['ec2:CreateTags'], createdArns, { StringEquals: { 'ec2:CreateAction': action.replace('ec2:', '') } }),
      reason: REASON_CREATE,
    },
  ];
  if (existing.length > 0) grants.push(tagged(ctx, [action], existing));
  return grants;
}

/** Actions on existing resources that carry a cluster id. */
function tagged(ctx: PermissionContext, actions: string[], types: Ec2Type[]): StepGrant {
  return {
    statement: allow(
      actions,
      types.map((t) => ec2Arn(ctx.scope, t)),
      TAGGED
    ),
    reason: REASON_TAGGED,
  };
}

function routeTable(ctx: PermissionContext): StepGrant[] {
  return [
    ...create(ctx, 'ec2:CreateRouteTable', ['route-table'], ['vpc']),
    tagged(ctx, ['ec2:CreateRoute', 'ec2:ReplaceRoute'], ['route-table']),
    tagged(ctx, ['ec2:AssociateRouteTable'], ['route-table', 'subnet']),
    ...describe('ec2:DescribeRouteTables'),
  ];
}

/** Tagging a cluster's VPC with the given keys only (its status and scaling record). */
function vpcTagKeys(ctx: PermissionContext, keys: string[]): StepGrant {
  return {
    statement: allow(['ec2:CreateTags'], [ec2Arn(ctx.scope, 'vpc')], { ...TAGGED, 'ForAllValues:StringEquals': { 'aws:TagKeys': keys } }),
    reason: REASON_TAGGED,
  };
}

/** The ARN of every cluster alarm (`mesos-cluster-<cluster id>-…`). */
function clusterAlarms(ctx: PermissionContext): string {
  return Stack.of(ctx.scope).formatArn({
    service: 'cloudwatch',
    resource: 'alarm',
    resourceName: 'mesos-cluster-*',
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/**
 * Using the account's customer-managed default EBS key, as EBS encryption requires of whoever
 * launches an instance or creates an image with encrypted volumes
 * (https://docs.aws.amazon.com/ebs/latest/userguide/ebs-encryption-requirements.html, "Permissions
 * for users"): grants only for AWS resources (kms:GrantIsForAWSResource), everything only through EC2.
 */
function ebsKey(ctx: PermissionContext): StepGrant[] {
  if (!ctx.ebsKmsKeyArn) return [];
  const viaEc2 = { 'kms:ViaService': `ec2.${Aws.REGION}.amazonaws.com` };
  return [
    {
      statement: allow(['kms:CreateGrant'], [ctx.ebsKmsKeyArn], {
        Bool: { 'kms:GrantIsForAWSResource': 'true' },
        StringEquals: viaEc2,
      }),
    },
    {
      statement: allow(
        ['kms:Decrypt', 'kms:DescribeKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:ReEncryptFrom', 'kms:ReEncryptTo'],
        [ctx.ebsKmsKeyArn],
        { StringEquals: viaEc2 }
      ),
    },
  ];
}

/** Reading the cluster alarms: DescribeAlarms authorizes the alarm resource, so only the product's alarms. */
function describeAlarms(ctx: PermissionContext): StepGrant {
  return { statement: allow(['cloudwatch:DescribeAlarms'], [clusterAlarms(ctx)]), reason: REASON_ALARMS };
}

function sendCommand(ctx: PermissionContext, document: DocumentKey): StepGrant[] {
  const stack = Stack.of(ctx.scope);
  return [
    {
      statement: allow(
        ['ssm:SendCommand'],
        [stack.formatArn({ service: 'ssm', resource: 'document', resourceName: ctx.documents[document] })]
      ),
    },
    {
      statement: allow(['ssm:SendCommand'], [ec2Arn(ctx.scope, 'instance')], {
        Null: { [`ssm:resourceTag/${TAG_ID}`]: 'false' },
      }),
      reason: REASON_SEND_COMMAND,
    },
  ];
}

/** Deregistering the cluster's images and deleting their snapshots, handing a shared one over. */
function imageDeletion(ctx: PermissionContext): StepGrant[] {
  return [
    tagged(ctx, ['ec2:DeregisterImage'], ['image']),
    tagged(ctx, ['ec2:DeleteSnapshot'], ['snapshot']),
    {
      // Handing a shared image (and its snapshots) over to another live cluster: only the owner tags.
      statement: allow(['ec2:CreateTags'], [ec2Arn(ctx.scope, 'image'), ec2Arn(ctx.scope, 'snapshot')], {
        ...TAGGED,
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_ID, TAG_NAME, 'Name'] },
      }),
      reason: REASON_TAGGED,
    },
    ...describe('ec2:DescribeImages', 'ec2:DescribeSnapshots', 'ec2:DescribeVpcs', 'ec2:DescribeInstances'),
  ];
}

/**
 * The statement builders a step's catalogue entry writes its grants with (workflow/<machine>/steps.ts),
 * bound to the stack's resources.
 */
export interface GrantBuilders {
  /** Read-only calls (Describe, List, Get) on `*`. */
  describe(...actions: string[]): StepGrant[];
  /** A create that must tag what it creates, on the resources it creates in (`existing`, tagged). */
  create(action: string, created: Ec2Type[], existing?: Ec2Type[]): StepGrant[];
  /** Actions on existing resources that carry a cluster id. */
  tagged(actions: string[], types: Ec2Type[]): StepGrant;
  /** Creating a route table in the cluster's VPC, its routes and its subnet associations. */
  routeTable(): StepGrant[];
  /** Tagging a cluster's VPC with the given keys only. */
  vpcTagKeys(keys: string[]): StepGrant;
  /** SendCommand with one of the product's documents, on instances tagged with a cluster id. */
  sendCommand(document: DocumentKey): StepGrant[];
  /** Launching from Canonical's or the account's images, with the untagged network interface. */
  launchFromImages(): StepGrant[];
  /** Passing the node role to EC2. */
  passNodeRole(): StepGrant;
  /** The KMS permissions of the account's customer-managed default EBS key, if one is configured. */
  ebsKey(): StepGrant[];
  /** Deregistering the cluster's images and deleting their snapshots, handing a shared one over. */
  imageDeletion(): StepGrant[];
  /** Reading the claims on image bakes (SSM parameters under BAKE_CLAIM_ROOT), and these actions on them. */
  imageBakeClaims(actions: string[]): StepGrant[];
  /** Actions on the cluster alarms (`mesos-cluster-<cluster id>-…`); `tagging`: only with the cluster-id tag in the request. */
  clusterAlarms(actions: string[], options?: { tagging?: boolean }): StepGrant;
  /** Reading the cluster alarms. */
  describeAlarms(): StepGrant;
  /** Service Quotas GetServiceQuota on the given `<service>/<quota code>` resources. */
  serviceQuotas(...quotas: string[]): StepGrant;
  /** Reading Canonical's public SSM parameters of the Ubuntu images. */
  ubuntuImageParameters(): StepGrant;
  /** Item actions on the command-waits table, and on it only. */
  commandWaits(actions: string[]): StepGrant;
  /** SendTaskSuccess: answering the task token of a signal wait. */
  sendTaskSignal(): StepGrant;
  /** DisassociateAddress on the network interface a cluster-tagged address is detached from. */
  disassociateFromInterfaces(): StepGrant;
}

/** The grant builders bound to a stack's resources. */
export function grantBuilders(ctx: PermissionContext): GrantBuilders {
  const stack = Stack.of(ctx.scope);
  return {
    describe,
    create: (action, created, existing) => create(ctx, action, created, existing),
    tagged: (actions, types) => tagged(ctx, actions, types),
    routeTable: () => routeTable(ctx),
    vpcTagKeys: (keys) => vpcTagKeys(ctx, keys),
    sendCommand: (document) => sendCommand(ctx, document),
    launchFromImages: () => [
      { statement: allow(['ec2:RunInstances'], [ec2Arn(ctx.scope, 'network-interface')]), reason: REASON_RUN_INSTANCES },
      {
        statement: allow(['ec2:RunInstances'], [ec2Arn(ctx.scope, 'image')], {
          StringEquals: { 'ec2:Owner': [canonicalAccount(ctx.scope), Aws.ACCOUNT_ID] },
        }),
        reason: REASON_RUN_INSTANCES,
      },
    ],
    passNodeRole: () => ({
      statement: allow(['iam:PassRole'], [ctx.nodeRole.roleArn], { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }),
    }),
    ebsKey: () => ebsKey(ctx),
    imageDeletion: () => imageDeletion(ctx),
    clusterAlarms: (actions, options) => ({
      statement: allow(actions, [clusterAlarms(ctx)], options?.tagging ? TAGGING : undefined),
      reason: REASON_ALARMS,
    }),
    describeAlarms: () => describeAlarms(ctx),
    serviceQuotas: (...quotas) => ({
      // arn:aws:servicequotas:<region>:<account>:<service>/<quota code>
      statement: allow(
        ['servicequotas:GetServiceQuota'],
        quotas.map((quota) => stack.formatArn({ service: 'servicequotas', resource: quota }))
      ),
      reason: 'Service Quotas GetServiceQuota on the two quota ARNs the pre-flight reads.',
    }),
    ubuntuImageParameters: () => ({
      statement: allow(
        ['ssm:GetParameter'],
        [stack.formatArn({ service: 'ssm', account: '', resource: 'parameter', resourceName: 'aws/service/canonical/ubuntu/server/*' })]
      ),
      reason: REASON_PARAMETER,
    }),
    commandWaits: (actions) => ({ statement: allow(actions, [ctx.commandWaitsTableArn]) }),
    sendTaskSignal: () => ({
      statement: allow(['states:SendTaskSuccess'], ['*']),
      reason:
        'SendTaskSuccess names no resource for the task token of a service-integration Task state (.waitForTaskToken): the token itself is the credential',
    }),
    imageBakeClaims: (actions) => {
      const folder = BAKE_CLAIM_ROOT.replace(/^\//, '');
      const claims = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: `${folder}/*` });
      const root = stack.formatArn({ service: 'ssm', resource: 'parameter', resourceName: folder });
      const reason =
        'the claims on image bakes are SSM parameters named after the recipe hash under one folder (functions/shared/bake-claims.ts); GetParametersByPath is authorized on the path';
      return [
        { statement: allow(['ssm:GetParametersByPath'], [root, claims]), reason },
        ...(actions.length > 0 ? [{ statement: allow(actions, [claims]), reason }] : []),
      ];
    },
    disassociateFromInterfaces: () => ({
      // The address is the tagged resource; the network interface it leaves is not. The action
      // authorizes no instance resource, so none is named.
      statement: allow(['ec2:DisassociateAddress'], [ec2Arn(ctx.scope, 'network-interface')]),
      reason: 'DisassociateAddress also authorizes the network interface the cluster-tagged address is detached from',
    }),
  };
}

/** The statements of a step's role, as its catalogue entry declares them. */
export function stepGrants(stepId: StepId, ctx: PermissionContext): StepGrant[] {
  return [...STEP_CATALOGUE[stepId].grants(grantBuilders(ctx))];
}
