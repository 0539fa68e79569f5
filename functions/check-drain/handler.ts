import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkDrainStep } from './check-drain';

/** Lambda entry of Check Drain. */
export const handler = lambdaHandler(checkDrainStep, { ssm });
