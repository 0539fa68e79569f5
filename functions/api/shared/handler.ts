/**
 * The thin Lambda entry of every API route: adds the Lambda context and the request id to
 * the logger, turns the proxy event into an ApiRequest, runs the route, and turns an
 * HttpError into its response. Anything else is a 500 whose body names only the request id
 * (the details are in the function's log); Step Functions throttling is a 503.
 */
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { logger } from '../../shared/logger';
import { type ApiRequest, type ApiResponse, HttpError, requestOf, toProxyResult } from './http';

/** Error codes of AWS throttling: the client should retry later. */
const THROTTLING = new Set(['ThrottlingException', 'TooManyRequestsException', 'RequestLimitExceeded']);

/** Wraps a route's logic as an API Gateway Lambda proxy handler. */
export function apiHandler(
  route: string,
  run: (request: ApiRequest) => Promise<ApiResponse>
): (event: APIGatewayProxyEvent, context?: Context) => Promise<APIGatewayProxyResult> {
  return async (event, context) => {
    if (context) logger.addContext(context);
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? 'unknown';
    logger.appendKeys({ route, requestId, clusterId: event.pathParameters?.id });
    try {
      const response = await run(requestOf(event));
      logger.info('request done', { statusCode: response.statusCode });
      return toProxyResult(response);
    } catch (err) {
      if (err instanceof HttpError) {
        logger.info('request refused', { statusCode: err.statusCode, error: err.message });
        return toProxyResult(err.toResponse());
      }
      const error = err as Error;
      if (THROTTLING.has(error?.name)) {
        logger.warn('throttled', { error });
        return toProxyResult({
          statusCode: 503,
          headers: { 'Retry-After': '5' },
          body: { error: { code: 'ServiceUnavailable', message: 'AWS throttled the request; retry in a few seconds' } },
        });
      }
      logger.error('request failed', { error });
      return toProxyResult({
        statusCode: 500,
        body: { error: { code: 'InternalError', message: `internal error (request ${requestId}); see the function's log` } },
      });
    }
  };
}
