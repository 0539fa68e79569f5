/**
 * The teardown machine's step catalogue: the steps it owns, each with what its role may do,
 * and the set of steps the machine invokes (see workflow/create/steps.ts).
 */
import { TAG_STATUS } from '../../functions/shared/tags';
import type { StepCatalogue, StepId } from '../step-catalogue';

/** The deletes and their checks, in teardown order; the create's rollback runs them too. */
export const TEARDOWN_DELETE_STEPS = {
  'delete-alarms': { grants: (g) => [g.clusterAlarms(['cloudwatch:DeleteAlarms']), g.describeAlarms()] },
  'terminate-cluster-instances': {
    grants: (g) => [g.tagged(['ec2:TerminateInstances'], ['instance']), ...g.describe('ec2:DescribeInstances')],
  },
  'check-instances-terminated': { grants: (g) => g.describe('ec2:DescribeInstances') },
  'delete-nat-gateways': { grants: (g) => [g.tagged(['ec2:DeleteNatGateway'], ['natgateway']), ...g.describe('ec2:DescribeNatGateways')] },
  'check-nat-gateways-deleted': { grants: (g) => g.describe('ec2:DescribeNatGateways') },
  'delete-images': { grants: (g) => [...g.imageDeletion(), ...g.imageBakeClaims(['ssm:DeleteParameter'])] },
  'release-addresses': {
    grants: (g) => [
      g.tagged(['ec2:ReleaseAddress', 'ec2:DisassociateAddress'], ['elastic-ip']),
      g.disassociateFromInterfaces(),
      ...g.describe('ec2:DescribeAddresses', 'ec2:DescribeNatGateways'),
    ],
  },
  'delete-route-tables': {
    grants: (g) => [
      g.tagged(['ec2:DisassociateRouteTable'], ['route-table', 'subnet']),
      g.tagged(['ec2:DeleteRouteTable'], ['route-table']),
      ...g.describe('ec2:DescribeRouteTables'),
    ],
  },
  'delete-internet-gateways': {
    grants: (g) => [
      g.tagged(['ec2:DetachInternetGateway'], ['internet-gateway', 'vpc']),
      g.tagged(['ec2:DeleteInternetGateway'], ['internet-gateway']),
      ...g.describe('ec2:DescribeInternetGateways'),
    ],
  },
  'delete-security-groups': {
    grants: (g) => [
      g.tagged(['ec2:RevokeSecurityGroupIngress', 'ec2:RevokeSecurityGroupEgress', 'ec2:DeleteSecurityGroup'], ['security-group']),
      ...g.describe('ec2:DescribeSecurityGroups'),
    ],
  },
  'delete-subnets': {
    grants: (g) => [g.tagged(['ec2:DeleteSubnet'], ['subnet']), ...g.describe('ec2:DescribeSubnets', 'ec2:DescribeNetworkInterfaces')],
  },
  'delete-vpc': {
    grants: (g) => [g.tagged(['ec2:DeleteVpc'], ['vpc']), ...g.describe('ec2:DescribeVpcs', 'ec2:DescribeNetworkInterfaces')],
  },
  'verify-deleted': {
    grants: (g) => [
      g.describeAlarms(),
      ...g.imageBakeClaims([]),
      ...g.describe(
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
    ],
  },
} as const satisfies StepCatalogue;

export const TEARDOWN_STEPS = {
  ...TEARDOWN_DELETE_STEPS,
  // Only the status tag of the cluster's VPC, which it reads to find the cluster.
  'mark-deleting': { grants: (g) => [g.vpcTagKeys([TAG_STATUS]), ...g.describe('ec2:DescribeVpcs')] },
} as const satisfies StepCatalogue;

export type TeardownDeleteStepId = keyof typeof TEARDOWN_DELETE_STEPS;

/** The deletes and checks the create's rollback runs as well. */
export const TEARDOWN_DELETE_STEP_IDS = Object.keys(TEARDOWN_DELETE_STEPS) as TeardownDeleteStepId[];

/** The steps the teardown machine invokes: its own, and the create's Record Failure. */
export const TEARDOWN_MACHINE_STEP_IDS = [
  ...(Object.keys(TEARDOWN_STEPS) as (keyof typeof TEARDOWN_STEPS)[]),
  'record-failure',
] as const satisfies readonly StepId[];
