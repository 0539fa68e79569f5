/** Shared fixtures of the API tests: a config, requests, and SDK-shaped errors. */
import type { ApiConfig } from '../../../functions/api/shared/config';
import type { ApiRequest } from '../../../functions/api/shared/http';

export const MACHINE = (name: string) => `arn:aws:states:eu-west-1:123456789012:stateMachine:${name}`;
export const EXECUTION = (machine: string, name: string) => `arn:aws:states:eu-west-1:123456789012:execution:${machine}:${name}`;

export const CONFIG: ApiConfig = {
  createMachineArn: MACHINE('Create'),
  teardownMachineArn: MACHINE('Teardown'),
  scaleMachineArn: MACHINE('Scale'),
  allowedInstanceTypes: ['t3.medium', 't3.large'],
  maxSlaves: 50,
};

export function request(fields: Partial<ApiRequest> = {}): ApiRequest {
  return { body: null, pathParameters: {}, queryStringParameters: {}, baseUrl: 'https://api.example.com/v1', ...fields };
}

/** An error shaped like the SDK's (name = AWS error code). */
export function awsError(name: string): Error {
  return Object.assign(new Error(name), { name, $metadata: {}, $fault: 'client' });
}

/** Runs a route and returns its response, turning a thrown HttpError into its response. */
export async function respond(run: () => Promise<{ statusCode: number; body: unknown }>): Promise<{ statusCode: number; body: unknown }> {
  try {
    return await run();
  } catch (err) {
    const http = err as { toResponse?: () => { statusCode: number; body: unknown } };
    if (http.toResponse) return http.toResponse();
    throw err;
  }
}
