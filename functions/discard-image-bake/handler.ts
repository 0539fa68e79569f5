import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { discardImageBakeStep } from './discard-image-bake';

/** Lambda entry of the `discard-image-bake` scale step. */
export const handler = lambdaHandler(discardImageBakeStep, { ec2, ssm });
