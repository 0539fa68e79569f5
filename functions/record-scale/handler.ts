import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { recordScaleStep } from './record-scale';

/** Lambda entry of Record Scale. */
export const handler = lambdaHandler(recordScaleStep, { ec2 });
