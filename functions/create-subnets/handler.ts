import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createSubnetsStep } from './create-subnets';

/** Lambda entry of Create Subnets. */
export const handler = lambdaHandler(createSubnetsStep, { ec2 });
