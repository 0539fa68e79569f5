/**
 * Real SDK v3 clients whose requests the simulated cloud answers. A middleware at the
 * `deserialize` step answers in place of the HTTP round trip, so everything above it
 * runs as usual: serialization, signing, and the SDK's retry middleware
 * (finalizeRequest), which retries the throttling and 5xx errors the cloud throws.
 */
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { ServiceName } from './types';

/** What the clients need from the cloud. */
export interface CommandAnswerer {
  handle(service: ServiceName, commandName: string, input: Record<string, unknown>): Promise<unknown>;
}

/** Client settings that callers may change. */
export interface ClientOverrides {
  /** SDK attempts per call, the first included; default 6, as the step Lambdas use. */
  readonly maxAttempts?: number;
  readonly retryMode?: 'standard' | 'adaptive';
}

/** The simulated cloud's SDK clients. */
export interface SimulatedClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly cloudwatch: CloudWatchClient;
  /** The package mirror's S3 (the mirror command; no workflow step calls S3). */
  readonly s3: S3Client;
  readonly quotas: ServiceQuotasClient;
  /** Step Functions: the callback pattern's SendTaskSuccess and kin. */
  readonly sfn: SFNClient;
  /** DynamoDB: the command-waits table of the completion signals. */
  readonly dynamodb: DynamoDBClient;
}

interface StackClient {
  middlewareStack: {
    add(
      middleware: (next: unknown, context: { commandName?: string }) => (args: { input: unknown }) => Promise<unknown>,
      options: { step: 'deserialize'; name: string; priority: 'high' }
    ): void;
  };
}

function answerFrom(client: StackClient, service: ServiceName, cloud: CommandAnswerer): void {
  client.middlewareStack.add(
    (_next, context) => async (args) => {
      const result = (await cloud.handle(service, context.commandName ?? '', (args.input ?? {}) as Record<string, unknown>)) as object;
      return { output: { ...result, $metadata: { httpStatusCode: 200, attempts: 1, totalRetryDelay: 0 } }, response: {} };
    },
    { step: 'deserialize', name: 'simulatedCloudMiddleware', priority: 'high' }
  );
}

/** Builds the clients for `region`, with static fake credentials; no request leaves the process. */
export function simulatedClients(cloud: CommandAnswerer, region: string, overrides: ClientOverrides = {}): SimulatedClients {
  const config = {
    region,
    credentials: { accessKeyId: 'AKIASIMULATEDCLOUD00', secretAccessKey: 'simulated-secret-access-key' },
    maxAttempts: overrides.maxAttempts ?? 6,
    ...(overrides.retryMode ? { retryMode: overrides.retryMode } : {}),
  };
  const ec2 = new EC2Client(config);
  const ssm = new SSMClient(config);
  const cloudwatch = new CloudWatchClient(config);
  const s3 = new S3Client(config);
  answerFrom(ec2 as unknown as StackClient, 'ec2', cloud);
  answerFrom(ssm as unknown as StackClient, 'ssm', cloud);
  const quotas = new ServiceQuotasClient(config);
  answerFrom(cloudwatch as unknown as StackClient, 'cloudwatch', cloud);
  answerFrom(s3 as unknown as StackClient, 's3', cloud);
  answerFrom(quotas as unknown as StackClient, 'servicequotas', cloud);
  const sfn = new SFNClient(config);
  answerFrom(sfn as unknown as StackClient, 'sfn', cloud);
  const dynamodb = new DynamoDBClient(config);
  answerFrom(dynamodb as unknown as StackClient, 'dynamodb', cloud);
  return { ec2, ssm, cloudwatch, s3, quotas, sfn, dynamodb };
}
