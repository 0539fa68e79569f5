import { cloudwatch } from '../shared/clients/cloudwatch';
import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { planScaleStep } from './plan-scale';

/** Lambda entry of Plan Scale. */
export const handler = lambdaHandler(planScaleStep, { cloudwatch, ec2 });
