import { ec2 } from '../shared/clients/ec2';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { pickSlavesToRemoveStep } from './pick-slaves-to-remove';

/** Lambda entry of Pick Slaves To Remove. */
export const handler = lambdaHandler(pickSlavesToRemoveStep, { ec2, ssm });
