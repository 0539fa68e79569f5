import {
  AuthorizeSecurityGroupIngressCommand,
  type AuthorizeSecurityGroupIngressCommandInput,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createSecurityGroupsStep } from '../../../functions/create-security-groups/create-security-groups';
import { invokeStep } from '../../../functions/shared/step';
import { clusterFilters } from '../../../functions/shared/tags';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1', adminCidr: '203.0.113.0/24' };
const run = () => invokeStep(createSecurityGroupsStep, input, { ec2: new EC2Client({}) });

const adminRule = (port: number) => ({
  IpProtocol: 'tcp',
  FromPort: port,
  ToPort: port,
  IpRanges: [expect.objectContaining({ CidrIp: '203.0.113.0/24' })],
});
const fromGroup = (groupId: string) => ({ IpProtocol: '-1', UserIdGroupPairs: [expect.objectContaining({ GroupId: groupId })] });

function tagsOf(role: string) {
  return expect.arrayContaining([
    { Key: 'mesos-cluster:id', Value: 'c-1' },
    { Key: 'mesos-cluster:name', Value: 'demo' },
    { Key: 'mesos-cluster:role', Value: role },
  ]);
}

/** Every permission sent in AuthorizeSecurityGroupIngress calls for one group. */
function authorizedFor(groupId: string): IpPermission[] {
  return ec2Mock
    .commandCalls(AuthorizeSecurityGroupIngressCommand)
    .map((call) => call.args[0].input as AuthorizeSecurityGroupIngressCommandInput)
    .filter((i) => i.GroupId === groupId)
    .flatMap((i) => i.IpPermissions ?? []);
}

function groupsNotFoundByTag() {
  ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'master-sg') }).resolves({ SecurityGroups: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'slave-sg') }).resolves({ SecurityGroups: [] });
}

describe('create-security-groups', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates both groups tagged and authorizes the admin ports and the cluster-internal traffic in one call per group', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-master' })
      .resolves({ GroupId: 'sg-master' })
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-slave' })
      .resolves({ GroupId: 'sg-slave' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ masterSecurityGroupId: 'sg-master', slaveSecurityGroupId: 'sg-slave' });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSecurityGroupCommand, {
      GroupName: 'demo-master',
      VpcId: 'vpc-1',
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tagsOf('master-sg') }],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateSecurityGroupCommand, {
      GroupName: 'demo-slave',
      VpcId: 'vpc-1',
      TagSpecifications: [{ ResourceType: 'security-group', Tags: tagsOf('slave-sg') }],
    });
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-master',
      IpPermissions: [adminRule(5050), adminRule(8080), fromGroup('sg-master'), fromGroup('sg-slave')],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-slave',
      IpPermissions: [fromGroup('sg-master'), fromGroup('sg-slave')],
    });
  });

  it('opens nothing to the outside but 5050 and 8080 on the masters from the admin CIDR', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-master' })
      .resolves({ GroupId: 'sg-master' })
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-slave' })
      .resolves({ GroupId: 'sg-slave' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    // Act
    await run();
    // Assess
    const cidrRules = [...authorizedFor('sg-master'), ...authorizedFor('sg-slave')].filter(
      (p) => (p.IpRanges ?? []).length > 0 || (p.Ipv6Ranges ?? []).length > 0 || (p.PrefixListIds ?? []).length > 0
    );
    expect(cidrRules.map((p) => [p.IpProtocol, p.FromPort, p.ToPort, p.IpRanges?.map((r) => r.CidrIp)])).toEqual([
      ['tcp', 5050, 5050, ['203.0.113.0/24']],
      ['tcp', 8080, 8080, ['203.0.113.0/24']],
    ]);
    expect(authorizedFor('sg-slave').every((p) => p.IpProtocol === '-1' && (p.IpRanges ?? []).length === 0)).toBe(true);
  });

  it('returns the groups found by tag on a re-run without creating or authorizing anything', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'master-sg') }).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-master',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 5050, ToPort: 5050, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
            { IpProtocol: 'tcp', FromPort: 8080, ToPort: 8080, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
            { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-master' }, { GroupId: 'sg-slave' }] },
          ],
        },
      ],
    });
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'slave-sg') }).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-slave',
          IpPermissions: [{ IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-slave' }, { GroupId: 'sg-master' }] }],
        },
      ],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ masterSecurityGroupId: 'sg-master', slaveSecurityGroupId: 'sg-slave' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateSecurityGroupCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
  });

  it('authorizes only the rules that an earlier run did not add', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'master-sg') }).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-master',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5050, ToPort: 5050, IpRanges: [{ CidrIp: '203.0.113.0/24' }] }],
        },
      ],
    });
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: clusterFilters('c-1', 'slave-sg') }).resolves({
      SecurityGroups: [{ GroupId: 'sg-slave', IpPermissions: [] }],
    });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    // Act
    await run();
    // Assess
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-master',
      IpPermissions: [adminRule(8080), fromGroup('sg-master'), fromGroup('sg-slave')],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-slave',
      IpPermissions: [fromGroup('sg-master'), fromGroup('sg-slave')],
    });
  });

  it('looks a group up by name after InvalidGroup.Duplicate', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-master' })
      .rejects(awsError('InvalidGroup.Duplicate', "The security group 'demo-master' already exists for VPC 'vpc-1'"))
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-slave' })
      .resolves({ GroupId: 'sg-slave' });
    ec2Mock
      .on(DescribeSecurityGroupsCommand, {
        Filters: [
          { Name: 'vpc-id', Values: ['vpc-1'] },
          { Name: 'group-name', Values: ['demo-master'] },
        ],
      })
      .resolves({ SecurityGroups: [{ GroupId: 'sg-master', IpPermissions: [] }] });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).resolves({ Return: true });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ masterSecurityGroupId: 'sg-master', slaveSecurityGroupId: 'sg-slave' });
    expect(ec2Mock).toHaveReceivedCommandTimes(CreateSecurityGroupCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, { GroupId: 'sg-master' });
  });

  it('adds the rules one by one after InvalidPermission.Duplicate, skipping those already there', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-master' })
      .resolves({ GroupId: 'sg-master' })
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-slave' })
      .resolves({ GroupId: 'sg-slave' });
    // The master group already has its 5050 rule: the batch and that single rule are duplicates.
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).callsFake(async (req: AuthorizeSecurityGroupIngressCommandInput) => {
      const perms = req.IpPermissions ?? [];
      if (req.GroupId === 'sg-master' && perms.some((p) => p.FromPort === 5050)) throw awsError('InvalidPermission.Duplicate');
      return { Return: true };
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ masterSecurityGroupId: 'sg-master', slaveSecurityGroupId: 'sg-slave' });
    // One batch call and four single-rule calls for the master group, one batch call for the slave group.
    expect(ec2Mock).toHaveReceivedCommandTimes(AuthorizeSecurityGroupIngressCommand, 6);
    expect(ec2Mock).toHaveReceivedCommandWith(AuthorizeSecurityGroupIngressCommand, {
      GroupId: 'sg-master',
      IpPermissions: [fromGroup('sg-slave')],
    });
  });

  it('throws RetryableError when a new group is not visible yet', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-master' })
      .resolves({ GroupId: 'sg-master' })
      .on(CreateSecurityGroupCommand, { GroupName: 'demo-slave' })
      .resolves({ GroupId: 'sg-slave' });
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejects(awsError('InvalidGroup.NotFound', "The security group 'sg-slave' does not exist"));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^create-security-groups: security group sg-master/),
    });
  });

  it('throws FatalError when the security group quota is used up', async () => {
    // Prepare
    groupsNotFoundByTag();
    ec2Mock.on(CreateSecurityGroupCommand).rejects(awsError('SecurityGroupLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('SecurityGroupLimitExceeded') });
    expect(ec2Mock).not.toHaveReceivedCommand(AuthorizeSecurityGroupIngressCommand);
  });
});
