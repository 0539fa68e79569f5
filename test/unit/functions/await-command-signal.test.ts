import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { awaitCommandSignalStep } from '../../../functions/await-command-signal/await-command-signal';
import { invokeStep } from '../../../functions/shared/step';
import { TEST_STEP_CONFIG } from '../../helpers/step-config';
import { awsError } from './aws-error';

const ssmMock = mockClient(SSMClient);
const dynamodbMock = mockClient(DynamoDBClient);
const sfnMock = mockClient(SFNClient);
const clients = { ssm: new SSMClient({}), dynamodb: new DynamoDBClient({}), sfn: new SFNClient({}), config: TEST_STEP_CONFIG };
const input = { clusterId: 'c-1234', clusterName: 'demo', commandId: 'cmd-1', instanceIds: ['i-1', 'i-2'], taskToken: 'token-1' };
const TABLE = TEST_STEP_CONFIG.commandWaitsTable;

describe('await-command-signal', () => {
  beforeEach(() => {
    ssmMock.reset();
    dynamodbMock.reset();
    sfnMock.reset();
    dynamodbMock.on(PutItemCommand).resolves({}).on(DeleteItemCommand).resolves({});
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    jest.spyOn(Date, 'now').mockReturnValue(Date.UTC(2030, 0, 1));
  });

  afterEach(() => jest.restoreAllMocks());

  it('stores the token by command id with a day to live, and waits while the command runs', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand, { InstanceId: 'i-1' }).resolves({ Status: 'Success' });
    ssmMock.on(GetCommandInvocationCommand, { InstanceId: 'i-2' }).resolves({ Status: 'InProgress' });

    // Act
    const result = await invokeStep(awaitCommandSignalStep, input, clients);

    // Assess
    expect(result).toEqual({ signalled: false });
    expect(dynamodbMock).toHaveReceivedCommandWith(PutItemCommand, {
      TableName: TABLE,
      Item: { commandId: { S: 'cmd-1' }, taskToken: { S: 'token-1' }, expiresAt: { N: String(Date.UTC(2030, 0, 1) / 1000 + 86400) } },
    });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
    expect(dynamodbMock).not.toHaveReceivedCommand(DeleteItemCommand);
  });

  it('waits while an invocation does not exist yet (InvocationDoesNotExist)', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).rejects(awsError('InvocationDoesNotExist'));

    // Act
    const result = await invokeStep(awaitCommandSignalStep, input, clients);

    // Assess
    expect(result).toEqual({ signalled: false });
    expect(sfnMock).not.toHaveReceivedCommand(SendTaskSuccessCommand);
  });

  it.each(['Success', 'Failed'])('sends the token itself when the command already ended (%s) and forgets the wait', async (status) => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: status as 'Success' });

    // Act
    const result = await invokeStep(awaitCommandSignalStep, input, clients);

    // Assess
    expect(result).toEqual({ signalled: true });
    expect(sfnMock).toHaveReceivedCommandWith(SendTaskSuccessCommand, { taskToken: 'token-1', output: '{"status":"seen"}' });
    expect(dynamodbMock).toHaveReceivedCommandWith(DeleteItemCommand, {
      TableName: TABLE,
      Key: { commandId: { S: 'cmd-1' } },
      ConditionExpression: '#token = :token',
      ExpressionAttributeValues: { ':token': { S: 'token-1' } },
    });
  });

  it('takes a token whose task already ended (TaskTimedOut) as nobody waiting', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success' });
    sfnMock.on(SendTaskSuccessCommand).rejects(awsError('TaskTimedOut'));

    // Act
    const result = await invokeStep(awaitCommandSignalStep, input, clients);

    // Assess
    expect(result).toEqual({ signalled: false });
  });

  it('fails when the token cannot be stored, before it looks at the command', async () => {
    // Prepare
    dynamodbMock.on(PutItemCommand).rejects(awsError('ProvisionedThroughputExceededException'));

    // Act
    const error = await invokeStep(awaitCommandSignalStep, input, clients).catch((err: Error) => err);

    // Assess
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toMatch(/^await-command-signal: /);
    expect(ssmMock).not.toHaveReceivedCommand(GetCommandInvocationCommand);
  });
});
