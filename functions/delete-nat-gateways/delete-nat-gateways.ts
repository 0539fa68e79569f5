import { DeleteNatGatewayCommand } from '@aws-sdk/client-ec2';
import type { TeardownInput, TeardownStartOutput } from '../shared/contracts';
import { deleteEach, findNatGateways, isString } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete NAT Gateways: starts the deletion of every NAT gateway of the cluster that is not
 * already deleting. Check NAT Gateways Deleted then waits for `deleted`, after which the
 * NAT's Elastic IP is disassociated and can be released.
 */
export const deleteNatGatewaysStep = defineStep(
  'delete-nat-gateways',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownStartOutput> => {
    const startedAt = new Date().toISOString();
    const nats = await findNatGateways(ec2, clusterId, ['pending', 'available', 'failed']);
    const ids = await deleteEach(
      nats.map((n) => n.NatGatewayId).filter(isString),
      (NatGatewayId) => ec2.send(new DeleteNatGatewayCommand({ NatGatewayId })),
      { what: 'NAT gateways', goneCodes: ['NatGatewayNotFound', 'InvalidNatGatewayID.NotFound'], retryCodes: [] }
    );
    return { ids, startedAt };
  }
);
