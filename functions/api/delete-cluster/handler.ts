import { ec2 } from '../../shared/clients/ec2';
import { apiConfigFromEnv } from '../shared/config';
import { apiHandler } from '../shared/handler';
import { sfn } from '../shared/sfn-client';
import { deleteCluster } from './delete-cluster';

const config = apiConfigFromEnv();

/** Lambda entry of DELETE /clusters/{id}. */
export const handler = apiHandler('delete-cluster', (request) => deleteCluster(request, { ec2, sfn, config }));
