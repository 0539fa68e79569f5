import { ec2 } from '../shared/clients/ec2';
import { quotas } from '../shared/clients/service-quotas';
import { ssm } from '../shared/clients/ssm';
import { lambdaHandler } from '../shared/handler';
import { validateSpecStep } from './validate-spec';

/** Lambda entry of Validate Cluster Spec. */
export const handler = lambdaHandler(validateSpecStep, { ec2, ssm, quotas });
