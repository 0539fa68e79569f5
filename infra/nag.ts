/**
 * cdk-nag acknowledgements: every finding is acknowledged one by one, with its reason, on
 * the construct it concerns (cdk-nag v3: `Validations.of(scope).acknowledge`, no prefix
 * matching, so an IAM5 finding is named exactly as cdk-nag prints it).
 */
import { Stack, Validations } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import type { IConstruct } from 'constructs';

/** Flattens a resolved CloudFormation value the way cdk-nag names its findings (`<Ref>`, `<Id.Attr>`). */
export function flattenReference(node: unknown): string {
  if (node === undefined) return '';
  if (typeof node === 'string') return node.replace(/\$\{/g, '<').replace(/}/g, '>');
  if (typeof node === 'object' && node !== null) {
    const value = node as Record<string, unknown>;
    if (Array.isArray(value['Fn::Join'])) {
      const [delimiter, items] = value['Fn::Join'] as [string, unknown[]];
      return items.map(flattenReference).join(delimiter);
    }
    if ('Fn::Sub' in value) return flattenReference(value['Fn::Sub']);
    if (Array.isArray(value['Fn::GetAtt'])) {
      const [resource, attribute] = value['Fn::GetAtt'] as [unknown, unknown];
      return `<${flattenReference(resource)}.${flattenReference(attribute)}>`;
    }
    if ('Fn::ImportValue' in value) return flattenReference(value['Fn::ImportValue']);
    if ('Ref' in value) return `<${flattenReference(value.Ref)}>`;
  }
  return JSON.stringify(node);
}

/** The AwsSolutions-IAM5 finding ids of a statement (wildcard resources). */
export function wildcardFindings(scope: IConstruct, statement: iam.PolicyStatement): string[] {
  const json = Stack.of(scope).resolve(statement.toStatementJson()) as { Resource?: unknown };
  const resources = Array.isArray(json.Resource) ? json.Resource : [json.Resource];
  return resources
    .map(flattenReference)
    .filter((r) => r.includes('*'))
    .map((r) => `AwsSolutions-IAM5[Resource::${r}]`);
}

/** Acknowledges each IAM5 finding of the statements on `scope`; a wildcard without a reason is an error. */
export function acknowledgeWildcards(scope: IConstruct, grants: readonly { statement: iam.PolicyStatement; reason?: string }[]): void {
  const reasons = new Map<string, Set<string>>();
  for (const { statement, reason } of grants) {
    for (const id of wildcardFindings(scope, statement)) {
      if (!reason) throw new Error(`${scope.node.path}: ${id} has no reason (${JSON.stringify(statement.toStatementJson())})`);
      const set = reasons.get(id) ?? new Set<string>();
      set.add(reason);
      reasons.set(id, set);
    }
  }
  for (const [id, set] of reasons) Validations.of(scope).acknowledge({ id, reason: [...set].join('; ') });
}

/**
 * Acknowledges the IAM5 findings of a state machine role's default policy: what CDK grants
 * for LambdaInvoke (every version of each step function), vended log delivery and X-Ray.
 * A statement of another kind with a wildcard is an error, so nothing new slips through.
 */
export function acknowledgeStateMachineRole(role: iam.IRole): void {
  const policy = role.node.tryFindChild('DefaultPolicy') as iam.Policy | undefined;
  if (!policy) return;
  const grants = (policy.document.toJSON() as { Statement?: unknown[] } | undefined)?.Statement ?? [];
  const reasons = new Map<string, string>();
  const stack = Stack.of(role);
  for (const raw of grants) {
    const statement = stack.resolve(raw) as { Action: string | string[]; Resource: unknown };
    const actions = Array.isArray(statement.Action) ? statement.Action : [statement.Action];
    const resources = (Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource]).map(flattenReference);
    for (const resource of resources.filter((r) => r.includes('*'))) {
      let reason: string;
      if (actions.every((a) => a === 'lambda:InvokeFunction') && resource.endsWith(':*')) {
        reason = "LambdaInvoke's grant covers the versions and aliases of this step's function (<function arn>:*), nothing else";
      } else if (actions.every((a) => a.startsWith('logs:')) && resource === '*') {
        reason = 'Step Functions log delivery (CreateLogDelivery and friends) supports no resource-level permissions';
      } else if (actions.every((a) => a.startsWith('xray:')) && resource === '*') {
        reason = 'X-Ray PutTraceSegments and sampling calls support no resource-level permissions';
      } else {
        throw new Error(`${role.node.path}: unexpected wildcard ${resource} for ${actions.join(', ')}`);
      }
      const id = `AwsSolutions-IAM5[Resource::${resource}]`;
      reasons.set(id, reasons.has(id) && reasons.get(id) !== reason ? `${reasons.get(id)}; ${reason}` : reason);
    }
  }
  for (const [id, reason] of reasons) Validations.of(role).acknowledge({ id, reason });
}
