import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { checkInstancesTerminatedStep } from './check-instances-terminated';

/** Lambda entry of the `check-instances-terminated` teardown step. */
export const handler = lambdaHandler(checkInstancesTerminatedStep, { ec2 });
