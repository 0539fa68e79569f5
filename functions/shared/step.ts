/**
 * A workflow step: an id (its folder under functions/, its Lambda, its log service name)
 * and its logic, which takes the AWS clients it needs as a parameter. The Lambda handler
 * and the local runner both call a step through `invokeStep`, so they classify errors
 * the same way.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { toStepError } from './aws-errors';
import type { StepConfig } from './env';
import { assertIsError } from './errors';

/** The clients a step may ask for, and its configuration (handed over the same way). */
export interface StepClients {
  readonly ec2: EC2Client;
  readonly ssm: SSMClient;
  readonly cloudwatch: CloudWatchClient;
  /** Service Quotas, for the pre-flight quota checks (absent: those checks are skipped). */
  readonly quotas?: ServiceQuotasClient;
  /** Step Functions, for the steps that answer a task token (SendTaskSuccess / SendTaskFailure). */
  readonly sfn?: SFNClient;
  /** DynamoDB, for the command-waits table of the completion signals. */
  readonly dynamodb?: DynamoDBClient;
  /** The stack's document names, instance profile and configure-slave script hash. */
  readonly config: StepConfig;
}

export interface Step<I, O, C extends keyof StepClients = keyof StepClients> {
  readonly id: string;
  readonly run: (input: I, clients: Pick<StepClients, C>) => Promise<O>;
}

export function defineStep<I, O, C extends keyof StepClients>(
  id: string,
  run: (input: I, clients: Pick<StepClients, C>) => Promise<O>
): Step<I, O, C> {
  return { id, run };
}

/**
 * Runs a step and turns whatever it throws into a named error whose message starts with
 * the step id (`create-vpc: VpcLimitExceeded: ...`); Record Failure reads that prefix.
 */
export async function invokeStep<I, O, C extends keyof StepClients>(
  step: Step<I, O, C>,
  input: I,
  clients: Pick<StepClients, C>
): Promise<O> {
  try {
    return await step.run(input, clients);
  } catch (err) {
    assertIsError(err);
    const named = toStepError(err);
    if (!named.message.startsWith(`${step.id}: `)) named.message = `${step.id}: ${named.message}`;
    throw named;
  }
}
