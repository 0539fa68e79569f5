import { ec2 } from '../shared/clients/ec2';
import { lambdaHandler } from '../shared/handler';
import { allocateElasticIpStep } from './allocate-elastic-ip';

/** Lambda entry of Allocate Elastic IP. */
export const handler = lambdaHandler(allocateElasticIpStep, { ec2 });
