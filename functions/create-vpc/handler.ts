import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createVpcStep } from './create-vpc';

/** Lambda entry of Create VPC. */
export const handler = lambdaHandler(createVpcStep, { ec2 });
