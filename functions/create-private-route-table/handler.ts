import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createPrivateRouteTableStep } from './create-private-route-table';

/** Lambda entry of Create Private Route Table. */
export const handler = lambdaHandler(createPrivateRouteTableStep, { ec2 });
