import {
  AttachInternetGatewayCommand,
  type AttachmentStatus,
  CreateInternetGatewayCommand,
  DescribeInternetGatewaysCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { createInternetGatewayStep } from '../../../functions/create-internet-gateway/create-internet-gateway';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', vpcId: 'vpc-1' };
const run = () => invokeStep(createInternetGatewayStep, input, { ec2: new EC2Client({}) });

describe('create-internet-gateway', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('creates the gateway tagged and attaches it to the VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
    ec2Mock.on(CreateInternetGatewayCommand).resolves({ InternetGateway: { InternetGatewayId: 'igw-1', Attachments: [] } });
    ec2Mock.on(AttachInternetGatewayCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ internetGatewayId: 'igw-1' });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeInternetGatewaysCommand, {
      Filters: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'tag:mesos-cluster:role', Values: ['internet-gateway'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(CreateInternetGatewayCommand, {
      TagSpecifications: [
        {
          ResourceType: 'internet-gateway',
          Tags: expect.arrayContaining([
            { Key: 'mesos-cluster:id', Value: 'c-1' },
            { Key: 'mesos-cluster:name', Value: 'demo' },
            { Key: 'mesos-cluster:role', Value: 'internet-gateway' },
          ]),
        },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(AttachInternetGatewayCommand, { InternetGatewayId: 'igw-1', VpcId: 'vpc-1' });
  });

  it('returns the attached gateway found by tag on a re-run without creating or attaching', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({
      // EC2 reports an attached internet gateway as `available`, outside the SDK's enum.
      InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [{ VpcId: 'vpc-1', State: 'available' as AttachmentStatus }] }],
    });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ internetGatewayId: 'igw-1' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateInternetGatewayCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(AttachInternetGatewayCommand);
  });

  it('attaches a gateway found by tag that an earlier run left detached', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: 'igw-1', Attachments: [] }] });
    ec2Mock.on(AttachInternetGatewayCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ internetGatewayId: 'igw-1' });
    expect(ec2Mock).not.toHaveReceivedCommand(CreateInternetGatewayCommand);
    expect(ec2Mock).toHaveReceivedCommandWith(AttachInternetGatewayCommand, { InternetGatewayId: 'igw-1', VpcId: 'vpc-1' });
  });

  it('treats Resource.AlreadyAssociated as attached', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [{ InternetGatewayId: 'igw-1' }] });
    ec2Mock
      .on(AttachInternetGatewayCommand)
      .rejects(awsError('Resource.AlreadyAssociated', 'resource igw-1 is already attached to network vpc-1'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ internetGatewayId: 'igw-1' });
    expect(ec2Mock).toHaveReceivedCommandTimes(AttachInternetGatewayCommand, 1);
  });

  it('throws RetryableError when the new gateway is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
    ec2Mock.on(CreateInternetGatewayCommand).resolves({ InternetGateway: { InternetGatewayId: 'igw-1' } });
    ec2Mock.on(AttachInternetGatewayCommand).rejects(awsError('InvalidInternetGatewayID.NotFound'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(/^create-internet-gateway: internet gateway igw-1/),
    });
  });

  it('throws FatalError when the gateway quota is used up', async () => {
    // Prepare
    ec2Mock.on(DescribeInternetGatewaysCommand).resolves({ InternetGateways: [] });
    ec2Mock.on(CreateInternetGatewayCommand).rejects(awsError('InternetGatewayLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining('InternetGatewayLimitExceeded') });
  });
});
