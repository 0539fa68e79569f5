import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteSecurityGroupsStep } from './delete-security-groups';

/** Lambda entry of the `delete-security-groups` teardown step. */
export const handler = lambdaHandler(deleteSecurityGroupsStep, { ec2 });
