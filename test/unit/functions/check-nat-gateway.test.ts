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

  it('checks every NAT gateway with one call: pending until all are available', async () => {
    // Prepare
    const ids = ['nat-a', 'nat-b', 'nat-c'];
    ec2Mock
      .on(DescribeNatGatewaysCommand)
      .resolvesOnce({
        NatGateways: [
          { NatGatewayId: 'nat-a', State: 'available' },
          { NatGatewayId: 'nat-b', State: 'pending' },
        ],
      })
      .resolvesOnce({ NatGateways: ids.map((NatGatewayId) => ({ NatGatewayId, State: 'available' as const })) });
    const check = () =>
      invokeStep(checkNatGatewayStep, { clusterId: 'c-1', clusterName: 'demo', natGatewayIds: ids }, { ec2: new EC2Client({}) });
    // Act
    const first = await check();
    const second = await check();
    // Assess
    expect(first).toEqual({ state: 'pending' });
    expect(second).toEqual({ state: 'available' });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNatGatewaysCommand, 2);
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { NatGatewayIds: ids });
  });

  it('throws FatalError naming the one NAT gateway of several that failed', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-a', State: 'available' },
        { NatGatewayId: 'nat-b', State: 'failed', FailureCode: 'InsufficientFreeAddressesInSubnet', FailureMessage: 'no free address' },
      ],
    });
    // Act / Assess
    await expect(
      invokeStep(
        checkNatGatewayStep,
        { clusterId: 'c-1', clusterName: 'demo', natGatewayIds: ['nat-a', 'nat-b'] },
        { ec2: new EC2Client({}) }
      )
    ).rejects.toMatchObject({
      name: 'FatalError',
      message: 'check-nat-gateway: NAT gateway nat-b failed: InsufficientFreeAddressesInSubnet: no free address',
    });
  });

  it('throws RetryableError when EC2 throttles', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).rejects(awsError('RequestLimitExceeded'));
    // Act / Assess
    await expect(run()).rejects.toMatchObject({ name: 'RetryableError' });
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it('counts from the earliest CreateTime', async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:00:50Z') });
      ec2Mock.on(DescribeNatGatewaysCommand).resolves({
        NatGateways: [{ NatGatewayId: 'nat-1', State: 'pending', CreateTime: new Date('2030-01-01T09:00:00Z') }],
      });
      // Act
      const result = await invokeStep(checkNatGatewayStep, { ...input, budgetSeconds: 900 }, { ec2: new EC2Client({}) });
      // Assess
      expect(result).toMatchObject({ state: 'pending', elapsedSeconds: 50, waitSeconds: 5, timedOut: false });
    });
  });
});
