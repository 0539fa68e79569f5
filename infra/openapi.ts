/**
 * The OpenAPI 3.1 document of the cluster API, built from the route table and the schemas
 * the API Gateway models come from. `npx tsx infra/print-openapi.ts > docs/openapi.json`
 * writes it; test/infra/openapi.test.ts fails when the file and the code drift apart.
 */
import { CLUSTER_ID_PATTERN } from '../functions/shared/cluster-id';
import { API_ROUTES } from './api-routes';
import { clusterSpecJsonSchema, responseSchemas, scaleRequestJsonSchema } from './api-schemas';
import { DEFAULT_SETTINGS, type DeploySettings } from './settings';

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  '200': 'OK',
  '202': 'Accepted: the execution has started; follow it at statusUrl',
  '400': 'Invalid request: error.field names the field, error.rule the rule it breaks',
  '403': 'Missing or invalid SigV4 signature, or the caller may not invoke the API',
  '404': 'No such cluster or execution',
  '409': 'Conflict: the name is taken, or the cluster is not in a state that allows the request',
  '429': 'Throttled by the stage',
  '500': 'Internal error (the request id is in the message)',
  '503': 'AWS throttled the request; retry later',
};

/** The document for a deployment's settings (the committed file uses the defaults). */
export function buildOpenApi(settings: DeploySettings = DEFAULT_SETTINGS): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const parameters = [
      ...[...route.path.matchAll(/\{([a-z]+)\}/g)].map((m) => ({
        name: m[1],
        in: 'path',
        required: true,
        schema: m[1] === 'id' ? { type: 'string', pattern: CLUSTER_ID_PATTERN } : { type: 'string' },
      })),
      ...(route.query ?? []).map((q) => ({ name: q.name, in: 'query', required: false, description: q.description, schema: q.schema })),
    ];
    const responses = Object.fromEntries(
      Object.entries(route.responses).map(([code, schema]) => [
        code,
        {
          description: DESCRIPTIONS[code] ?? code,
          content: { 'application/json': { schema: { $ref: `#/components/schemas/${schema}` } } },
        },
      ])
    );
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: {
        operationId: `${route.functionId}${route.path.endsWith('/events') ? '-events' : ''}`,
        summary: route.summary,
        ...(parameters.length > 0 ? { parameters } : {}),
        ...(route.body
          ? { requestBody: { required: true, content: { 'application/json': { schema: { $ref: `#/components/schemas/${route.body}` } } } } }
          : {}),
        responses,
        ...(route.needsScaleMachine ? { 'x-mesos-cluster-requires': 'a scale machine (MesosClusterStack.addScaleMachine)' } : {}),
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Mesos cluster API',
      version: '1.0.0',
      description:
        'Create, list, describe, scale and delete Apache Mesos clusters on AWS. Every method requires AWS_IAM authorization: sign requests with SigV4 (service execute-api).',
    },
    servers: [
      {
        url: 'https://{apiId}.execute-api.{region}.amazonaws.com/v1',
        variables: { apiId: { default: 'abc123' }, region: { default: 'eu-west-1' } },
      },
    ],
    security: [{ sigv4: [] }],
    paths,
    components: {
      securitySchemes: {
        sigv4: { type: 'apiKey', name: 'Authorization', in: 'header', 'x-amazon-apigateway-authtype': 'awsSigv4' },
      },
      schemas: {
        ClusterSpec: clusterSpecJsonSchema(settings),
        ScaleRequest: scaleRequestJsonSchema(settings),
        ...responseSchemas(),
      },
    },
  };
}
