import { DynamoDBClient } from '@aws-sdk/client-dynamodb';

/** One DynamoDB client per cold start (the command-waits table of the completion signals). */
export const dynamodb = new DynamoDBClient({ maxAttempts: 6 });
