import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkImageBakeStep } from './check-image-bake';

/** Lambda entry of Check Image Bake. */
export const handler = lambdaHandler(checkImageBakeStep, { ec2, ssm });
