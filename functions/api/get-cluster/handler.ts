import { ec2 } from '../../shared/clients/ec2';
import { apiConfigFromEnv } from '../shared/config';
import { apiHandler } from '../shared/handler';
import { sfn } from '../shared/sfn-client';
import { getCluster, getExecutionEvents } from './get-cluster';

const config = apiConfigFromEnv();

/** Lambda entry of GET /clusters/{id} and GET /clusters/{id}/executions/{execution}/events. */
export const handler = apiHandler('get-cluster', (request) =>
  request.pathParameters.execution !== undefined
    ? getExecutionEvents(request, { ec2, sfn, config })
    : getCluster(request, { ec2, sfn, config })
);
