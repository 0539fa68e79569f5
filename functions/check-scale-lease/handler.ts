import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { checkScaleLeaseStep } from './check-scale-lease';

/** Lambda entry of Check Scale Lease. */
export const handler = lambdaHandler(checkScaleLeaseStep, { ec2 });
