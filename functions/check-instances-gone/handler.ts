import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { checkInstancesGoneStep } from './check-instances-gone';

/** Lambda entry of Check Instances Gone. */
export const handler = lambdaHandler(checkInstancesGoneStep, { ec2 });
