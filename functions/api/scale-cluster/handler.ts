import { ec2 } from '../../shared/clients/ec2';
import { apiConfigFromEnv } from '../shared/config';
import { apiHandler } from '../shared/handler';
import { sfn } from '../shared/sfn-client';
import { scaleCluster } from './scale-cluster';

const config = apiConfigFromEnv();

/** Lambda entry of POST /clusters/{id}/scale. */
export const handler = apiHandler('scale-cluster', (request) => scaleCluster(request, { ec2, sfn, config }));
