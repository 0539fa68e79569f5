import { SSMClient } from '@aws-sdk/client-ssm';

/** One SSM client per cold start. */
export const ssm = new SSMClient({ maxAttempts: 6 });
