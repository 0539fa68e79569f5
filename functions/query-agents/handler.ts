import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { queryAgentsStep } from './query-agents';

/** Lambda entry of Query Agents. */
export const handler = lambdaHandler(queryAgentsStep, { ssm, config: stepConfig });
