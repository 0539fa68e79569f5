import {
  DescribeAddressesCommand,
  DescribeNatGatewaysCommand,
  DisassociateAddressCommand,
  EC2Client,
  ReleaseAddressCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { releaseAddressesStep } from '../../../functions/release-addresses/release-addresses';
import { invokeStep } from '../../../functions/shared/step';
import { awsError } from './aws-error';

const ec2Mock = mockClient(EC2Client);
const input = { clusterId: 'c-1', clusterName: 'demo', executionId: 'exec-1' };
const run = () => invokeStep(releaseAddressesStep, input, { ec2: new EC2Client({}) });
const TAG_FILTER = { Name: 'tag:mesos-cluster:id', Values: ['c-1'] };
const natAddress = { AllocationId: 'eipalloc-nat', AssociationId: 'eipassoc-nat', NetworkInterfaceId: 'eni-nat' };
const instanceAddress = { AllocationId: 'eipalloc-master', AssociationId: 'eipassoc-master', InstanceId: 'i-master' };
const natGateway = (State: 'deleting' | 'deleted') => ({
  NatGatewayId: 'nat-1',
  State,
  NatGatewayAddresses: [{ AllocationId: 'eipalloc-nat' }],
});

describe('release-addresses', () => {
  beforeEach(() => {
    ec2Mock.reset();
  });

  it('disassociates an instance address but leaves the NAT address to the NAT, then releases both', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [natAddress, instanceAddress] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [natGateway('deleted')] });
    ec2Mock.on(DisassociateAddressCommand).resolves({});
    ec2Mock.on(ReleaseAddressCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['eipalloc-nat', 'eipalloc-master'] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeAddressesCommand, { Filters: [TAG_FILTER] });
    expect(ec2Mock).toHaveReceivedCommandWith(DescribeNatGatewaysCommand, { Filter: [TAG_FILTER] });
    expect(ec2Mock).toHaveReceivedCommandTimes(DisassociateAddressCommand, 1);
    expect(ec2Mock).toHaveReceivedCommandWith(DisassociateAddressCommand, { AssociationId: 'eipassoc-master' });
    expect(ec2Mock).toHaveReceivedCommandWith(ReleaseAddressCommand, { AllocationId: 'eipalloc-nat' });
    expect(ec2Mock).toHaveReceivedCommandWith(ReleaseAddressCommand, { AllocationId: 'eipalloc-master' });
  });

  it('does not disassociate an address tagged as the NAT address even when its NAT is no longer listed', async () => {
    // Prepare
    const tagged = { ...natAddress, Tags: [{ Key: 'mesos-cluster:role', Value: 'nat-eip' }] };
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [tagged] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(ReleaseAddressCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['eipalloc-nat'] });
    expect(ec2Mock).not.toHaveReceivedCommand(DisassociateAddressCommand);
  });

  it('releases nothing when the cluster has no address left', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [] });
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).not.toHaveReceivedCommand(DescribeNatGatewaysCommand);
    expect(ec2Mock).not.toHaveReceivedCommand(ReleaseAddressCommand);
  });

  it('treats InvalidAllocationID.NotFound as already released', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-1' }] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(ReleaseAddressCommand).rejects(awsError('InvalidAllocationID.NotFound'));
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: [] });
    expect(ec2Mock).toHaveReceivedCommandWith(ReleaseAddressCommand, { AllocationId: 'eipalloc-1' });
  });

  it('treats InvalidAssociationID.NotFound as already disassociated and releases the address', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [instanceAddress] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(DisassociateAddressCommand).rejects(awsError('InvalidAssociationID.NotFound'));
    ec2Mock.on(ReleaseAddressCommand).resolves({});
    // Act
    const result = await run();
    // Assess
    expect(result).toEqual({ deleted: ['eipalloc-master'] });
    expect(ec2Mock).toHaveReceivedCommandWith(ReleaseAddressCommand, { AllocationId: 'eipalloc-master' });
  });

  it.each([
    ['InvalidIPAddress.InUse', 'deleting'],
    ['AuthFailure', 'deleting'],
    ['InvalidNetworkInterfaceID.NotFound', 'deleted'],
  ] as const)('throws RetryableError on %s while the NAT gateway is %s', async (code, state) => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [natAddress] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [natGateway(state)] });
    ec2Mock.on(ReleaseAddressCommand).rejects(awsError(code, 'rejected'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({
      name: 'RetryableError',
      message: expect.stringMatching(new RegExp(`^release-addresses: 1 of 1 Elastic IPs not deleted yet: eipalloc-nat \\(.*${code}`)),
    });
    expect(ec2Mock).not.toHaveReceivedCommand(DisassociateAddressCommand);
  });

  it('throws FatalError on AuthFailure when no NAT gateway holds the address', async () => {
    // Prepare
    ec2Mock.on(DescribeAddressesCommand).resolves({ Addresses: [{ AllocationId: 'eipalloc-1' }] });
    ec2Mock.on(DescribeNatGatewaysCommand).resolves({ NatGateways: [] });
    ec2Mock.on(ReleaseAddressCommand).rejects(awsError('AuthFailure', 'You do not have permission to access the specified resource.'));
    // Act
    const act = run();
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'FatalError', message: expect.stringMatching(/^release-addresses: AuthFailure/) });
  });
});
