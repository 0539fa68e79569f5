import {
  DeleteSecurityGroupCommand,
  type IpPermission,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findSecurityGroups, isString, unlessGone } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/** Codes meaning the rule or its group is already gone. */
const REVOKE_GONE = ['InvalidPermission.NotFound', 'InvalidGroup.NotFound', 'InvalidGroupId.NotFound'];

/**
 * The parts of the rules that reference another security group, reduced to the group
 * references (CIDR ranges of the same rule stay), or an empty list.
 */
export function crossGroupRules(permissions: readonly IpPermission[] | undefined, groupId: string): IpPermission[] {
  const rules: IpPermission[] = [];
  for (const p of permissions ?? []) {
    const pairs = (p.UserIdGroupPairs ?? [])
      .map((pair) => pair.GroupId)
      .filter(isString)
      .filter((id) => id !== groupId);
    if (pairs.length === 0) continue;
    rules.push({
      IpProtocol: p.IpProtocol,
      ...(p.FromPort === undefined ? {} : { FromPort: p.FromPort }),
      ...(p.ToPort === undefined ? {} : { ToPort: p.ToPort }),
      UserIdGroupPairs: pairs.map((GroupId) => ({ GroupId })),
    });
  }
  return rules;
}

/**
 * Delete Security Groups: first revokes every rule by which one group references another
 * (master and slave groups reference each other, and a referenced group cannot be deleted
 * even without ENIs), one call per group and direction, then deletes the groups. Groups
 * still used by a draining ENI fail with DependencyViolation or InvalidGroup.InUse: retried.
 */
export const deleteSecurityGroupsStep = defineStep(
  'delete-security-groups',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    // A VPC's default group cannot be deleted on its own; it goes with the VPC.
    const groups = (await findSecurityGroups(ec2, clusterId)).filter((g) => g.GroupId && g.GroupName !== 'default');
    for (const group of groups) {
      const GroupId = group.GroupId as string;
      const ingress = crossGroupRules(group.IpPermissions, GroupId);
      if (ingress.length > 0) {
        await unlessGone(ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId, IpPermissions: ingress })), ...REVOKE_GONE);
      }
      const egress = crossGroupRules(group.IpPermissionsEgress, GroupId);
      if (egress.length > 0) {
        await unlessGone(ec2.send(new RevokeSecurityGroupEgressCommand({ GroupId, IpPermissions: egress })), ...REVOKE_GONE);
      }
    }
    const deleted = await deleteEach(
      groups.map((g) => g.GroupId).filter(isString),
      (GroupId) => ec2.send(new DeleteSecurityGroupCommand({ GroupId })),
      {
        what: 'security groups',
        goneCodes: ['InvalidGroup.NotFound', 'InvalidGroupId.NotFound'],
        retryCodes: ['DependencyViolation', 'InvalidGroup.InUse'],
      }
    );
    return { deleted };
  }
);
