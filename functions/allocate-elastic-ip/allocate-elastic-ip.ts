import { AllocateAddressCommand, DescribeAddressesCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { AllocateElasticIpInput, AllocateElasticIpOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, tagSpec } from '../shared/tags';

/**
 * Allocate Elastic IP: the NAT gateway's public address, found by tag or allocated
 * tagged. AllocateAddress takes no ClientToken, hence the lookup first.
 */
export const allocateElasticIpStep = defineStep(
  'allocate-elastic-ip',
  async (input: AllocateElasticIpInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<AllocateElasticIpOutput> => {
    const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ Filters: clusterFilters(input.clusterId, 'nat-eip') }));
    const existing = Addresses.find((a) => a.AllocationId && a.PublicIp);
    if (existing?.AllocationId && existing.PublicIp) {
      return { allocationId: existing.AllocationId, publicIp: existing.PublicIp };
    }
    try {
      const { AllocationId, PublicIp } = await ec2.send(
        new AllocateAddressCommand({ Domain: 'vpc', TagSpecifications: [tagSpec('elastic-ip', input, 'nat-eip')] })
      );
      if (!AllocationId || !PublicIp) throw new FatalError('AllocateAddress returned no allocation id');
      return { allocationId: AllocationId, publicIp: PublicIp };
    } catch (err) {
      if (hasCode(err, 'AddressLimitExceeded')) {
        throw new FatalError(
          'AddressLimitExceeded: the Elastic IP quota of this Region is used up; release unused addresses or raise the quota',
          { cause: err }
        );
      }
      throw err;
    }
  }
);
