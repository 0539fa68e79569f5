import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteSubnetsStep } from './delete-subnets';

/** Lambda entry of the `delete-subnets` teardown step. */
export const handler = lambdaHandler(deleteSubnetsStep, { ec2 });
