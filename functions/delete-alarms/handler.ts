import { cloudwatch } from '../shared/clients/cloudwatch';
import { lambdaHandler } from '../shared/handler';
import { deleteAlarmsStep } from './delete-alarms';

/** Lambda entry of the `delete-alarms` teardown step. */
export const handler = lambdaHandler(deleteAlarmsStep, { cloudwatch });
