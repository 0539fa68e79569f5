import { stepConfig as config } from '../shared/clients/config';
import { dynamodb } from '../shared/clients/dynamodb';
import { sfn } from '../shared/clients/sfn';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { awaitCommandSignalStep } from './await-command-signal';

/** Lambda entry of Await Command Signal (a `.waitForTaskToken` task). */
export const handler = lambdaHandler(awaitCommandSignalStep, { ssm, dynamodb, sfn, config });
