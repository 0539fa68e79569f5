/**
 * The create machine's step catalogue: the steps it owns, each with what its role may do, and
 * the set of steps the machine invokes. The stack makes one Lambda per owned step with these
 * grants, the local runner loads the same steps, and the tests check the machine against the set.
 */
import { TAG_AUTOSCALING, TAG_SLAVE_IMAGE, TAG_SLAVE_INSTANCE_TYPE, TAG_SLAVES, TAG_STATUS } from '../../functions/shared/tags';
import type { StepCatalogue, StepId } from '../step-catalogue';
import { TEARDOWN_DELETE_STEP_IDS } from '../teardown/steps';

/** Claiming an image bake: a create-only put with tags, and deleting spent claims. */
const BAKE_CLAIM_ACTIONS = ['ssm:PutParameter', 'ssm:AddTagsToResource', 'ssm:DeleteParameter'];

export const CREATE_STEPS = {
  'validate-spec': {
    grants: (g) => [
      ...g.describe(
        'ec2:DescribeVpcs',
        'ec2:DescribeAccountAttributes',
        'ec2:DescribeAddresses',
        'ec2:DescribeAvailabilityZones',
        'ec2:DescribeInstanceTypeOfferings',
        'ec2:DescribeInstances'
      ),
      // The two quotas the pre-flight reads: EC2 Elastic IPs and VPCs per Region.
      g.serviceQuotas('ec2/L-1216C47A', 'vpc/L-F678F1CE'),
      g.ubuntuImageParameters(),
    ],
  },
  'create-vpc': {
    grants: (g) => [
      ...g.create('ec2:CreateVpc', ['vpc']),
      g.tagged(['ec2:ModifyVpcAttribute'], ['vpc']),
      ...g.describe('ec2:DescribeVpcs'),
    ],
  },
  'create-subnets': {
    grants: (g) => [
      ...g.create('ec2:CreateSubnet', ['subnet'], ['vpc']),
      g.tagged(['ec2:ModifySubnetAttribute'], ['subnet']),
      ...g.describe('ec2:DescribeAvailabilityZones', 'ec2:DescribeSubnets'),
    ],
  },
  'create-internet-gateway': {
    grants: (g) => [
      ...g.create('ec2:CreateInternetGateway', ['internet-gateway']),
      g.tagged(['ec2:AttachInternetGateway'], ['internet-gateway', 'vpc']),
      ...g.describe('ec2:DescribeInternetGateways'),
    ],
  },
  'create-public-route-table': { grants: (g) => g.routeTable() },
  'allocate-elastic-ip': { grants: (g) => [...g.create('ec2:AllocateAddress', ['elastic-ip']), ...g.describe('ec2:DescribeAddresses')] },
  'create-security-groups': {
    grants: (g) => [
      ...g.create('ec2:CreateSecurityGroup', ['security-group'], ['vpc']),
      g.tagged(['ec2:AuthorizeSecurityGroupIngress'], ['security-group']),
      ...g.describe('ec2:DescribeSecurityGroups'),
    ],
  },
  'create-nat-gateway': {
    grants: (g) => [
      ...g.create('ec2:CreateNatGateway', ['natgateway'], ['subnet', 'elastic-ip']),
      ...g.describe('ec2:DescribeNatGateways', 'ec2:DescribeVpcs'),
    ],
  },
  'check-nat-gateway': { grants: (g) => g.describe('ec2:DescribeNatGateways') },
  'create-private-route-table': { grants: (g) => g.routeTable() },
  // It claims the recipe's bake (create-only PutParameter with tags) and removes spent claims;
  // it reads the VPC to refuse a cluster being deleted.
  'find-cached-image': {
    grants: (g) => [
      g.vpcTagKeys([TAG_SLAVE_IMAGE]),
      ...g.imageBakeClaims(BAKE_CLAIM_ACTIONS),
      ...g.describe('ec2:DescribeImages', 'ec2:DescribeVpcs'),
    ],
  },
  // The wait for another cluster's bake: the same claims, taken over when released or run out.
  'check-image-bake': {
    grants: (g) => [
      g.vpcTagKeys([TAG_SLAVE_IMAGE]),
      ...g.imageBakeClaims(BAKE_CLAIM_ACTIONS),
      ...g.describe('ec2:DescribeImages', 'ec2:DescribeSnapshots', 'ec2:DescribeVpcs'),
    ],
  },
  'launch-instances': {
    grants: (g) => [
      ...g.create('ec2:RunInstances', ['instance', 'volume'], ['subnet', 'security-group']),
      ...g.launchFromImages(),
      ...g.ebsKey(),
      g.passNodeRole(),
      ...g.describe('ec2:DescribeInstances', 'ec2:DescribeVpcs'),
    ],
  },
  'check-ssm-online': { grants: (g) => g.describe('ssm:DescribeInstanceInformation', 'ec2:DescribeInstances') },
  'configure-masters': { grants: (g) => [...g.sendCommand('configureMaster'), ...g.describe('ssm:ListCommands')] },
  'configure-template-slave': { grants: (g) => [...g.sendCommand('configureSlave'), ...g.describe('ssm:ListCommands')] },
  'check-command': { grants: (g) => g.describe('ssm:GetCommandInvocation') },
  // Stores its task token by command id, looks at the command once, and answers the token when it already ended.
  'await-command-signal': {
    grants: (g) => [
      g.commandWaits(['dynamodb:PutItem', 'dynamodb:DeleteItem']),
      ...g.describe('ssm:GetCommandInvocation'),
      g.sendTaskSignal(),
    ],
  },
  'bake-image': {
    grants: (g) => [
      ...g.create('ec2:CreateImage', ['image', 'snapshot'], ['instance']),
      ...g.ebsKey(),
      g.vpcTagKeys([TAG_SLAVE_IMAGE]),
      ...g.describe('ec2:DescribeImages', 'ec2:DescribeVpcs'),
    ],
  },
  // Once the image is available it deletes the cluster's claim on the bake.
  'check-image': {
    grants: (g) => [...g.imageBakeClaims(['ssm:DeleteParameter']), ...g.describe('ec2:DescribeImages', 'ec2:DescribeSnapshots')],
  },
  'terminate-instances': { grants: (g) => [g.tagged(['ec2:TerminateInstances'], ['instance'])] },
  'query-agents': { grants: (g) => g.sendCommand('countAgents') },
  // It sends the next count-agents query when a count falls short.
  'check-agents-registered': { grants: (g) => [...g.sendCommand('countAgents'), ...g.describe('ssm:GetCommandInvocation')] },
  // The deploy and remove commands are sent once (ListCommands finds an earlier send).
  'marathon-smoke-test': {
    grants: (g) => [...g.sendCommand('marathonSmokeTest'), ...g.describe('ssm:ListCommands', 'ssm:GetCommandInvocation')],
  },
  // Only the status tag of the cluster's VPC; it reads the VPC to refuse a cluster being deleted.
  'mark-ready': { grants: (g) => [g.vpcTagKeys([TAG_STATUS]), ...g.describe('ec2:DescribeVpcs')] },
  // Only the status tag of the cluster's VPC, which it reads to find it (the teardown records its failures too).
  'record-failure': { grants: (g) => [g.vpcTagKeys([TAG_STATUS]), ...g.describe('ec2:DescribeVpcs')] },
  // PutMetricAlarm with Tags also needs TagResource; the alarms are named after the cluster, and
  // both must carry its id (aws:RequestTag, as for EC2's creates).
  'create-scaling-alarms': {
    grants: (g) => [
      g.clusterAlarms(['cloudwatch:PutMetricAlarm', 'cloudwatch:TagResource'], { tagging: true }),
      g.vpcTagKeys([TAG_AUTOSCALING, TAG_SLAVE_INSTANCE_TYPE, TAG_SLAVES]),
      ...g.describe('ec2:DescribeVpcs'),
    ],
  },
} as const satisfies StepCatalogue;

/**
 * The target of the rule on SSM's command status-change events (infra: CommandSignals): no
 * machine invokes it, EventBridge does.
 */
export const SIGNAL_RELAY_STEPS = {
  'relay-command-signal': { grants: (g) => [g.commandWaits(['dynamodb:GetItem', 'dynamodb:DeleteItem']), g.sendTaskSignal()] },
} as const satisfies StepCatalogue;

/** The steps the create machine invokes: its own, and the teardown's deletes for the rollback. */
export const CREATE_MACHINE_STEP_IDS = [
  ...(Object.keys(CREATE_STEPS) as (keyof typeof CREATE_STEPS)[]),
  ...TEARDOWN_DELETE_STEP_IDS,
] as const satisfies readonly StepId[];
