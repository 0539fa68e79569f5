/**
 * Completion signals of SSM commands: instead of polling a command for minutes, the state
 * machine waits in a `.waitForTaskToken` task whose token is stored by command id in the
 * command-waits table (Await Command Signal); Systems Manager's `EC2 Command Status-change
 * Notification` (an EventBridge rule) reaches Relay Command Signal, which sends the token
 * back. Events are delivered on a best-effort basis
 * (https://docs.aws.amazon.com/eventbridge/latest/ref/event-delivery-level.html), so the
 * task also times out (SIGNAL_TIMEOUT_SECONDS) and the machine then checks the command
 * itself, as the poll loop did, before it waits again: a missed event costs at most one
 * timeout, never the workflow.
 */
import { DeleteItemCommand, type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { hasCode } from './aws-errors';
import { DEFAULT_BACK_OFF } from './poll';

/** The partition key of the command-waits table: the SSM command id. */
export const COMMAND_WAIT_KEY = 'commandId';
/** The item attribute holding the waiting task's token. */
export const COMMAND_WAIT_TOKEN = 'taskToken';
/** The table's TTL attribute (epoch seconds): DynamoDB removes forgotten items after it. */
export const COMMAND_WAIT_TTL = 'expiresAt';
/** How long an item is kept: a day, far beyond any wait's budget. */
export const COMMAND_WAIT_TTL_SECONDS = 24 * 3600;

/**
 * How long a signal wait lasts before the machine checks the command itself: the poll
 * loop's longest wait (the back-off cap), so a missed event is seen no later than the
 * poll loop would have seen the command's end.
 */
export const SIGNAL_TIMEOUT_SECONDS = DEFAULT_BACK_OFF.capSeconds;

/** The command statuses after which a command changes no more (its Status-change event carries one). */
export const FINAL_COMMAND_STATUSES = ['Success', 'Failed', 'TimedOut', 'Cancelled'] as const;

/** The rule's detail-type: the status of a whole command (all its invocations). */
export const COMMAND_STATUS_DETAIL_TYPE = 'EC2 Command Status-change Notification';

/**
 * The event pattern of the rule that feeds Relay Command Signal: a command of one of
 * `documentNames` reached a final status
 * (https://docs.aws.amazon.com/systems-manager/latest/userguide/monitoring-systems-manager-event-examples.html).
 */
export function commandSignalPattern(documentNames: readonly string[]): {
  source: string[];
  'detail-type': string[];
  detail: { 'document-name': string[]; status: string[] };
} {
  return {
    source: ['aws.ssm'],
    'detail-type': [COMMAND_STATUS_DETAIL_TYPE],
    detail: { 'document-name': [...documentNames], status: [...FINAL_COMMAND_STATUSES] },
  };
}

/** What the waiting task gets: the signal, not the command's result (the machine checks the command next). */
export interface CommandSignal {
  /** The command status the signal reports, or `seen` when the awaiting step found it finished itself. */
  readonly status: string;
}

/**
 * SendTaskSuccess with the signal. A token whose task already ended (timed out, or a
 * duplicate event) answers TaskTimedOut, one Step Functions never issued InvalidToken:
 * both mean nobody waits any more, and are not errors here (false is returned).
 */
export async function sendSignal(sfn: SFNClient, taskToken: string, signal: CommandSignal): Promise<boolean> {
  try {
    await sfn.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(signal) }));
    return true;
  } catch (err) {
    if (hasCode(err, 'TaskTimedOut', 'InvalidToken')) return false;
    throw err;
  }
}

/** Stores the token of the task waiting for `commandId` (a later wait of the same command replaces it). */
export async function storeWait(dynamodb: DynamoDBClient, table: string, commandId: string, taskToken: string, now: number): Promise<void> {
  await dynamodb.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        [COMMAND_WAIT_KEY]: { S: commandId },
        [COMMAND_WAIT_TOKEN]: { S: taskToken },
        [COMMAND_WAIT_TTL]: { N: String(Math.floor(now / 1000) + COMMAND_WAIT_TTL_SECONDS) },
      },
    })
  );
}

/** Removes the wait of `commandId` if it still holds `taskToken` (a newer wait is kept). */
export async function forgetWait(dynamodb: DynamoDBClient, table: string, commandId: string, taskToken: string): Promise<void> {
  try {
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: table,
        Key: { [COMMAND_WAIT_KEY]: { S: commandId } },
        ConditionExpression: '#token = :token',
        ExpressionAttributeNames: { '#token': COMMAND_WAIT_TOKEN },
        ExpressionAttributeValues: { ':token': { S: taskToken } },
      })
    );
  } catch (err) {
    if (!hasCode(err, 'ConditionalCheckFailedException')) throw err;
  }
}
