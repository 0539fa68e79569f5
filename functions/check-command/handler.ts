import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkCommandStep } from './check-command';

/** Lambda entry of Check Command. */
export const handler = lambdaHandler(checkCommandStep, { ssm });
