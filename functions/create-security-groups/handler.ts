import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createSecurityGroupsStep } from './create-security-groups';

/** Lambda entry of Create Security Groups. */
export const handler = lambdaHandler(createSecurityGroupsStep, { ec2 });
