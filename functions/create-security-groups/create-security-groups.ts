import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type IpPermission,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CreateSecurityGroupsInput, CreateSecurityGroupsOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { onNewResource } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, type ResourceRole, tagSpec } from '../shared/tags';

type GroupRole = Extract<ResourceRole, 'master-sg' | 'slave-sg'>;

/** Ports opened to the admin CIDR on the masters: the Mesos UI and Marathon. */
export const ADMIN_PORTS = [
  { port: 5050, what: 'Mesos master UI' },
  { port: 8080, what: 'Marathon UI' },
] as const;

/**
 * The ingress rules of both groups, one source per rule. From outside only the admin
 * CIDR reaches the masters, on 5050 and 8080; inside the cluster the two groups allow
 * all traffic from each other and themselves (ZooKeeper 2181/2888/3888, Mesos master
 * 5050, agent 5051, Marathon 8080, Docker task ports). Nothing else is opened.
 */
export function ingressRules(adminCidr: string, masterSg: string, slaveSg: string): Record<GroupRole, IpPermission[]> {
  const fromGroups: IpPermission[] = [
    { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: masterSg, Description: 'all traffic from the cluster masters' }] },
    { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: slaveSg, Description: 'all traffic from the cluster slaves' }] },
  ];
  return {
    'master-sg': [
      ...ADMIN_PORTS.map(({ port, what }) => ({
        IpProtocol: 'tcp',
        FromPort: port,
        ToPort: port,
        IpRanges: [{ CidrIp: adminCidr, Description: `${what} from the admin network` }],
      })),
      ...fromGroups,
    ],
    'slave-sg': fromGroups,
  };
}

/**
 * Create Security Groups: the master and slave groups (found by tag, or by name after
 * InvalidGroup.Duplicate, or created tagged), then the ingress rules that are missing:
 * one AuthorizeSecurityGroupIngress call per group.
 */
export const createSecurityGroupsStep = defineStep(
  'create-security-groups',
  async (input: CreateSecurityGroupsInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateSecurityGroupsOutput> => {
    const master = await ensureGroup(ec2, input, 'master-sg', `${input.clusterName}-master`, 'Mesos masters');
    const slave = await ensureGroup(ec2, input, 'slave-sg', `${input.clusterName}-slave`, 'Mesos slaves');
    const masterSecurityGroupId = groupId(master);
    const slaveSecurityGroupId = groupId(slave);
    const rules = ingressRules(input.adminCidr, masterSecurityGroupId, slaveSecurityGroupId);
    await authorizeMissing(ec2, master, rules['master-sg']);
    await authorizeMissing(ec2, slave, rules['slave-sg']);
    return { masterSecurityGroupId, slaveSecurityGroupId };
  }
);

async function ensureGroup(
  ec2: EC2Client,
  input: CreateSecurityGroupsInput,
  role: GroupRole,
  groupName: string,
  what: string
): Promise<SecurityGroup> {
  const byTag = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: clusterFilters(input.clusterId, role) }));
  const tagged = byTag.SecurityGroups?.[0];
  if (tagged) return tagged;
  try {
    const { GroupId } = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: groupName,
        Description: `${what} of Mesos cluster ${input.clusterName}`,
        VpcId: input.vpcId,
        TagSpecifications: [tagSpec('security-group', input, role)],
      })
    );
    if (!GroupId) throw new FatalError(`CreateSecurityGroup returned no group id for ${groupName}`);
    return { GroupId, GroupName: groupName, IpPermissions: [] };
  } catch (err) {
    if (!hasCode(err, 'InvalidGroup.Duplicate')) throw err;
    // Created by an earlier run, not yet visible by tag: the name is unique in the VPC.
    const byName = await ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [input.vpcId] },
          { Name: 'group-name', Values: [groupName] },
        ],
      })
    );
    const named = byName.SecurityGroups?.[0];
    if (!named) throw new FatalError(`security group ${groupName} is reported as duplicate but cannot be found`, { cause: err });
    return named;
  }
}

/** True when the group already has the rule (same protocol, ports and source). */
function hasRule(existing: readonly IpPermission[], rule: IpPermission): boolean {
  const cidr = rule.IpRanges?.[0]?.CidrIp;
  const group = rule.UserIdGroupPairs?.[0]?.GroupId;
  return existing.some(
    (p) =>
      p.IpProtocol === rule.IpProtocol &&
      (rule.IpProtocol === '-1' || (p.FromPort === rule.FromPort && p.ToPort === rule.ToPort)) &&
      ((cidr !== undefined && (p.IpRanges ?? []).some((r) => r.CidrIp === cidr)) ||
        (group !== undefined && (p.UserIdGroupPairs ?? []).some((g) => g.GroupId === group)))
  );
}

async function authorizeMissing(ec2: EC2Client, group: SecurityGroup, rules: readonly IpPermission[]): Promise<void> {
  const groupIdValue = groupId(group);
  const missing = rules.filter((rule) => !hasRule(group.IpPermissions ?? [], rule));
  if (missing.length === 0) return;
  await onNewResource(`security group ${groupIdValue}`, async () => {
    try {
      await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupIdValue, IpPermissions: missing }));
    } catch (err) {
      if (!hasCode(err, 'InvalidPermission.Duplicate')) throw err;
      // Some of the rules are there already (an earlier run got further than the
      // description showed): add the rest one by one.
      for (const rule of missing) {
        try {
          await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: groupIdValue, IpPermissions: [rule] }));
        } catch (ruleErr) {
          if (!hasCode(ruleErr, 'InvalidPermission.Duplicate')) throw ruleErr;
        }
      }
    }
  });
}

function groupId(group: SecurityGroup): string {
  if (!group.GroupId) throw new FatalError(`security group ${group.GroupName ?? ''} has no id`);
  return group.GroupId;
}
