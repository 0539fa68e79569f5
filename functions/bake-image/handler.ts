import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { bakeImageStep } from './bake-image';

/** Lambda entry of Bake Image. */
export const handler = lambdaHandler(bakeImageStep, { ec2 });
