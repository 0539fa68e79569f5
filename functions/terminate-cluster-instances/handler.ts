import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { terminateClusterInstancesStep } from './terminate-cluster-instances';

/** Lambda entry of the `terminate-cluster-instances` teardown step. */
export const handler = lambdaHandler(terminateClusterInstancesStep, { ec2 });
