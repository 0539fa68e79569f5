import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createInternetGatewayStep } from './create-internet-gateway';

/** Lambda entry of Create Internet Gateway. */
export const handler = lambdaHandler(createInternetGatewayStep, { ec2 });
