import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createPublicRouteTableStep } from './create-public-route-table';

/** Lambda entry of Create Public Route Table. */
export const handler = lambdaHandler(createPublicRouteTableStep, { ec2 });
