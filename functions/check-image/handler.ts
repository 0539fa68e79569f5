import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkImageStep } from './check-image';

/** Lambda entry of Check Image. */
export const handler = lambdaHandler(checkImageStep, { ec2, ssm });
