/**
 * The HTTP side of the API functions: the request a route sees (taken from an API Gateway
 * Lambda proxy event), the JSON responses, and the error bodies. Every client error has
 * the shape `{ error: { code, message, field?, rule? } }`; a validation error names the
 * field and the rule it breaks.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { isClusterId } from '../../shared/cluster-id';

/** What a route needs of a request. */
export interface ApiRequest {
  /** The raw body (JSON text), or null. */
  readonly body: string | null;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  readonly queryStringParameters: Readonly<Record<string, string | undefined>>;
  /** `https://<api host>/<stage>`: the base of the status URLs in responses. */
  readonly baseUrl: string;
}

/** A JSON response. */
export interface ApiResponse {
  readonly statusCode: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** The body of every error response. */
export interface ErrorBody {
  readonly error: {
    /** BadRequest, NotFound, Conflict, NotImplemented or InternalError. */
    readonly code: string;
    /** `<field>: <rule>` for a validation error. */
    readonly message: string;
    readonly field?: string;
    readonly rule?: string;
  };
}

/** An error that becomes an HTTP response (thrown by the route logic). */
export class HttpError extends Error {
  readonly statusCode: number;
  readonly code: string;
  readonly field?: string;
  readonly rule?: string;

  constructor(statusCode: number, code: string, message: string, detail: { field?: string; rule?: string } = {}) {
    super(message);
    this.name = 'HttpError';
    this.statusCode = statusCode;
    this.code = code;
    this.field = detail.field;
    this.rule = detail.rule;
  }

  toResponse(): ApiResponse {
    const error: ErrorBody['error'] = {
      code: this.code,
      message: this.message,
      ...(this.field !== undefined ? { field: this.field } : {}),
      ...(this.rule !== undefined ? { rule: this.rule } : {}),
    };
    return { statusCode: this.statusCode, body: { error } };
  }
}

/** 400: `field` breaks `rule`. */
export function badRequest(field: string, rule: string): HttpError {
  return new HttpError(400, 'BadRequest', `${field}: ${rule}`, { field, rule });
}

/** 404: no such cluster (or execution). */
export function notFound(message: string): HttpError {
  return new HttpError(404, 'NotFound', message);
}

/** 409: the request conflicts with the cluster's state (a taken name, a delete under way). */
export function conflict(field: string, rule: string): HttpError {
  return new HttpError(409, 'Conflict', `${field}: ${rule}`, { field, rule });
}

/** 200 with a JSON body. */
export function ok(body: unknown): ApiResponse {
  return { statusCode: 200, body };
}

/** 202 with a JSON body and the status URL as Location. */
export function accepted(body: unknown, location: string): ApiResponse {
  return { statusCode: 202, body, headers: { Location: location } };
}

/** Parses a JSON body; 400 naming `body` when it is missing or not JSON. */
export function jsonBody(request: ApiRequest): unknown {
  if (request.body === null || request.body.trim() === '') throw badRequest('body', 'is required (a JSON object)');
  try {
    return JSON.parse(request.body);
  } catch {
    throw badRequest('body', 'must be valid JSON');
  }
}

export { CLUSTER_ID_PATTERN, nameOfClusterId as clusterNameOf } from '../../shared/cluster-id';

/** The `{id}` path parameter, checked: 400 unless it is a cluster id. */
export function clusterIdOf(request: ApiRequest): string {
  const id = request.pathParameters.id ?? '';
  if (!isClusterId(id)) throw badRequest('id', 'must be a cluster id: <name>-<6 hex digits>');
  return id;
}

/** The request of an API Gateway proxy event. */
export function requestOf(event: APIGatewayProxyEvent): ApiRequest {
  const host = event.headers?.Host ?? event.headers?.host ?? event.requestContext?.domainName ?? 'localhost';
  const stage = event.requestContext?.stage;
  const body = event.body !== null && event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  return {
    body,
    pathParameters: event.pathParameters ?? {},
    queryStringParameters: event.queryStringParameters ?? {},
    baseUrl: stage ? `https://${host}/${stage}` : `https://${host}`,
  };
}

/** An ApiResponse as API Gateway's proxy result. */
export function toProxyResult(response: ApiResponse): APIGatewayProxyResult {
  return {
    statusCode: response.statusCode,
    headers: { 'Content-Type': 'application/json', ...response.headers },
    body: JSON.stringify(response.body),
  };
}
