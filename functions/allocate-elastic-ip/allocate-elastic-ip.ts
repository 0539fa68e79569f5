import { type Address, AllocateAddressCommand, DescribeAddressesCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { AllocateElasticIpInput, AllocateElasticIpOutput, ElasticIpAllocation } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { natZones } from '../shared/network';
import { QUOTA, quotaUsedUp } from '../shared/quotas';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, TAG_ZONE, tagSpec, tagValue, zoneTag } from '../shared/tags';

/**
 * Allocate Elastic IP(s): the public address of each NAT gateway: one for the first zone
 * (`natGateways: single`) or one per zone (`perAz`), each tagged with its zone. An address
 * is found by tag and zone, or allocated tagged; AllocateAddress takes no ClientToken,
 * hence the lookup first.
 */
export const allocateElasticIpStep = defineStep(
  'allocate-elastic-ip',
  async (input: AllocateElasticIpInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<AllocateElasticIpOutput> => {
    const { Addresses = [] } = await ec2.send(new DescribeAddressesCommand({ Filters: clusterFilters(input.clusterId, 'nat-eip') }));
    const usable = Addresses.filter((a) => a.AllocationId && a.PublicIp);
    const zones = natZones(input.availabilityZones ?? [], input.natGateways);
    const allocations: ElasticIpAllocation[] = [];
    if (zones.length === 0) {
      // No zones given: the cluster's one address, whatever its zone.
      const address = usable[0] ?? (await allocate(ec2, input, undefined));
      allocations.push(allocationOf(address, tagValue(address.Tags, TAG_ZONE) ?? ''));
    }
    for (const zone of zones) {
      const address = usable.find((a) => tagValue(a.Tags, TAG_ZONE) === zone) ?? (await allocate(ec2, input, zone));
      allocations.push(allocationOf(address, zone));
    }
    const [first] = allocations;
    if (!first) throw new FatalError('no Elastic IP allocated');
    return { allocationId: first.allocationId, publicIp: first.publicIp, allocations };
  }
);

function allocationOf(address: Address, availabilityZone: string): ElasticIpAllocation {
  if (!address.AllocationId || !address.PublicIp) throw new FatalError('AllocateAddress returned no allocation id');
  return { availabilityZone, allocationId: address.AllocationId, publicIp: address.PublicIp };
}

async function allocate(ec2: EC2Client, input: AllocateElasticIpInput, zone: string | undefined): Promise<Address> {
  try {
    const { AllocationId, PublicIp } = await ec2.send(
      new AllocateAddressCommand({
        Domain: 'vpc',
        TagSpecifications: [tagSpec('elastic-ip', input, 'nat-eip', zone ? [zoneTag(zone)] : [])],
      })
    );
    if (!AllocationId || !PublicIp) throw new FatalError('AllocateAddress returned no allocation id');
    return { AllocationId, PublicIp };
  } catch (err) {
    if (hasCode(err, 'AddressLimitExceeded')) {
      throw new FatalError(quotaUsedUp('AddressLimitExceeded', QUOTA.elasticIps, 'release unused addresses or raise the quota'), {
        cause: err,
      });
    }
    throw err;
  }
}
