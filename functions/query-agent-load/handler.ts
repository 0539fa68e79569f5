import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { queryAgentLoadStep } from './query-agent-load';

/** Lambda entry of Query Agent Load. */
export const handler = lambdaHandler(queryAgentLoadStep, { ssm, config: stepConfig });
