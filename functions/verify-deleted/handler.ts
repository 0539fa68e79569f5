import { cloudwatch } from '../shared/clients/cloudwatch';
import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { verifyDeletedStep } from './verify-deleted';

/** Lambda entry of the `verify-deleted` teardown step. */
export const handler = lambdaHandler(verifyDeletedStep, { ec2, cloudwatch, ssm });
