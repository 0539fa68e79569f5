import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { terminateInstancesStep } from './terminate-instances';

/** Lambda entry of Terminate Instances. */
export const handler = lambdaHandler(terminateInstancesStep, { ec2 });
