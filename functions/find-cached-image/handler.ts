import { stepConfig } from '../shared/clients/config';
import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { findCachedImageStep } from './find-cached-image';

/** Lambda entry of Find Cached Image. */
export const handler = lambdaHandler(findCachedImageStep, { ec2, ssm, config: stepConfig });
