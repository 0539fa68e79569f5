import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createNatGatewayStep } from './create-nat-gateway';

/** Lambda entry of Create NAT Gateway. */
export const handler = lambdaHandler(createNatGatewayStep, { ec2 });
