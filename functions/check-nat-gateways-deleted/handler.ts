import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { checkNatGatewaysDeletedStep } from './check-nat-gateways-deleted';

/** Lambda entry of the `check-nat-gateways-deleted` teardown step. */
export const handler = lambdaHandler(checkNatGatewaysDeletedStep, { ec2 });
