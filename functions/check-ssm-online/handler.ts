import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { checkSsmOnlineStep } from './check-ssm-online';

/** Lambda entry of Check SSM Online. */
export const handler = lambdaHandler(checkSsmOnlineStep, { ec2, ssm });
