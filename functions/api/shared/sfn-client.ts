import { SFNClient } from '@aws-sdk/client-sfn';

/** One Step Functions client per cold start. */
export const sfn = new SFNClient({ maxAttempts: 4 });
