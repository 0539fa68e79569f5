import { cloudwatch } from '../shared/clients/cloudwatch';
import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { createScalingAlarmsStep } from './create-scaling-alarms';

/** Lambda entry of Create Scaling Alarms. */
export const handler = lambdaHandler(createScalingAlarmsStep, { cloudwatch, ec2 });
