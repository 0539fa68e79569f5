import { EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { invokeStep } from '../../../functions/shared/step';
import { terminateInstancesStep } from '../../../functions/terminate-instances/terminate-instances';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const clients = { ec2: new EC2Client({}), ssm: new SSMClient({}) };
const cluster = { clusterId: 'c-1234', clusterName: 'demo' };

describe('terminate-instances', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('terminates the given instances', async () => {
    // Prepare
    ec2Mock
      .on(TerminateInstancesCommand)
      .resolves({ TerminatingInstances: [{ InstanceId: 'i-tpl', CurrentState: { Name: 'shutting-down' } }] });
    // Act
    const result = await invokeStep(terminateInstancesStep, { ...cluster, instanceIds: ['i-tpl'] }, clients);
    // Assess
    expect(result).toEqual({ terminating: 1 });
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: ['i-tpl'] });
  });

  it('calls nothing when there are no instances', async () => {
    // Act
    const result = await invokeStep(terminateInstancesStep, { ...cluster, instanceIds: [] }, clients);
    // Assess
    expect(result).toEqual({ terminating: 0 });
    expect(ec2Mock).not.toHaveReceivedCommand(TerminateInstancesCommand);
  });

  it('succeeds when the instance is already gone (InvalidInstanceID.NotFound)', async () => {
    // Prepare
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound', "The instance ID 'i-tpl' does not exist"));
    // Act
    const result = await invokeStep(terminateInstancesStep, { ...cluster, instanceIds: ['i-tpl'] }, clients);
    // Assess
    expect(result).toEqual({ terminating: 0 });
    expect(ec2Mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 1);
  });

  it('terminates the others one by one when one of several instances is gone', async () => {
    // Prepare
    ec2Mock
      .on(TerminateInstancesCommand)
      .rejects(awsError('InvalidInstanceID.NotFound'))
      .on(TerminateInstancesCommand, { InstanceIds: ['i-2'] })
      .resolves({ TerminatingInstances: [{ InstanceId: 'i-2' }] });
    // Act
    const result = await invokeStep(terminateInstancesStep, { ...cluster, instanceIds: ['i-1', 'i-2'] }, clients);
    // Assess
    expect(result).toEqual({ terminating: 1 });
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: ['i-1'] });
    expect(ec2Mock).toHaveReceivedCommandWith(TerminateInstancesCommand, { InstanceIds: ['i-2'] });
    expect(ec2Mock).toHaveReceivedCommandTimes(TerminateInstancesCommand, 3);
  });

  it('throws FatalError when termination is not allowed', async () => {
    // Prepare
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('UnauthorizedOperation', 'not authorized'));
    // Act
    const run = invokeStep(terminateInstancesStep, { ...cluster, instanceIds: ['i-tpl'] }, clients);
    // Assess
    await expect(run).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('UnauthorizedOperation') });
  });
});
