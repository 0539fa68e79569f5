import { SFNClient } from '@aws-sdk/client-sfn';

/** One Step Functions client per cold start (the callback pattern's SendTaskSuccess and kin). */
export const sfn = new SFNClient({ maxAttempts: 6 });
