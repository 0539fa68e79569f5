import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkAgentsRegisteredStep } from './check-agents-registered';

/** Lambda entry of Check Agents Registered. */
export const handler = lambdaHandler(checkAgentsRegisteredStep, { ssm, config: stepConfig });
