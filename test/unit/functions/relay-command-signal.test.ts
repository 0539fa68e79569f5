import { DeleteItemCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { relayCommandSignalStep } from '../../../functions/relay-command-signal/relay-command-signal';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const dynamodbMock = mockClient(DynamoDBClient);
const sfnMock = mockClient(SFNClient);
const clients = { dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}), config: TEST_STEP_CONFIG };
const TABLE = TEST_STEP_CONFIG.commandWaitsTable;

/** The event as Systems Manager sends it (the fields the relay reads, and some it ignores). */
function event(status: string, commandId = 'cmd-1') {
  return {
    version: '0',
    id: 'e-1',
    'detail-type': 'EC2 Command Status-change Notification',
    source: 'aws.ssm',
    detail: { 'command-id': commandId, 'document-name': 'MesosCluster-ConfigureMaster', status },
  };
}

describe('relay-command-signal', () => {
  beforeEach(() => {
    dynamodbMock.reset();
    sfnMock.reset();
    dynamodbMock
      .on(GetItemCommand)
      .resolves({ Item: { commandId: { S: 'cmd-1' }, taskToken: { S: 'token-1' } } })
      .on(DeleteItemCommand)
      .resolves({});
    sfnMock.on(SendTaskSuccessCommand).resolves({});
  });

  it.each(['Success', 'Failed', 'TimedOut', 'Cancelled'])('sends the waiting task the %s signal and forgets the wait', async (status) => {
    // Act
    const result = await invokeStep(relayCommandSignalStep, event(status), clients);

    // Assess
    expect(result).toEqual({ relayed: true });
    expect(dynamodbMock).toHaveReceivedCommandWith(GetItemCommand, {
      TableName: TABLE,
      Key: { commandId: { S: 'cmd-1' } },
      ConsistentRead: true,
    });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1', output: JSON.stringify({ status }) });
    expect(dynamodbMock).toHaveReceivedCommandWith(DeleteItemCommand, { TableName: TABLE, Key: { commandId: { S: 'cmd-1' } } });
  });

  it('does nothing for a status that is not final', async () => {
    // Act
    const result = await invokeStep(relayCommandSignalStep, event('InProgress'), clients);

    // Assess
    expect(result).toEqual({ relayed: false });
    expect(dynamodbMock).not.toHaveReceivedCommand(GetItemCommand);
  });

  it('does nothing when no task waits for the command (no item: a repeated event, or a command nobody awaits)', async () => {
    // Prepare
    dynamodbMock.on(GetItemCommand).resolves({});

    // Act
    const result = await invokeStep(relayCommandSignalStep, event('Success'), clients);

    // Assess
    expect(result).toEqual({ relayed: false });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it.each(['TaskTimedOut', 'InvalidToken'])('takes %s as nobody waiting any more, and still forgets the wait', async (code) => {
    // Prepare
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError(code));

    // Act
    const result = await invokeStep(relayCommandSignalStep, event('Success'), clients);

    // Assess
    expect(result).toEqual({ relayed: false });
    expect(dynamodbMock).toHaveReceivedCommand(DeleteItemCommand);
  });

  it('keeps a newer wait of the same command (the delete condition fails)', async () => {
    // Prepare
    dynamodbMock.on(DeleteItemCommand).rejects(awsError('ConditionalCheckFailedException'));

    // Act
    const result = await invokeStep(relayCommandSignalStep, event('Success'), clients);

    // Assess
    expect(result).toEqual({ relayed: true });
  });
});
