import { ec2 } from '../../shared/clients/ec2';
import { apiConfigFromEnv } from '../shared/config';
import { apiHandler } from '../shared/handler';
import { sfn } from '../shared/sfn-client';
import { listClusters } from './list-clusters';

const config = apiConfigFromEnv();

/** Lambda entry of GET /clusters. */
export const handler = apiHandler('list-clusters', (request) => listClusters(request, { ec2, sfn, config }));
