import { stepConfig } from '../shared/clients/config';
import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { launchInstancesStep } from './launch-instances';

/** Lambda entry of Launch Instances. */
export const handler = lambdaHandler(launchInstancesStep, { ec2, config: stepConfig });
