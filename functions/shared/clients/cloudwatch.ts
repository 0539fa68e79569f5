import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** One CloudWatch client per cold start. */
export const cloudwatch = new CloudWatchClient({ maxAttempts: 6 });
