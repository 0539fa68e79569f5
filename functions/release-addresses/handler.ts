import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { releaseAddressesStep } from './release-addresses';

/** Lambda entry of the `release-addresses` teardown step. */
export const handler = lambdaHandler(releaseAddressesStep, { ec2 });
