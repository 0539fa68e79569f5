import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { checkNatGatewayStep } from './check-nat-gateway';

/** Lambda entry of Check NAT Gateway. */
export const handler = lambdaHandler(checkNatGatewayStep, { ec2 });
