import { stepConfig } from '../shared/clients/config';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { marathonSmokeTestStep } from './marathon-smoke-test';

/** Lambda entry of the Marathon smoke test (Deploy, Check and Check Removal of the smoke test app). */
export const handler = lambdaHandler(marathonSmokeTestStep, { ssm, config: stepConfig });
