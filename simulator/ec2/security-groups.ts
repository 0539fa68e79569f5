/** EC2 security groups: rules, duplicates, cross-references and the delete rules. */
import type {
  AuthorizeSecurityGroupEgressCommandInput,
  AuthorizeSecurityGroupIngressCommandInput,
  AuthorizeSecurityGroupIngressCommandOutput,
  CreateSecurityGroupCommandInput,
  CreateSecurityGroupCommandOutput,
  DeleteSecurityGroupCommandInput,
  DescribeSecurityGroupsCommandInput,
  DescribeSecurityGroupsCommandOutput,
  IpPermission,
  RevokeSecurityGroupEgressCommandInput,
  RevokeSecurityGroupIngressCommandInput,
  SecurityGroup,
  SecurityGroupRule,
} from '@aws-sdk/client-ec2';
import { ACCOUNT_ID, type Handler, idList, type Out, op, type Sim, tagList } from '../core';
import { fail } from '../errors';
import type { RuleRecord, SecurityGroupRecord } from '../state';
import { parseCidr } from '../util/cidr';
import { checkFilterNames, type FilterSpec, matchesFilters } from '../util/filters';

const PROTOCOLS: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', all: '-1' };

function ruleKey(rule: Omit<RuleRecord, 'id'>): string {
  return [rule.protocol, rule.fromPort ?? '', rule.toPort ?? '', rule.cidr ?? '', rule.groupId ?? ''].join('|');
}

/** Flattens IpPermissions (or the legacy flat parameters) into one rule per source. */
function rulesOf(
  sim: Sim,
  group: SecurityGroupRecord,
  input: { IpPermissions?: IpPermission[]; CidrIp?: string; IpProtocol?: string; FromPort?: number; ToPort?: number }
): Omit<RuleRecord, 'id'>[] {
  const permissions: IpPermission[] = input.IpPermissions?.length
    ? input.IpPermissions
    : input.IpProtocol !== undefined
      ? [
          {
            IpProtocol: input.IpProtocol,
            FromPort: input.FromPort,
            ToPort: input.ToPort,
            IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
          },
        ]
      : [];
  if (permissions.length === 0) throw fail('MissingParameter', 'The request must contain the parameter ipPermissions');
  const rules: Omit<RuleRecord, 'id'>[] = [];
  for (const permission of permissions) {
    const raw = (permission.IpProtocol ?? '').toLowerCase();
    const protocol = PROTOCOLS[raw] ?? raw;
    if (!['tcp', 'udp', 'icmp', '-1'].includes(protocol))
      throw fail('InvalidParameterValue', `Invalid IP protocol: ${permission.IpProtocol}`);
    let fromPort: number | undefined;
    let toPort: number | undefined;
    if (protocol === 'tcp' || protocol === 'udp') {
      fromPort = permission.FromPort;
      toPort = permission.ToPort;
      if (fromPort === undefined || toPort === undefined || fromPort < 0 || toPort > 65535 || fromPort > toPort) {
        throw fail('InvalidParameterValue', `Invalid port range ${fromPort ?? 'null'}-${toPort ?? 'null'} for protocol ${protocol}`);
      }
    } else if (protocol === 'icmp') {
      fromPort = permission.FromPort ?? -1;
      toPort = permission.ToPort ?? -1;
    }
    if (permission.Ipv6Ranges?.length || permission.PrefixListIds?.length) {
      throw fail('Unsupported', 'The simulated cloud supports IPv4 ranges and security group references only');
    }
    for (const range of permission.IpRanges ?? []) {
      if (!parseCidr(range.CidrIp ?? '')) throw fail('InvalidParameterValue', `CIDR block ${range.CidrIp} is malformed`);
      rules.push({ protocol, fromPort, toPort, cidr: range.CidrIp, description: range.Description });
    }
    for (const pair of permission.UserIdGroupPairs ?? []) {
      const referenced = sim.get('sg', pair.GroupId);
      if (referenced.vpcId !== group.vpcId)
        throw fail('InvalidGroup.NotFound', `The security group '${pair.GroupId}' does not exist in VPC '${group.vpcId}'`);
      rules.push({ protocol, fromPort, toPort, groupId: referenced.id, description: pair.Description });
    }
  }
  if (rules.length === 0) throw fail('MissingParameter', 'Each permission needs an IP range or a security group');
  return rules;
}

function permissionsView(rules: readonly RuleRecord[]): IpPermission[] {
  const grouped = new Map<string, IpPermission>();
  for (const rule of rules) {
    const key = [rule.protocol, rule.fromPort ?? '', rule.toPort ?? ''].join('|');
    let permission = grouped.get(key);
    if (!permission) {
      permission = {
        IpProtocol: rule.protocol,
        FromPort: rule.fromPort,
        ToPort: rule.toPort,
        IpRanges: [],
        UserIdGroupPairs: [],
        Ipv6Ranges: [],
        PrefixListIds: [],
      };
      grouped.set(key, permission);
    }
    if (rule.cidr !== undefined) permission.IpRanges?.push({ CidrIp: rule.cidr, Description: rule.description });
    if (rule.groupId !== undefined)
      permission.UserIdGroupPairs?.push({ GroupId: rule.groupId, UserId: ACCOUNT_ID, Description: rule.description });
  }
  return [...grouped.values()];
}

function groupView(sim: Sim, sg: SecurityGroupRecord): SecurityGroup {
  return {
    GroupId: sg.id,
    GroupName: sg.name,
    Description: sg.description,
    VpcId: sg.vpcId,
    OwnerId: ACCOUNT_ID,
    SecurityGroupArn: `arn:aws:ec2:${sim.region}:${ACCOUNT_ID}:security-group/${sg.id}`,
    IpPermissions: permissionsView(sg.ingress),
    IpPermissionsEgress: permissionsView(sg.egress),
    Tags: tagList(sg.tags),
  };
}

function ruleView(sg: SecurityGroupRecord, rule: RuleRecord, isEgress: boolean): SecurityGroupRule {
  return {
    SecurityGroupRuleId: rule.id,
    GroupId: sg.id,
    GroupOwnerId: ACCOUNT_ID,
    IsEgress: isEgress,
    IpProtocol: rule.protocol,
    FromPort: rule.fromPort ?? -1,
    ToPort: rule.toPort ?? -1,
    CidrIpv4: rule.cidr,
    ReferencedGroupInfo: rule.groupId ? { GroupId: rule.groupId, UserId: ACCOUNT_ID } : undefined,
    Description: rule.description,
  };
}

const SG_FILTERS: FilterSpec<SecurityGroupRecord> = {
  'group-id': (g) => [g.id],
  'group-name': (g) => [g.name],
  'vpc-id': (g) => [g.vpcId],
  description: (g) => [g.description],
  'owner-id': () => [ACCOUNT_ID],
  'ip-permission.group-id': (g) => g.ingress.map((r) => r.groupId),
  'ip-permission.cidr': (g) => g.ingress.map((r) => r.cidr),
  'ip-permission.protocol': (g) => g.ingress.map((r) => r.protocol),
  'ip-permission.from-port': (g) => g.ingress.map((r) => r.fromPort),
  'ip-permission.to-port': (g) => g.ingress.map((r) => r.toPort),
  'egress.ip-permission.group-id': (g) => g.egress.map((r) => r.groupId),
  'egress.ip-permission.cidr': (g) => g.egress.map((r) => r.cidr),
};

const createSecurityGroup = op<CreateSecurityGroupCommandInput>((sim, input): Out<CreateSecurityGroupCommandOutput> => {
  if (input.VpcId === undefined) throw fail('VPCIdNotSpecified', 'No default VPC for this user');
  const vpc = sim.get('vpc', input.VpcId);
  const name = input.GroupName ?? '';
  if (name.length === 0 || name.length > 255) throw fail('InvalidParameterValue', 'The group name must be 1 to 255 characters long');
  if (name === 'default') throw fail('InvalidGroup.Reserved', "The security group 'default' is reserved");
  if (name.startsWith('sg-')) throw fail('InvalidParameterValue', "Group names may not be in the format 'sg-*'");
  if (!input.Description) throw fail('MissingParameter', 'The request must contain the parameter groupDescription');
  if (sim.list('sg').some((g) => g.vpcId === vpc.id && g.name === name)) {
    throw fail('InvalidGroup.Duplicate', `The security group '${name}' already exists for VPC '${vpc.id}'`);
  }
  const tags = sim.tagsFor(input.TagSpecifications, 'security-group');
  const sg: SecurityGroupRecord = {
    id: sim.id('sg'),
    createdAt: sim.now(),
    tags,
    vpcId: vpc.id,
    name,
    description: input.Description,
    isDefault: false,
    ingress: [],
    egress: [{ id: sim.id('sgr'), protocol: '-1', cidr: '0.0.0.0/0' }],
  };
  sim.state.securityGroups[sg.id] = sg;
  return { GroupId: sg.id, Tags: tagList(tags), SecurityGroupArn: groupView(sim, sg).SecurityGroupArn };
});

function findGroup(sim: Sim, groupId: string | undefined, groupName: string | undefined): SecurityGroupRecord {
  if (groupId !== undefined) return sim.get('sg', groupId);
  if (groupName !== undefined) throw fail('VPCIdNotSpecified', 'Security groups of a non-default VPC must be given by GroupId');
  throw fail('MissingParameter', 'The request must contain the parameter groupId');
}

function authorize(
  sim: Sim,
  sg: SecurityGroupRecord,
  direction: 'ingress' | 'egress',
  input: AuthorizeSecurityGroupIngressCommandInput
): Out<AuthorizeSecurityGroupIngressCommandOutput> {
  const rules = rulesOf(sim, sg, input);
  const existing = new Set(sg[direction].map(ruleKey));
  const seen = new Set<string>();
  for (const rule of rules) {
    const key = ruleKey(rule);
    if (existing.has(key) || seen.has(key)) {
      const source = rule.cidr ?? rule.groupId;
      throw fail(
        'InvalidPermission.Duplicate',
        `the specified rule "peer: ${source}, ${rule.protocol.toUpperCase()}, from port: ${rule.fromPort ?? -1}, to port: ${rule.toPort ?? -1}, ALLOW" already exists`
      );
    }
    seen.add(key);
  }
  sim.tagsFor(input.TagSpecifications, 'security-group-rule');
  const added = rules.map((rule) => ({ ...rule, id: sim.id('sgr') }));
  sg[direction].push(...added);
  return { Return: true, SecurityGroupRules: added.map((rule) => ruleView(sg, rule, direction === 'egress')) };
}

const authorizeIngress = op<AuthorizeSecurityGroupIngressCommandInput>((sim, input) =>
  authorize(sim, findGroup(sim, input.GroupId, input.GroupName), 'ingress', input)
);

const authorizeEgress = op<AuthorizeSecurityGroupEgressCommandInput>((sim, input) =>
  authorize(sim, sim.get('sg', input.GroupId), 'egress', input)
);

function revoke(sim: Sim, sg: SecurityGroupRecord, direction: 'ingress' | 'egress', input: RevokeSecurityGroupIngressCommandInput) {
  const current = sg[direction];
  let targets: RuleRecord[];
  const unknown: IpPermission[] = [];
  if (input.SecurityGroupRuleIds?.length) {
    targets = current.filter((rule) => input.SecurityGroupRuleIds?.includes(rule.id));
    const missing = input.SecurityGroupRuleIds.filter((id) => !targets.some((rule) => rule.id === id));
    if (missing.length > 0)
      throw fail('InvalidSecurityGroupRuleId.NotFound', `The security group rule IDs '${missing.join(', ')}' do not exist`);
  } else {
    const wanted = rulesOf(sim, sg, input);
    targets = [];
    for (const rule of wanted) {
      const match = current.find((r) => ruleKey(r) === ruleKey(rule));
      if (match) targets.push(match);
      else unknown.push(...permissionsView([{ ...rule, id: '' }]));
    }
    if (targets.length === 0) {
      throw fail('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
    }
  }
  sg[direction] = current.filter((rule) => !targets.includes(rule));
  return { Return: true, ...(unknown.length > 0 ? { UnknownIpPermissions: unknown } : {}) };
}

const revokeIngress = op<RevokeSecurityGroupIngressCommandInput>((sim, input) =>
  revoke(sim, findGroup(sim, input.GroupId, input.GroupName), 'ingress', input)
);

const revokeEgress = op<RevokeSecurityGroupEgressCommandInput>((sim, input) => revoke(sim, sim.get('sg', input.GroupId), 'egress', input));

const describeSecurityGroups = op<DescribeSecurityGroupsCommandInput>((sim, input): Out<DescribeSecurityGroupsCommandOutput> => {
  checkFilterNames(input.Filters, SG_FILTERS);
  const ids = idList(input.GroupIds);
  let candidates = ids ? sim.getAll('sg', ids) : sim.list('sg');
  if (input.GroupNames?.length) {
    throw fail('VPCIdNotSpecified', 'GroupNames select groups of the default VPC; use the group-name filter instead');
  }
  candidates = candidates.filter((g) => matchesFilters(input.Filters, g, g.tags, SG_FILTERS));
  return { SecurityGroups: candidates.map((g) => groupView(sim, g)) };
});

const deleteSecurityGroup = op<DeleteSecurityGroupCommandInput>((sim, input) => {
  const sg = findGroup(sim, input.GroupId, input.GroupName);
  if (sg.isDefault) throw fail('CannotDelete', `the specified group: "${sg.id}" name: "default" cannot be deleted by a user`);
  const referencedBy = sim
    .list('sg')
    .filter((other) => other.id !== sg.id && [...other.ingress, ...other.egress].some((rule) => rule.groupId === sg.id));
  const usedBy = sim.list('instance').filter((inst) => sim.holdsNetwork(inst) && inst.securityGroupIds.includes(sg.id));
  if (referencedBy.length > 0 || usedBy.length > 0) {
    throw fail('DependencyViolation', `resource ${sg.id} has a dependent object`);
  }
  delete sim.state.securityGroups[sg.id];
  return { Return: true, GroupId: sg.id };
});

/** The security group operations, by operation name. */
export const securityGroupHandlers: Record<string, Handler> = {
  CreateSecurityGroup: createSecurityGroup,
  DescribeSecurityGroups: describeSecurityGroups,
  AuthorizeSecurityGroupIngress: authorizeIngress,
  AuthorizeSecurityGroupEgress: authorizeEgress,
  RevokeSecurityGroupIngress: revokeIngress,
  RevokeSecurityGroupEgress: revokeEgress,
  DeleteSecurityGroup: deleteSecurityGroup,
};
