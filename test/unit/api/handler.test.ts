import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiHandler } from '../../../functions/api/shared/handler';
import { badRequest } from '../../../functions/api/shared/http';
import { awsError } from './helpers';

const event = (fields: Partial<APIGatewayProxyEvent> = {}) =>
  ({
    body: null,
    headers: { Host: 'abc.execute-api.eu-west-1.amazonaws.com' },
    pathParameters: { id: 'blue-0a1b2c' },
    queryStringParameters: null,
    isBase64Encoded: false,
    requestContext: { requestId: 'req-1', stage: 'v1', domainName: 'abc.execute-api.eu-west-1.amazonaws.com' },
    ...fields,
  }) as unknown as APIGatewayProxyEvent;

describe('apiHandler', () => {
  it('passes the request with its base URL and decoded body to the route and answers JSON', async () => {
    // Prepare
    const route = jest.fn(async () => ({ statusCode: 202, body: { ok: true }, headers: { Location: 'x' } }));
    const handler = apiHandler('test', route);

    // Act
    const result = await handler(event({ body: Buffer.from('{"a":1}').toString('base64'), isBase64Encoded: true }));

    // Assess
    expect(result).toEqual({ statusCode: 202, headers: { 'Content-Type': 'application/json', Location: 'x' }, body: '{"ok":true}' });
    expect(route).toHaveBeenCalledWith({
      body: '{"a":1}',
      pathParameters: { id: 'blue-0a1b2c' },
      queryStringParameters: {},
      baseUrl: 'https://abc.execute-api.eu-west-1.amazonaws.com/v1',
    });
  });

  it('answers an HttpError with its status and body', async () => {
    // Act
    const result = await apiHandler('test', async () => {
      throw badRequest('slaves', 'must be at least 0');
    })(event());

    // Assess
    expect(result.statusCode).toBe(400);
    expect(JSON.parse(result.body)).toEqual({
      error: { code: 'BadRequest', message: 'slaves: must be at least 0', field: 'slaves', rule: 'must be at least 0' },
    });
  });

  it('answers 503 for AWS throttling and 500 naming only the request id for anything else', async () => {
    // Act
    const throttled = await apiHandler('test', async () => {
      throw awsError('ThrottlingException');
    })(event());
    const broken = await apiHandler('test', async () => {
      throw new Error('secret detail');
    })(event());

    // Assess
    expect([throttled.statusCode, throttled.headers?.['Retry-After']]).toEqual([503, '5']);
    expect(broken.statusCode).toBe(500);
    expect(JSON.parse(broken.body)).toEqual({
      error: { code: 'InternalError', message: "internal error (request req-1); see the function's log" },
    });
  });
});
