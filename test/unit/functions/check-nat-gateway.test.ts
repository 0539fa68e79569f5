import { DescribeNatGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkNatGatewayStep } from '../../../functions/check-nat-gateway/check-nat-gateway';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', natGatewayId: 'nat-1' };
const run = () => invokeStep(checkNatGatewayStep, input, { ec2: new EC2Client({}) });

describe('check-nat-gateway', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it.each(['pending', 'available'] as const)('returns %s for a %s NAT gateway', async (state) => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: state }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ state });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { NatGatewayIds: ['nat-1'] });
  });

  it('throws FatalError with the failure code when the NAT gateway failed', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        {
          NatGatewayId: 'nat-1',
          State: 'failed',
          FailureCode: 'Gateway.NotAttached',
          FailureMessage: 'Network vpc-1 has no Internet gateway attached',
        },
      ],
    });
    // Act / Assess
    await expect(run()).rejects.toMatchObject({
      name: 'FatalError',
      message: 'check-nat-gateway: NAT gateway nat-1 failed: Gateway.NotAttached: Network vpc-1 has no Internet gateway attached',
    });
  });

  it.each(['deleting', 'deleted'] as const)('throws FatalError when the NAT gateway is %s', async (state) => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: state }] });
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'FatalError', message: expect.stringContaining(`nat-1 is ${state}`) });
  });

  it('returns pending when the new NAT gateway is not visible yet', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).rejects(awsError('NatGatewayNotFound', 'The Nat Gateway nat-1 was not found'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ state: 'pending' });
  });

  it('returns pending when the NAT gateway is not listed yet', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ state: 'pending' });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });
});
