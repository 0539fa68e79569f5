import { ec2 } from '../../shared/clients/ec2';
import { apiConfigFromEnv } from '../shared/config';
import { apiHandler } from '../shared/handler';
import { sfn } from '../shared/sfn-client';
import { createCluster } from './create-cluster';

const config = apiConfigFromEnv();

/** Lambda entry of POST /clusters. */
export const handler = apiHandler('create-cluster', (request) => createCluster(request, { ec2, sfn, config }));
