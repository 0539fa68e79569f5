import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { configureMastersStep } from './configure-masters';

/** Lambda entry of Configure Masters. */
export const handler = lambdaHandler(configureMastersStep, { ssm, config: stepConfig });
