import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { deleteRouteTablesStep } from './delete-route-tables';

/** Lambda entry of the `delete-route-tables` teardown step. */
export const handler = lambdaHandler(deleteRouteTablesStep, { ec2 });
