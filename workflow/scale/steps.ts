/**
 * The scale machine's step catalogue: the steps it owns, each with what its role may do, and
 * the set of steps the machine invokes (see workflow/create/steps.ts).
 */
import {
  TAG_LAST_SCALE_EXECUTION,
  TAG_LAST_SCALE_OUTCOME,
  TAG_LAST_SCALED_AT,
  TAG_SCALE_EXECUTION,
  TAG_SCALE_STARTED_AT,
  TAG_SLAVES,
  TAG_STATUS,
} from '../../functions/shared/tags';
import type { StepCatalogue, StepId } from '../step-catalogue';

export const SCALE_STEPS = {
  'plan-scale': {
    grants: (g) => [
      g.vpcTagKeys([TAG_STATUS, TAG_SCALE_EXECUTION, TAG_SCALE_STARTED_AT]),
      ...g.describe('ec2:DescribeVpcs', 'ec2:DescribeInstances', 'ec2:DescribeImages', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups'),
      g.describeAlarms(),
    ],
  },
  'check-scale-lease': { grants: (g) => g.describe('ec2:DescribeVpcs') },
  'query-agent-load': { grants: (g) => g.sendCommand('agentLoad') },
  'pick-slaves-to-remove': { grants: (g) => g.describe('ssm:GetCommandInvocation', 'ec2:DescribeInstances') },
  'drain-slaves': { grants: (g) => [...g.sendCommand('drainAgents'), ...g.describe('ssm:ListCommands')] },
  'check-drain': { grants: (g) => g.describe('ssm:GetCommandInvocation') },
  'check-instances-gone': { grants: (g) => g.describe('ec2:DescribeInstances') },
  'record-scale': {
    grants: (g) => [
      g.vpcTagKeys([TAG_STATUS, TAG_SCALE_EXECUTION, TAG_LAST_SCALED_AT, TAG_LAST_SCALE_EXECUTION, TAG_LAST_SCALE_OUTCOME, TAG_SLAVES]),
      ...g.describe('ec2:DescribeVpcs'),
    ],
  },
  // The rollback of a scale-out's image bake: the template slave terminated, the images removed.
  'discard-image-bake': {
    grants: (g) => [
      g.tagged(['ec2:TerminateInstances'], ['instance']),
      ...g.imageDeletion(),
      ...g.imageBakeClaims(['ssm:DeleteParameter']),
    ],
  },
} as const satisfies StepCatalogue;

/** The steps the scale machine invokes: its own, and the create's that launch, check and bake. */
export const SCALE_MACHINE_STEP_IDS = [
  ...(Object.keys(SCALE_STEPS) as (keyof typeof SCALE_STEPS)[]),
  'launch-instances',
  'check-ssm-online',
  'query-agents',
  'check-agents-registered',
  'check-command',
  'await-command-signal',
  'terminate-instances',
  // The bake of a cluster that has no slave image yet (created with 0 slaves).
  'find-cached-image',
  'check-image-bake',
  'configure-template-slave',
  'bake-image',
  'check-image',
] as const satisfies readonly StepId[];
