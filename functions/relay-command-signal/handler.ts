import { stepConfig as config } from '../shared/clients/config';
import { dynamodb } from '../shared/clients/dynamodb';
import { sfn } from '../shared/clients/sfn';
import { lambdaHandler } from '../shared/handler';
import { relayCommandSignalStep } from './relay-command-signal';

/** Lambda entry of Relay Command Signal (the target of the command status rule). */
export const handler = lambdaHandler(relayCommandSignalStep, { dynamodb, sfn, config });
