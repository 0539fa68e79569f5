import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { recordFailureStep } from './record-failure';

/** Lambda entry of Record Failure. */
export const handler = lambdaHandler(recordFailureStep, { ec2 });
