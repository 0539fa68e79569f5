import { EC2Client } from '@aws-sdk/client-ec2';

/** One EC2 client per cold start; the standard retry mode retries throttling and 5xx. */
export const ec2 = new EC2Client({ maxAttempts: 6 });
