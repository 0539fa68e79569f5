import { type Address, DisassociateAddressCommand, ReleaseAddressCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findAddresses, findNatGateways, isString, unlessGone } from '../shared/discovery';
import { RetryableError } from '../shared/errors';
import { defineStep, type StepClients } from '../shared/step';
import { TAG_ROLE, tagValue } from '../shared/tags';

/**
 * Release Addresses: releases the cluster's Elastic IPs. An address held by a NAT gateway
 * is not disassociated here (deleting the NAT does that); while the NAT is still deleting,
 * ReleaseAddress answers InvalidIPAddress.InUse or a misleading AuthFailure, and just after
 * it InvalidNetworkInterfaceID.NotFound: all three are retried.
 */
export const releaseAddressesStep = defineStep(
  'release-addresses',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const addresses = (await findAddresses(ec2, clusterId)).filter((a) => a.AllocationId);
    if (addresses.length === 0) return { deleted: [] };

    const nats = await findNatGateways(ec2, clusterId);
    const natAllocations = new Set(nats.flatMap((n) => (n.NatGatewayAddresses ?? []).map((a) => a.AllocationId)).filter(isString));
    const natDeleting = nats.some((n) => n.State === 'pending' || n.State === 'available' || n.State === 'deleting');
    const byId = new Map(addresses.map((a) => [a.AllocationId as string, a]));
    const isNatHeld = (a: Address) => natAllocations.has(a.AllocationId as string) || tagValue(a.Tags, TAG_ROLE) === 'nat-eip';

    const deleted = await deleteEach(
      [...byId.keys()],
      async (AllocationId) => {
        const address = byId.get(AllocationId) as Address;
        const natHeld = isNatHeld(address);
        if (address.AssociationId && !natHeld) {
          await unlessGone(
            ec2.send(new DisassociateAddressCommand({ AssociationId: address.AssociationId })),
            'InvalidAssociationID.NotFound'
          );
        }
        try {
          await ec2.send(new ReleaseAddressCommand({ AllocationId }));
        } catch (err) {
          if (hasCode(err, 'AuthFailure') && (natHeld || natDeleting)) {
            throw new RetryableError(`AuthFailure while the NAT gateway lets go of the address: ${(err as Error).message}`, { cause: err });
          }
          throw err;
        }
      },
      {
        what: 'Elastic IPs',
        goneCodes: ['InvalidAllocationID.NotFound'],
        retryCodes: ['InvalidIPAddress.InUse', 'InvalidNetworkInterfaceID.NotFound'],
      }
    );
    return { deleted };
  }
);
