import { DescribeNatGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { checkNatGatewaysDeletedStep } from '../../../functions/check-nat-gateways-deleted/check-nat-gateways-deleted';
import { invokeStep } from '../../../functions/shared/step';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(checkNatGatewaysDeletedStep, input, { ec2: new EC2Client({}) });

describe('check-nat-gateways-deleted', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('reports a deleting NAT gateway as remaining', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'deleting' }] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ done: false, remaining: 1 });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
      Filter: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'state', Values: ['pending', 'available', 'deleting'] },
      ],
    });
  });

  it('reports done when every NAT gateway is deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ done: true, remaining: 0 });
    expect(ec2Mock).toHaveReceivedCommandTimes(DescribeNatGatewaysCommand, 1);
  });

  describe('within a budget', () => {
    afterEach(() => jest.useRealTimers());

    it("counts from the loop's since (when Delete NAT Gateways ran)", async () => {
      // Prepare
      jest.useFakeTimers({ now: Date.parse('2030-01-01T09:00:40Z') });
      ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1', State: 'deleting' }] });
      // Act
      const result = await invokeStep(
        checkNatGatewaysDeletedStep,
        { ...input, budgetSeconds: 900, since: '2030-01-01T09:00:00.000Z' },
        { ec2: new EC2Client({}) }
      );
      // Assess
      expect(result).toMatchObject({ done: false, remaining: 1, elapsedSeconds: 40, waitSeconds: 4, timedOut: false });
    });
  });
});
