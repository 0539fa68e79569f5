import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { deleteImagesStep } from './delete-images';

/** Lambda entry of the `delete-images` teardown step. */
export const handler = lambdaHandler(deleteImagesStep, { ec2, ssm });
