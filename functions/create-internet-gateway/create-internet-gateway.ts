import { AttachInternetGatewayCommand, CreateInternetGatewayCommand, DescribeInternetGatewaysCommand } from '@aws-sdk/client-ec2';
import { hasCode } from '../shared/aws-errors';
import type { CreateInternetGatewayInput, CreateInternetGatewayOutput } from '../shared/contracts';
import { FatalError } from '../shared/errors';
import { onNewResource } from '../shared/network';
import { defineStep, type StepClients } from '../shared/step';
import { clusterFilters, tagSpec } from '../shared/tags';

const ATTACHED = ['attached', 'attaching', 'available'];

/**
 * Create Internet Gateway: finds the cluster's gateway by tag or creates it tagged, and
 * attaches it to the VPC. The NAT gateway needs it attached, so this runs first.
 */
export const createInternetGatewayStep = defineStep(
  'create-internet-gateway',
  async (input: CreateInternetGatewayInput, { ec2 }: Pick<StepClients, 'ec2'>): Promise<CreateInternetGatewayOutput> => {
    const { InternetGateways = [] } = await ec2.send(
      new DescribeInternetGatewaysCommand({ Filters: clusterFilters(input.clusterId, 'internet-gateway') })
    );
    let gateway = InternetGateways[0];
    if (!gateway) {
      ({ InternetGateway: gateway } = await ec2.send(
        new CreateInternetGatewayCommand({ TagSpecifications: [tagSpec('internet-gateway', input, 'internet-gateway')] })
      ));
    }
    const internetGatewayId = gateway?.InternetGatewayId;
    if (!internetGatewayId) throw new FatalError('CreateInternetGateway returned no gateway id');

    // EC2 reports an internet gateway's attachment as `available` once attached.
    const attached = (gateway?.Attachments ?? []).some((a) => a.VpcId === input.vpcId && ATTACHED.includes(String(a.State)));
    if (!attached) {
      try {
        await onNewResource(`internet gateway ${internetGatewayId}`, () =>
          ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: input.vpcId }))
        );
      } catch (err) {
        // The cluster's gateway is only ever attached to the cluster's VPC.
        if (!hasCode(err, 'Resource.AlreadyAssociated')) throw err;
      }
    }
    return { internetGatewayId };
  }
);
