/**
 * The routes of the cluster API: the one table that the API construct builds from and the
 * OpenAPI document describes (test/infra/openapi.test.ts holds them to each other).
 */
import type { ApiFunctionId } from './constructs/api-function';

/** One method of the API. */
export interface ApiRoute {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: string;
  readonly functionId: ApiFunctionId;
  readonly summary: string;
  /** The request body's component name. */
  readonly body?: 'ClusterSpec' | 'ScaleRequest';
  /** Optional query string parameters. */
  readonly query?: readonly { readonly name: string; readonly description: string; readonly schema: object }[];
  /** Status code → response component ('Error' for the error body). */
  readonly responses: Readonly<Record<string, string>>;
  /** Exists only once the stack has a scale machine. */
  readonly needsScaleMachine?: boolean;
}

const ERRORS = { '400': 'Error', '403': 'Error', '429': 'Error', '500': 'Error', '503': 'Error' } as const;

export const API_ROUTES: readonly ApiRoute[] = [
  {
    method: 'POST',
    path: '/clusters',
    functionId: 'create-cluster',
    summary: 'Create a cluster: starts the create machine (execution create-<clusterId>)',
    body: 'ClusterSpec',
    responses: { '202': 'CreateAccepted', ...ERRORS, '409': 'Error' },
  },
  {
    method: 'GET',
    path: '/clusters',
    functionId: 'list-clusters',
    summary: 'List the clusters (deleted ones with all=true)',
    query: [{ name: 'all', description: 'include deleted clusters', schema: { type: 'string', enum: ['true', 'false'] } }],
    responses: { '200': 'ClusterList', ...ERRORS },
  },
  {
    method: 'GET',
    path: '/clusters/{id}',
    functionId: 'get-cluster',
    summary: "A cluster's status, failure, masters' URLs, slave count and executions",
    responses: { '200': 'Cluster', ...ERRORS, '404': 'Error' },
  },
  {
    method: 'DELETE',
    path: '/clusters/{id}',
    functionId: 'delete-cluster',
    summary: 'Delete a cluster: stops a running create, starts the teardown machine (delete-<clusterId>)',
    responses: { '202': 'DeleteAccepted', ...ERRORS, '404': 'Error', '409': 'Error' },
  },
  {
    method: 'GET',
    path: '/clusters/{id}/executions/{execution}/events',
    functionId: 'get-cluster',
    summary: "The progress of one of the cluster's executions: state events after event `after`",
    query: [{ name: 'after', description: 'return the events after this event id', schema: { type: 'string', pattern: '^[0-9]{1,9}$' } }],
    responses: { '200': 'ExecutionEvents', ...ERRORS, '404': 'Error' },
  },
  {
    method: 'POST',
    path: '/clusters/{id}/scale',
    functionId: 'scale-cluster',
    summary: 'Scale a cluster to an exact slave count: starts the scale machine',
    body: 'ScaleRequest',
    responses: { '202': 'ScaleAccepted', ...ERRORS, '404': 'Error', '409': 'Error' },
    needsScaleMachine: true,
  },
];
