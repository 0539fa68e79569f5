import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { markReadyStep } from './mark-ready';

/** Lambda entry of Mark Cluster Ready. */
export const handler = lambdaHandler(markReadyStep, { ec2 });
