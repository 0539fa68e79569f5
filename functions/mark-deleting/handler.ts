import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { markDeletingStep } from './mark-deleting';

/** Lambda entry of Mark Deleting. */
export const handler = lambdaHandler(markDeletingStep, { ec2 });
