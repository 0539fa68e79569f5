import {
  DeleteSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  RevokeSecurityGroupEgressCommand,
  RevokeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteSecurityGroupsStep } from '../../../functions/delete-security-groups/delete-security-groups';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteSecurityGroupsStep, input, { ec2: new EC2Client({}) });
const allEgress = [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }];
const masterGroup = {
  GroupId: 'sg-master',
  GroupName: 'demo-master',
  IpPermissions: [
    { IpProtocol: 'tcp', FromPort: 5050, ToPort: 5050, IpRanges: [{ CidrIp: '203.0.113.0/24' }] },
    { IpProtocol: 'tcp', FromPort: 2181, ToPort: 2181, UserIdGroupPairs: [{ GroupId: 'sg-slave', UserId: '123456789012' }] },
    { IpProtocol: 'tcp', FromPort: 2888, ToPort: 3888, UserIdGroupPairs: [{ GroupId: 'sg-master' }] },
  ],
  IpPermissionsEgress: allEgress,
};
const slaveGroup = {
  GroupId: 'sg-slave',
  GroupName: 'demo-slave',
  IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5051, ToPort: 5051, UserIdGroupPairs: [{ GroupId: 'sg-master' }] }],
  IpPermissionsEgress: allEgress,
};

describe('delete-security-groups', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('revokes the cross-group rules of every group before deleting any group', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [masterGroup, slaveGroup] });
    ec2Mock.on(RevokeSecurityGroupIngressCommand).resolves({ Return: true });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['sg-master', 'sg-slave'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeSecurityGroupsCommand, {
      Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }],
    });
    const calls = ec2Mock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
    expect(calls.slice(1)).toEqual([
      [
        'RevokeSecurityGroupIngressCommand',
        {
          GroupId: 'sg-master',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 2181, ToPort: 2181, UserIdGroupPairs: [{ GroupId: 'sg-slave' }] }],
        },
      ],
      [
        'RevokeSecurityGroupIngressCommand',
        {
          GroupId: 'sg-slave',
          IpPermissions: [{ IpProtocol: 'tcp', FromPort: 5051, ToPort: 5051, UserIdGroupPairs: [{ GroupId: 'sg-master' }] }],
        },
      ],
      ['DeleteSecurityGroupCommand', { GroupId: 'sg-master' }],
      ['DeleteSecurityGroupCommand', { GroupId: 'sg-slave' }],
    ]);
    expect(ec2Mock).not.toHaveReceivedCommand(RevokeSecurityGroupEgressCommand);
  });

  it('revokes egress rules that reference another group in one call', async () => {
    // Prepare
    const group = {
      GroupId: 'sg-master',
      GroupName: 'demo-master',
      IpPermissions: [],
      IpPermissionsEgress: [
        { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-slave' }] },
        { IpProtocol: 'tcp', FromPort: 2181, ToPort: 2181, UserIdGroupPairs: [{ GroupId: 'sg-other' }] },
      ],
    };
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [group] });
    ec2Mock.on(RevokeSecurityGroupEgressCommand).resolves({ Return: true });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['sg-master'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(RevokeSecurityGroupEgressCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(RevokeSecurityGroupEgressCommand, {
      GroupId: 'sg-master',
      IpPermissions: [
        { IpProtocol: '-1', UserIdGroupPairs: [{ GroupId: 'sg-slave' }] },
        { IpProtocol: 'tcp', FromPort: 2181, ToPort: 2181, UserIdGroupPairs: [{ GroupId: 'sg-other' }] },
      ],
    });
    expect(ec2Mock).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
  });

  it('deletes nothing when the cluster has no security group left', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(RevokeSecurityGroupIngressCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSecurityGroupCommand);
  });

  it("leaves the VPC's default group to the VPC", async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-default', GroupName: 'default' }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteSecurityGroupCommand);
  });

  it('treats InvalidPermission.NotFound as already revoked and deletes the group', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [slaveGroup] });
    ec2Mock.on(RevokeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.NotFound'));
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['sg-slave'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSecurityGroupCommand, { GroupId: 'sg-slave' });
  });

  it.each(['InvalidGroup.NotFound', 'InvalidGroupId.NotFound'])('treats %s from DeleteSecurityGroup as already deleted', async (code) => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-slave', GroupName: 'demo-slave' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError(code));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteSecurityGroupCommand, 1);
  });

  it.each(['DependencyViolation', 'InvalidGroup.InUse'])('throws RetryableError on %s, after trying the other groups', async (code) => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-master', GroupName: 'demo-master' },
        { GroupId: 'sg-slave', GroupName: 'demo-slave' },
      ],
    });
    ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-master' }).rejects(awsError(code, 'resource sg-master has a dependent object'));
    ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-slave' }).resolves({});
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: `delete-security-groups: 1 of 2 security groups not deleted yet: sg-master (${code}: resource sg-master has a dependent object)`,
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteSecurityGroupCommand, { GroupId: 'sg-slave' });
  });
});
