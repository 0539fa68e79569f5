import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteNatGatewaysStep } from './delete-nat-gateways';

/** Lambda entry of the `delete-nat-gateways` teardown step. */
export const handler = lambdaHandler(deleteNatGatewaysStep, { ec2 });
