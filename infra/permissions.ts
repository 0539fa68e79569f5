/**
 * What each step's role may do: only the API actions its code calls (test/infra/permissions
 * checks this against the bundled code), scoped the way EC2 allows
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
import type { StepId } from '../functions/shared/contracts';
import type { DocumentKey } from '../functions/shared/documents';
import {
  TAG_AUTOSCALING,
  TAG_ID,
  TAG_LAST_SCALE_EXECUTION,
  TAG_LAST_SCALE_OUTCOME,
  TAG_LAST_SCALED_AT,
  TAG_NAME,
  TAG_SCALE_EXECUTION,
  TAG_SCALE_STARTED_AT,
  TAG_SLAVE_IMAGE,
  TAG_SLAVE_INSTANCE_TYPE,
  TAG_SLAVES,
  TAG_STATUS,
} from '../functions/shared/tags';

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
}

/** One statement of a step's policy, with the reason for a wildcard resource. */
export interface StepGrant {
  readonly statement: iam.PolicyStatement;
  /** Why the resource holds a wildcard; required when it does. */
  readonly reason?: string;
}

type Ec2Type =
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

/** Recording the cluster's slave image on its VPC: only that tag, only on cluster VPCs. */
function slaveImageTag(ctx: PermissionContext): StepGrant {
  return {
    statement: allow(['ec2:CreateTags'], [ec2Arn(ctx.scope, 'vpc')], {
      ...TAGGED,
      'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_SLAVE_IMAGE] },
    }),
    reason: REASON_TAGGED,
  };
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

/** The statements of each step's role. */
export function stepGrants(stepId: StepId, ctx: PermissionContext): StepGrant[] {
  const stack = Stack.of(ctx.scope);
  switch (stepId) {
    // ---------------------------------------------------------------- create
    case 'validate-spec':
      return [
        ...describe(
          'ec2:DescribeVpcs',
          'ec2:DescribeAccountAttributes',
          'ec2:DescribeAddresses',
          'ec2:DescribeAvailabilityZones',
          'ec2:DescribeInstanceTypeOfferings',
          'ec2:DescribeInstances'
        ),
        {
          // The two quotas the pre-flight reads: arn:aws:servicequotas:<region>:<account>:<service>/<quota code>.
          statement: allow(
            ['servicequotas:GetServiceQuota'],
            [
              stack.formatArn({ service: 'servicequotas', resource: 'ec2/L-1216C47A' }),
              stack.formatArn({ service: 'servicequotas', resource: 'vpc/L-F678F1CE' }),
            ]
          ),
          reason: 'Service Quotas GetServiceQuota on the two quota ARNs the pre-flight reads.',
        },
        {
          statement: allow(
            ['ssm:GetParameter'],
            [
              stack.formatArn({
                service: 'ssm',
                account: '',
                resource: 'parameter',
                resourceName: 'aws/service/canonical/ubuntu/server/*',
              }),
            ]
          ),
          reason: REASON_PARAMETER,
        },
      ];
    case 'create-vpc':
      return [...create(ctx, 'ec2:CreateVpc', ['vpc']), tagged(ctx, ['ec2:ModifyVpcAttribute'], ['vpc']), ...describe('ec2:DescribeVpcs')];
    case 'create-subnets':
      return [
        ...create(ctx, 'ec2:CreateSubnet', ['subnet'], ['vpc']),
        tagged(ctx, ['ec2:ModifySubnetAttribute'], ['subnet']),
        ...describe('ec2:DescribeAvailabilityZones', 'ec2:DescribeSubnets'),
      ];
    case 'create-internet-gateway':
      return [
        ...create(ctx, 'ec2:CreateInternetGateway', ['internet-gateway']),
        tagged(ctx, ['ec2:AttachInternetGateway'], ['internet-gateway', 'vpc']),
        ...describe('ec2:DescribeInternetGateways'),
      ];
    case 'create-public-route-table':
    case 'create-private-route-table':
      return routeTable(ctx);
    case 'allocate-elastic-ip':
      return [...create(ctx, 'ec2:AllocateAddress', ['elastic-ip']), ...describe('ec2:DescribeAddresses')];
    case 'create-security-groups':
      return [
        ...create(ctx, 'ec2:CreateSecurityGroup', ['security-group'], ['vpc']),
        tagged(ctx, ['ec2:AuthorizeSecurityGroupIngress'], ['security-group']),
        ...describe('ec2:DescribeSecurityGroups'),
      ];
    case 'create-nat-gateway':
      return [
        ...create(ctx, 'ec2:CreateNatGateway', ['natgateway'], ['subnet', 'elastic-ip']),
        ...describe('ec2:DescribeNatGateways', 'ec2:DescribeVpcs'),
      ];
    case 'check-nat-gateway':
      return describe('ec2:DescribeNatGateways');
    case 'launch-instances':
      return [
        ...create(ctx, 'ec2:RunInstances', ['instance', 'volume'], ['subnet', 'security-group']),
        { statement: allow(['ec2:RunInstances'], [ec2Arn(ctx.scope, 'network-interface')]), reason: REASON_RUN_INSTANCES },
        {
          statement: allow(['ec2:RunInstances'], [ec2Arn(ctx.scope, 'image')], {
            StringEquals: { 'ec2:Owner': [canonicalAccount(ctx.scope), Aws.ACCOUNT_ID] },
          }),
          reason: REASON_RUN_INSTANCES,
        },
        ...ebsKey(ctx),
        {
          statement: allow(['iam:PassRole'], [ctx.nodeRole.roleArn], { StringEquals: { 'iam:PassedToService': 'ec2.amazonaws.com' } }),
        },
        ...describe('ec2:DescribeInstances', 'ec2:DescribeVpcs'),
      ];
    case 'check-ssm-online':
      return describe('ssm:DescribeInstanceInformation', 'ec2:DescribeInstances');
    case 'configure-masters':
      return [...sendCommand(ctx, 'configureMaster'), ...describe('ssm:ListCommands')];
    case 'configure-template-slave':
      return [...sendCommand(ctx, 'configureSlave'), ...describe('ssm:ListCommands')];
    case 'check-command':
      return describe('ssm:GetCommandInvocation');
    case 'check-agents-registered':
      // It sends the next count-agents query when a count falls short.
      return [...sendCommand(ctx, 'countAgents'), ...describe('ssm:GetCommandInvocation')];
    case 'find-cached-image':
      return [slaveImageTag(ctx), ...describe('ec2:DescribeImages')];
    case 'bake-image':
      return [
        ...create(ctx, 'ec2:CreateImage', ['image', 'snapshot'], ['instance']),
        ...ebsKey(ctx),
        slaveImageTag(ctx),
        ...describe('ec2:DescribeImages', 'ec2:DescribeVpcs'),
      ];
    case 'check-image':
      return describe('ec2:DescribeImages', 'ec2:DescribeSnapshots');
    case 'terminate-instances':
      return [tagged(ctx, ['ec2:TerminateInstances'], ['instance'])];
    case 'query-agents':
      return sendCommand(ctx, 'countAgents');
    case 'marathon-smoke-test':
      // The deploy and remove commands are sent once (ListCommands finds an earlier send).
      return [...sendCommand(ctx, 'marathonSmokeTest'), ...describe('ssm:ListCommands', 'ssm:GetCommandInvocation')];
    case 'mark-ready':
    case 'record-failure': {
      // Only the status tag of the cluster's VPC.
      const statusOnly = {
        ...TAGGED,
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_STATUS] },
      };
      const grants: StepGrant[] = [{ statement: allow(['ec2:CreateTags'], [ec2Arn(ctx.scope, 'vpc')], statusOnly), reason: REASON_TAGGED }];
      // Both read the VPC: Record Failure to find it, Mark Cluster Ready to refuse a cluster being deleted.
      return [...grants, ...describe('ec2:DescribeVpcs')];
    }
    // ---------------------------------------------------------------- scale
    case 'create-scaling-alarms':
      return [
        {
          // PutMetricAlarm with Tags also needs TagResource; the alarms are named after the cluster,
          // and both must carry its id (aws:RequestTag, as for EC2's creates).
          statement: allow(['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'], [clusterAlarms(ctx)], TAGGING),
          reason: REASON_ALARMS,
        },
        vpcTagKeys(ctx, [TAG_AUTOSCALING, TAG_SLAVE_INSTANCE_TYPE, TAG_SLAVES]),
        ...describe('ec2:DescribeVpcs'),
      ];
    case 'plan-scale':
      return [
        vpcTagKeys(ctx, [TAG_STATUS, TAG_SCALE_EXECUTION, TAG_SCALE_STARTED_AT]),
        ...describe('ec2:DescribeVpcs', 'ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'),
        describeAlarms(ctx),
      ];
    case 'check-scale-lease':
      return describe('ec2:DescribeVpcs');
    case 'query-agent-load':
      return sendCommand(ctx, 'agentLoad');
    case 'pick-slaves-to-remove':
      return describe('ssm:GetCommandInvocation', 'ec2:DescribeInstances');
    case 'drain-slaves':
      return [...sendCommand(ctx, 'drainAgents'), ...describe('ssm:ListCommands')];
    case 'check-drain':
      return describe('ssm:GetCommandInvocation');
    case 'check-instances-gone':
      return describe('ec2:DescribeInstances');
    case 'record-scale':
      return [
        vpcTagKeys(ctx, [
          TAG_STATUS,
          TAG_SCALE_EXECUTION,
          TAG_LAST_SCALED_AT,
          TAG_LAST_SCALE_EXECUTION,
          TAG_LAST_SCALE_OUTCOME,
          TAG_SLAVES,
        ]),
        ...describe('ec2:DescribeVpcs'),
      ];
    case 'mark-deleting':
      return [vpcTagKeys(ctx, [TAG_STATUS]), ...describe('ec2:DescribeVpcs')];
    // ---------------------------------------------------------------- teardown
    case 'delete-alarms':
      return [{ statement: allow(['cloudwatch:DeleteAlarms'], [clusterAlarms(ctx)]), reason: REASON_ALARMS }, describeAlarms(ctx)];
    case 'terminate-cluster-instances':
      return [tagged(ctx, ['ec2:TerminateInstances'], ['instance']), ...describe('ec2:DescribeInstances')];
    case 'check-instances-terminated':
      return describe('ec2:DescribeInstances');
    case 'delete-nat-gateways':
      return [tagged(ctx, ['ec2:DeleteNatGateway'], ['natgateway']), ...describe('ec2:DescribeNatGateways')];
    case 'check-nat-gateways-deleted':
      return describe('ec2:DescribeNatGateways');
    case 'discard-image-bake':
      return [tagged(ctx, ['ec2:TerminateInstances'], ['instance']), ...imageDeletion(ctx)];
    case 'delete-images':
      return imageDeletion(ctx);
    case 'release-addresses':
      return [
        tagged(ctx, ['ec2:ReleaseAddress', 'ec2:DisassociateAddress'], ['elastic-ip']),
        {
          // The address is the tagged resource; the network interface it leaves is not. The action
          // authorizes no instance resource, so none is named.
          statement: allow(['ec2:DisassociateAddress'], [ec2Arn(ctx.scope, 'network-interface')]),
          reason: 'DisassociateAddress also authorizes the network interface the cluster-tagged address is detached from',
        },
        ...describe('ec2:DescribeAddresses', 'ec2:DescribeNatGateways'),
      ];
    case 'delete-route-tables':
      return [
        tagged(ctx, ['ec2:DisassociateRouteTable'], ['route-table', 'subnet']),
        tagged(ctx, ['ec2:DeleteRouteTable'], ['route-table']),
        ...describe('ec2:DescribeRouteTables'),
      ];
    case 'delete-internet-gateways':
      return [
        tagged(ctx, ['ec2:DetachInternetGateway'], ['internet-gateway', 'vpc']),
        tagged(ctx, ['ec2:DeleteInternetGateway'], ['internet-gateway']),
        ...describe('ec2:DescribeInternetGateways'),
      ];
    case 'delete-security-groups':
      return [
        tagged(ctx, ['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup'], ['security-group']),
        ...describe('ec2:DescribeSecurityGroups'),
      ];
    case 'delete-subnets':
      return [tagged(ctx, ['ec2:DeleteSubnet'], ['subnet']), ...describe('ec2:DescribeSubnets', 'ec2:DescribeNetworkInterfaces')];
    case 'delete-vpc':
      return [tagged(ctx, ['ec2:DeleteVpc'], ['vpc']), ...describe('ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces')];
    case 'verify-deleted':
      return [
        describeAlarms(ctx),
        ...describe(
          'ec2:DescribeAddresses',
          'ec2:DescribeImages',
          'ec2:DescribeInstances',
          'ec2:DescribeInternetGateways',
          'ec2:DescribeNatGateways',
          'ec2:DescribeRouteTables',
          'ec2:DescribeSecurityGroups',
          'ec2:DescribeSnapshots',
          'ec2:DescribeSubnets',
          'ec2:DescribeVpcs'
        ),
      ];
  }
}
