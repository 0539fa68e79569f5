import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteInternetGatewaysStep } from './delete-internet-gateways';

/** Lambda entry of the `delete-internet-gateways` teardown step. */
export const handler = lambdaHandler(deleteInternetGatewaysStep, { ec2 });
