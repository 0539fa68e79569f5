import { DeleteInternetGatewayCommand, DetachInternetGatewayCommand, type InternetGateway } from '@aws-sdk/client-ec2';
import type { TeardownDeleteOutput, TeardownInput } from '../shared/contracts';
import { deleteEach, findInternetGateways, unlessGone } from '../shared/discovery';
import { defineStep, type StepClients } from '../shared/step';

/**
 * Delete Internet Gateways: detaches and deletes the cluster's internet gateways. The
 * detach fails with DependencyViolation ("mapped public address") while an instance with
 * a public IP is shutting down or a NAT's Elastic IP is still associated: retried.
 */
export const deleteInternetGatewaysStep = defineStep(
  'delete-internet-gateways',
  async ({ clusterId }: TeardownInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<TeardownDeleteOutput> => {
    const gateways = new Map<string, InternetGateway>();
    for (const igw of await findInternetGateways(ec2, clusterId)) {
      if (igw.InternetGatewayId) gateways.set(igw.InternetGatewayId, igw);
    }
    const deleted = await deleteEach(
      [...gateways.keys()],
      async (InternetGatewayId) => {
        for (const attachment of gateways.get(InternetGatewayId)?.Attachments ?? []) {
          if (!attachment.VpcId || attachment.State === 'detached') continue;
          await unlessGone(
            ec2.send(new DetachInternetGatewayCommand({ InternetGatewayId, VpcId: attachment.VpcId })),
            'Gateway.NotAttached'
          );
        }
        await ec2.send(new DeleteInternetGatewayCommand({ InternetGatewayId }));
      },
      { what: 'internet gateways', goneCodes: ['InvalidInternetGatewayID.NotFound'], retryCodes: ['DependencyViolation'] }
    );
    return { deleted };
  }
);
