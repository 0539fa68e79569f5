import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { configureTemplateSlaveStep } from './configure-template-slave';

/** Lambda entry of Configure Template Slave. */
export const handler = lambdaHandler(configureTemplateSlaveStep, { ssm, config: stepConfig });
