import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { drainSlavesStep } from './drain-slaves';

/** Lambda entry of Drain Slaves. */
export const handler = lambdaHandler(drainSlavesStep, { ssm, config: stepConfig });
