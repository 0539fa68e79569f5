/**
 * The JSON schemas of the API: the request bodies derived from the cluster spec's zod
 * schema (functions/shared/cluster-spec.ts), narrowed by the deployment's limits, and the
 * response bodies. The OpenAPI document (docs/openapi.json) and the API Gateway models are
 * built from them.
 *
 * The gateway model of a body checks its structure (an object, the required fields, no
 * unknown fields, the JSON type of each field); the function checks the values and answers
 * 400 naming the field and the rule (API Gateway's own message names no field for a type or
 * pattern error).
 */
import * as z from 'zod/mini';
import { clusterSpecSchema } from '../functions/shared/cluster-spec';
import type { DeploySettings } from './settings';

/** A JSON schema (draft 4 for API Gateway models, a subset valid in every later draft). */
export type JsonSchema = { [key: string]: unknown };

function strip(schema: unknown, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(schema)) return schema.map((s) => strip(s, keys));
  if (typeof schema !== 'object' || schema === null) return schema;
  const out: JsonSchema = {};
  for (const [k, v] of Object.entries(schema)) {
    if (keys.has(k)) continue;
    // `properties` maps field names to schemas: its keys are never stripped.
    out[k] = k === 'properties' ? Object.fromEntries(Object.entries(v as JsonSchema).map(([p, s]) => [p, strip(s, keys)])) : strip(v, keys);
  }
  return out;
}

/** The full schema of a create request (every rule the zod schema can express), for the documentation. */
export function clusterSpecJsonSchema(settings: DeploySettings): JsonSchema {
  const schema = structuredClone(z.toJSONSchema(clusterSpecSchema, { target: 'draft-4', io: 'input' })) as JsonSchema;
  delete schema.$schema;
  const properties = schema.properties as Record<string, JsonSchema>;
  // Rules zod checks in code (refinements), written out for the schema.
  properties.masters = { ...properties.masters, type: 'integer', enum: [1, 3, 5] };
  properties.slaves = { ...properties.slaves, maximum: settings.maxSlavesPerCluster };
  for (const field of ['masterInstanceType', 'slaveInstanceType']) {
    properties[field] = { ...properties[field], enum: [...settings.allowedInstanceTypes] };
  }
  return schema;
}

/** The API Gateway model of a create request: its structure and JSON types. */
export function clusterSpecModelSchema(settings: DeploySettings): JsonSchema {
  const full = strip(clusterSpecJsonSchema(settings), new Set(['pattern', 'enum', 'minimum', 'maximum', 'default']));
  // Whole-number checks stay with the function, which names the field.
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    ...(JSON.parse(JSON.stringify(full).replace(/"integer"/g, '"number"')) as JsonSchema),
  };
}

/** The full schema of a scale request. */
export function scaleRequestJsonSchema(settings: DeploySettings): JsonSchema {
  return {
    type: 'object',
    properties: { slaves: { type: 'integer', minimum: 0, maximum: settings.maxSlavesPerCluster } },
    required: ['slaves'],
    additionalProperties: false,
  };
}

/** The API Gateway model of a scale request. */
export function scaleRequestModelSchema(): JsonSchema {
  return {
    $schema: 'http://json-schema.org/draft-04/schema#',
    type: 'object',
    properties: { slaves: { type: 'number' } },
    required: ['slaves'],
    additionalProperties: false,
  };
}

const STATUSES = [
  'CREATE_IN_PROGRESS',
  'CREATE_COMPLETE',
  'CREATE_FAILED',
  'UPDATE_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'DELETE_COMPLETE',
  'DELETE_FAILED',
];
const str = { type: 'string' };
const nullableStr = { type: ['string', 'null'] };
const obj = (properties: Record<string, unknown>, required: string[] = Object.keys(properties)): JsonSchema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});

/** The response schemas, by OpenAPI component name. */
export function responseSchemas(): Record<string, JsonSchema> {
  const execution = obj(
    {
      kind: { type: 'string', enum: ['create', 'delete', 'scale'] },
      name: str,
      executionArn: str,
      status: { type: 'string', enum: ['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE'] },
      startDate: { type: 'string', format: 'date-time' },
      stopDate: { type: 'string', format: 'date-time' },
    },
    ['kind', 'name', 'executionArn', 'status', 'startDate']
  );
  return {
    Error: obj({
      error: obj(
        {
          // The functions' codes, or API Gateway's response type (ACCESS_DENIED, THROTTLED, …).
          code: {
            type: 'string',
            examples: ['BadRequest', 'NotFound', 'Conflict', 'NotImplemented', 'ServiceUnavailable', 'InternalError', 'ACCESS_DENIED'],
          },
          message: str,
          field: str,
          rule: str,
        },
        ['code', 'message']
      ),
    }),
    CreateAccepted: obj({
      clusterId: str,
      name: str,
      status: { type: 'string', enum: ['CREATE_IN_PROGRESS'] },
      executionArn: str,
      statusUrl: str,
    }),
    ScaleAccepted: obj({
      clusterId: str,
      status: { type: 'string', enum: ['UPDATE_IN_PROGRESS'] },
      targetSlaves: { type: 'integer' },
      executionArn: str,
      statusUrl: str,
    }),
    DeleteAccepted: obj(
      {
        clusterId: str,
        status: { type: 'string', enum: ['DELETE_IN_PROGRESS'] },
        executionArn: str,
        statusUrl: str,
        alreadyRunning: { type: 'boolean' },
      },
      ['clusterId', 'status', 'executionArn', 'statusUrl']
    ),
    Execution: execution,
    Cluster: obj(
      {
        id: str,
        name: str,
        status: { type: 'string', enum: STATUSES },
        failureCode: str,
        failureReason: str,
        mesosUrl: nullableStr,
        marathonUrl: nullableStr,
        masters: {
          type: 'array',
          items: obj({
            instanceId: str,
            availabilityZone: str,
            privateIp: str,
            publicIp: nullableStr,
            mesosUrl: nullableStr,
            marathonUrl: nullableStr,
          }),
        },
        slaveCount: { type: 'integer', minimum: 0 },
        vpcId: nullableStr,
        imageId: nullableStr,
        currentExecution: { oneOf: [{ $ref: '#/components/schemas/Execution' }, { type: 'null' }] },
        recentExecutions: { type: 'array', items: { $ref: '#/components/schemas/Execution' } },
      },
      [
        'id',
        'name',
        'status',
        'mesosUrl',
        'marathonUrl',
        'masters',
        'slaveCount',
        'vpcId',
        'imageId',
        'currentExecution',
        'recentExecutions',
      ]
    ),
    ClusterList: obj({
      clusters: {
        type: 'array',
        items: obj(
          {
            id: str,
            name: str,
            status: { type: 'string', enum: STATUSES },
            failureCode: str,
            vpcId: nullableStr,
            currentExecution: nullableStr,
            createdAt: nullableStr,
          },
          ['id', 'name', 'status', 'vpcId', 'currentExecution', 'createdAt']
        ),
      },
    }),
    ExecutionEvents: obj({
      execution: obj({ name: str, executionArn: str, status: str }),
      events: {
        type: 'array',
        items: obj(
          {
            id: { type: 'integer' },
            timestamp: { type: 'string', format: 'date-time' },
            elapsedMs: { type: 'number' },
            type: { type: 'string', enum: ['ExecutionStarted', 'StateEntered', 'StateExited', 'StateFailed', 'ExecutionEnded'] },
            state: str,
            stateType: str,
            error: str,
            cause: str,
            status: str,
          },
          ['id', 'timestamp', 'elapsedMs', 'type']
        ),
      },
      lastEventId: { type: 'integer' },
      complete: { type: 'boolean' },
    }),
  };
}
