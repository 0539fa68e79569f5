/**
 * Errors shaped like the AWS SDK's service exceptions, so that the SDK's retry strategy
 * and the steps' error classification treat them as they treat real ones: `name` = the
 * AWS code, `Code`, `$fault`, `$metadata.httpStatusCode`, and `$retryable.throttling` for
 * throttling codes. Where the SDK models the code as a class (SSM's InvalidInstanceId,
 * CloudWatch's ResourceNotFound, ...), the error is an instance of that class.
 */
import * as cloudwatchSdk from '@aws-sdk/client-cloudwatch';
import * as dynamodbSdk from '@aws-sdk/client-dynamodb';
import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { S3ServiceException } from '@aws-sdk/client-s3';
import * as quotasSdk from '@aws-sdk/client-service-quotas';
import * as sfnSdk from '@aws-sdk/client-sfn';
import * as ssmSdk from '@aws-sdk/client-ssm';
import type { ServiceName } from './types';

/** Codes the SDK classifies as throttling (retried with the throttling backoff). */
export const THROTTLING_CODES = [
  'RequestLimitExceeded',
  'ThrottlingException',
  'Throttling',
  'EC2ThrottledException',
  'TooManyRequestsException',
];

/** Server-side codes (HTTP 5xx, `$fault` 'server'; the SDK retries them as transient). */
const SERVER_CODES: Record<string, number> = {
  InternalError: 500,
  InternalFailure: 500,
  InternalServerError: 500,
  InsufficientInstanceCapacity: 500,
  ServiceUnavailable: 503,
  Unavailable: 503,
};

const CLIENT_STATUS: Record<string, number> = {
  RequestLimitExceeded: 503,
  AuthFailure: 401,
  UnauthorizedOperation: 403,
  AccessDeniedException: 400,
  NotFound: 404,
  NoSuchBucket: 404,
  NoSuchKey: 404,
  BadDigest: 400,
};

/** The SDK-shaped error the simulated cloud throws. */
export interface SimulatedServiceError extends Error {
  readonly Code: string;
  readonly $fault: 'client' | 'server';
  readonly $metadata: { httpStatusCode: number; requestId?: string };
  readonly $retryable?: { throttling: boolean };
}

type ExceptionClass = new (opts: Record<string, unknown>) => Error;

function modeledClass(service: ServiceName, code: string): ExceptionClass | undefined {
  const modules: Partial<Record<ServiceName, [Record<string, unknown>, unknown]>> = {
    ssm: [ssmSdk as Record<string, unknown>, ssmSdk.SSMServiceException],
    cloudwatch: [cloudwatchSdk as Record<string, unknown>, cloudwatchSdk.CloudWatchServiceException],
    servicequotas: [quotasSdk as Record<string, unknown>, quotasSdk.ServiceQuotasServiceException],
    sfn: [sfnSdk as Record<string, unknown>, sfnSdk.SFNServiceException],
    dynamodb: [dynamodbSdk as Record<string, unknown>, dynamodbSdk.DynamoDBServiceException],
  };
  const [mod, base] = modules[service] ?? [{}, undefined];
  if (!base) return undefined;
  const candidate = mod[code];
  if (typeof candidate === 'function' && candidate.prototype instanceof (base as ExceptionClass)) return candidate as ExceptionClass;
  return undefined;
}

function baseClass(service: ServiceName): ExceptionClass {
  if (service === 'ssm') return ssmSdk.SSMServiceException as unknown as ExceptionClass;
  if (service === 'cloudwatch') return cloudwatchSdk.CloudWatchServiceException as unknown as ExceptionClass;
  if (service === 's3') return S3ServiceException as unknown as ExceptionClass;
  if (service === 'servicequotas') return quotasSdk.ServiceQuotasServiceException as unknown as ExceptionClass;
  if (service === 'sfn') return sfnSdk.SFNServiceException as unknown as ExceptionClass;
  if (service === 'dynamodb') return dynamodbSdk.DynamoDBServiceException as unknown as ExceptionClass;
  return EC2ServiceException as unknown as ExceptionClass;
}

/** Builds the error that AWS would return for `code` on `service`. */
export function serviceError(service: ServiceName, code: string, message: string): SimulatedServiceError {
  const serverStatus = SERVER_CODES[code];
  const $fault = serverStatus === undefined ? 'client' : 'server';
  const httpStatusCode = serverStatus ?? CLIENT_STATUS[code] ?? 400;
  const $metadata = { httpStatusCode };
  const Modeled = modeledClass(service, code);
  const err = Modeled
    ? new Modeled({ $fault, $metadata, message, Message: message })
    : new (baseClass(service))({ name: code, $fault, $metadata, message });
  const fields: Record<string, unknown> = { name: code, Code: code, $fault, $metadata };
  if (THROTTLING_CODES.includes(code)) fields.$retryable = { throttling: true };
  return Object.assign(err, fields) as unknown as SimulatedServiceError;
}

/** Thrown by the operation handlers; the cloud turns it into a service error of the calling service. */
export class SimError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = 'SimError';
    this.code = code;
  }
}

/** Shorthand: `throw fail('InvalidVpcID.NotFound', "The vpc ID 'vpc-1' does not exist")`. */
export function fail(code: string, message: string): SimError {
  return new SimError(code, message);
}
