import { DeleteNatGatewayCommand, DescribeNatGatewaysCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteNatGatewaysStep } from '../../../functions/delete-nat-gateways/delete-nat-gateways';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(deleteNatGatewaysStep, input, { ec2: new EC2Client({}) });

describe('delete-nat-gateways', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('starts deleting every NAT gateway of the cluster that is not already deleting', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({
      NatGateways: [
        { NatGatewayId: 'nat-1', State: 'available' },
        { NatGatewayId: 'nat-2', State: 'failed' },
      ],
    });
    ec2Mock.on(DeleteNatGatewayCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ ids: ['nat-1', 'nat-2'], startedAt: expect.any(String) });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, {
      Filter: [
        { Name: 'tag:mesos-cluster:id', Values: ['c-1'] },
        { Name: 'state', Values: ['pending', 'available', 'failed'] },
      ],
    });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteNatGatewayCommand, { NatGatewayId: 'nat-1' });
    expect(ec2Mock).toHaveReceivedCommandWith(DeleteNatGatewayCommand, { NatGatewayId: 'nat-2' });
  });

  it('deletes nothing on a re-run when the NAT gateways are already deleting', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ ids: [], startedAt: expect.any(String) });
    expect(ec2Mock).not.toHaveReceivedCommand(DeleteNatGatewayCommand);
  });

  it.each(['NatGatewayNotFound', 'InvalidNatGatewayID.NotFound'])('treats %s as already deleted', async (code) => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1' }, { NatGatewayId: 'nat-2' }] });
    ec2Mock.on(DeleteNatGatewayCommand, { NatGatewayId: 'nat-1' }).rejects(awsError(code));
    ec2Mock.on(DeleteNatGatewayCommand, { NatGatewayId: 'nat-2' }).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ ids: ['nat-2'], startedAt: expect.any(String) });
    expect(ec2Mock).toHaveReceivedCommandTimes(DeleteNatGatewayCommand, 2);
  });

  it('throws FatalError when the delete is not authorized', async () => {
    // Prepare
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [{ NatGatewayId: 'nat-1' }] });
    ec2Mock.on(DeleteNatGatewayCommand).rejects(awsError('UnauthorizedOperation'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'FatalError',
      message: expect.stringMatching(/^delete-nat-gateways: UnauthorizedOperation/),
    });
  });
});
