import { stepConfig } from '../shared/clients/config';
import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { findCachedImageStep } from './find-cached-image';

/** Lambda entry of Find Cached Image. */
export const handler = lambdaHandler(findCachedImageStep, { ec2, config: stepConfig });
