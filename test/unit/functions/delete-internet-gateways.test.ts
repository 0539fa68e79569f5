import {
  DeleteInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  DetachInternetGatewayCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteInternetGatewaysStep } from '../../../functions/delete-internet-gateways/delete-internet-gateways';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteInternetGatewaysStep, input, { ec2: new EC2Client({}) });
const attached = { InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'attached' as const }] };

describe('delete-internet-gateways', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('detaches the gateway from the VPC and then deletes it', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [attached] });
    ec2Mock.on(DetachInternetGatewayCommand).resolves({});
    ec2Mock.on(DeleteInternetGatewayCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['igw-1'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInternetGatewaysCommand, {
      Filters: [{ Name: 'tag:mesos-cluster:id', Values: ['c-1'] }],
    });
    const calls = ec2Mock.calls().map((c) => [c.args[0].constructor.name, c.args[0].input]);
    expect(calls.slice(1)).toEqual([
      ['DetachInternetGatewayCommand', { InternetGatewayId: 'igw-1', VpcId: 'vpc-1' }],
      ['DeleteInternetGatewayCommand', { InternetGatewayId: 'igw-1' }],
    ]);
  });

  it('deletes nothing when the cluster has no internet gateway left', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DetachInternetGatewayCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteInternetGatewayCommand);
  });

  it('treats Gateway.NotAttached as already detached and deletes the gateway', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [attached] });
    ec2Mock.on(DetachInternetGatewayCommand).rejects(awsError('Gateway.NotAttached'));
    ec2Mock.on(DeleteInternetGatewayCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['igw-1'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteInternetGatewayCommand, { InternetGatewayId: 'igw-1' });
  });

  it('treats InvalidInternetGatewayID.NotFound as already deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [attached] });
    ec2Mock.on(DetachInternetGatewayCommand).rejects(awsError('InvalidInternetGatewayID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteInternetGatewayCommand);
  });

  it('throws RetryableError when the VPC still has mapped public addresses', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [attached] });
    ec2Mock
      .on(DetachInternetGatewayCommand)
      .rejects(
        awsError(
          'DependencyViolation',
          'Network vpc-1 has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.'
        )
      );
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(
        /^delete-internet-gateways: 1 of 1 internet gateways not deleted yet: igw-1 \(DependencyViolation: Network vpc-1 has some mapped public address/
      ),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteInternetGatewayCommand);
  });

  it('throws RetryableError when DeleteInternetGateway reports a dependency', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [] }] });
    ec2Mock.on(DeleteInternetGatewayCommand).rejects(awsError('DependencyViolation', 'has dependencies'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'RetryableError', message: expect.stringContaining('igw-1 (DependencyViolation') });
    expect(ec2Mock).not.toHaveReceivedCommand(DetachInternetGatewayCommand);
  });
});
