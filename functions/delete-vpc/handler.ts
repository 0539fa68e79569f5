import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteVpcStep } from './delete-vpc';

/** Lambda entry of the `delete-vpc` teardown step. */
export const handler = lambdaHandler(deleteVpcStep, { ec2 });
