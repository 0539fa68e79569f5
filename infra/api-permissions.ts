/**
 * What each API function's role may do: only the calls its code makes
 * (test/infra/api-permissions.test.ts checks this against the bundled code). Starting,
 * stopping and reading executions is limited to this stack's state machines and their
 * executions; EC2 Describe calls support no resource-level permissions.
 */
import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { IConstruct } from 'constructs';
import type { ApiFunctionId } from './constructs/api-function';
import type { StepGrant } from './permissions';

/** The machines the API starts and reads. */
export interface ApiPermissionContext {
  readonly scope: IConstruct;
  readonly create: sfn.IStateMachine;
  readonly teardown: sfn.IStateMachine;
  /** Absent until the stack has a scale machine. */
  readonly scale?: sfn.IStateMachine;
}

const REASON_DESCRIBE = 'EC2 Describe calls support no resource-level permissions; every call passes a cluster-id tag filter or ids';
const REASON_EXECUTIONS =
  "execution ARNs carry names chosen at run time (create-/delete-/scale-<cluster id>); the resource is limited to the executions of this stack's machine";

/** The EC2 calls of describeCluster (functions/shared/describe-cluster.ts). */
export const DESCRIBE_CLUSTER_ACTIONS = [
  'ec2:DescribeVpcs',
  'ec2:DescribeSubnets',
  'ec2:DescribeInternetGateways',
  'ec2:DescribeRouteTables',
  'ec2:DescribeNatGateways',
  'ec2:DescribeAddresses',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeInstances',
  'ec2:DescribeImages',
];

function allow(actions: string[], resources: string[]): iam.PolicyStatement {
  return new iam.PolicyStatement({ effect: iam.Effect.ALLOW, actions, resources });
}

/** `arn:…:execution:<machine name>:*`: every execution of one machine. */
export function executionsArn(scope: IConstruct, machine: sfn.IStateMachine): string {
  const stack = Stack.of(scope);
  const machineName =
    machine instanceof sfn.StateMachine
      ? machine.stateMachineName
      : stack.splitArn(machine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
  return stack.formatArn({
    service: 'states',
    resource: 'execution',
    resourceName: `${machineName}:*`,
    arnFormat: ArnFormat.COLON_RESOURCE_NAME,
  });
}

/** The statements of an API function's role that concern the create and teardown machines. */
export function baseApiGrants(functionId: Exclude<ApiFunctionId, 'scale-cluster'>, ctx: ApiPermissionContext): StepGrant[] {
  const describeVpcs: StepGrant = { statement: allow(['ec2:DescribeVpcs'], ['*']), reason: REASON_DESCRIBE };
  const listBoth: StepGrant = {
    statement: allow(['states:ListExecutions'], [ctx.create.stateMachineArn, ctx.teardown.stateMachineArn]),
  };
  switch (functionId) {
    case 'create-cluster':
      return [describeVpcs, { statement: allow(['states:ListExecutions', 'states:StartExecution'], [ctx.create.stateMachineArn]) }];
    case 'list-clusters':
      return [describeVpcs, listBoth];
    case 'get-cluster':
      return [
        { statement: allow(DESCRIBE_CLUSTER_ACTIONS, ['*']), reason: REASON_DESCRIBE },
        listBoth,
        {
          statement: allow(
            ['states:DescribeExecution', 'states:GetExecutionHistory'],
            [executionsArn(ctx.scope, ctx.create), executionsArn(ctx.scope, ctx.teardown)]
          ),
          reason: REASON_EXECUTIONS,
        },
      ];
    case 'delete-cluster':
      return [
        describeVpcs,
        {
          statement: allow(['states:DescribeExecution'], [executionsArn(ctx.scope, ctx.create), executionsArn(ctx.scope, ctx.teardown)]),
          reason: REASON_EXECUTIONS,
        },
        { statement: allow(['states:StopExecution'], [executionsArn(ctx.scope, ctx.create)]), reason: REASON_EXECUTIONS },
        { statement: allow(['states:StartExecution'], [ctx.teardown.stateMachineArn]) },
      ];
  }
}

/** What an API function's role gains once the stack has a scale machine (the scale function: everything). */
export function scaleApiGrants(functionId: ApiFunctionId, ctx: ApiPermissionContext & { scale: sfn.IStateMachine }): StepGrant[] {
  switch (functionId) {
    case 'scale-cluster':
      return [
        { statement: allow(['ec2:DescribeVpcs'], ['*']), reason: REASON_DESCRIBE },
        { statement: allow(['states:StartExecution'], [ctx.scale.stateMachineArn]) },
      ];
    case 'list-clusters':
      return [{ statement: allow(['states:ListExecutions'], [ctx.scale.stateMachineArn]) }];
    case 'get-cluster':
      return [
        { statement: allow(['states:ListExecutions'], [ctx.scale.stateMachineArn]) },
        {
          statement: allow(['states:DescribeExecution', 'states:GetExecutionHistory'], [executionsArn(ctx.scope, ctx.scale)]),
          reason: REASON_EXECUTIONS,
        },
      ];
    default:
      return [];
  }
}

/** Every statement of an API function's role. */
export function apiGrants(functionId: ApiFunctionId, ctx: ApiPermissionContext): StepGrant[] {
  const base = functionId === 'scale-cluster' ? [] : baseApiGrants(functionId, ctx);
  return ctx.scale ? [...base, ...scaleApiGrants(functionId, { ...ctx, scale: ctx.scale })] : base;
}
