import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { SimulatedCloud } from '../../../simulator';
import { errorOf, type InstalledClock, installClock } from './support';

const TABLE = 'mesos-cluster-command-waits';

describe('simulated DynamoDB: the command-waits table', () => {
  let clock: InstalledClock;
  let cloud: SimulatedCloud;
  let dynamodb: DynamoDBClient;

  beforeEach(() => {
    clock = installClock();
    cloud = new SimulatedCloud();
    ({ dynamodb } = cloud.clients({ maxAttempts: 1 }));
  });

  afterEach(() => clock.uninstall());

  const item = (commandId: string, token: string) => ({
    commandId: { S: commandId },
    taskToken: { S: token },
    expiresAt: { N: '1767254400' },
  });

  it('stores an item, reads it back by key and deletes it', async () => {
    // Act
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item('c-1', 'token-1') }));
    const read = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { commandId: { S: 'c-1' } }, ConsistentRead: true }));
    const deleted = await dynamodb.send(
      new DeleteItemCommand({ TableName: TABLE, Key: { commandId: { S: 'c-1' } }, ReturnValues: 'ALL_OLD' })
    );
    const gone = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { commandId: { S: 'c-1' } } }));

    // Assess
    expect(read.Item).toEqual(item('c-1', 'token-1'));
    expect(deleted.Attributes).toEqual(item('c-1', 'token-1'));
    expect(gone.Item).toBeUndefined();
    expect(cloud.calls).toEqual(expect.objectContaining({ PutItem: 1, GetItem: 2, DeleteItem: 1 }));
  });

  it('replaces an item with the same key, and keeps the state across a save', async () => {
    // Act
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item('c-1', 'token-1') }));
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item('c-1', 'token-2') }));
    const restored = SimulatedCloud.fromJSON(cloud.toJSON());
    const read = await restored.clients().dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { commandId: { S: 'c-1' } } }));

    // Assess
    expect(read.Item?.taskToken).toEqual({ S: 'token-2' });
  });

  it('applies condition expressions: attribute_not_exists, = and <> with placeholders', async () => {
    // Prepare
    await dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item('c-1', 'token-1') }));

    // Act
    const again = await errorOf(() =>
      dynamodb.send(
        new PutItemCommand({ TableName: TABLE, Item: item('c-1', 'token-2'), ConditionExpression: 'attribute_not_exists(commandId)' })
      )
    );
    const otherToken = await errorOf(() =>
      dynamodb.send(
        new DeleteItemCommand({
          TableName: TABLE,
          Key: { commandId: { S: 'c-1' } },
          ConditionExpression: '#token = :token',
          ExpressionAttributeNames: { '#token': 'taskToken' },
          ExpressionAttributeValues: { ':token': { S: 'token-2' } },
        })
      )
    );
    await dynamodb.send(
      new DeleteItemCommand({
        TableName: TABLE,
        Key: { commandId: { S: 'c-1' } },
        ConditionExpression: 'attribute_exists(commandId) AND taskToken = :token AND taskToken <> :other',
        ExpressionAttributeValues: { ':token': { S: 'token-1' }, ':other': { S: 'token-2' } },
      })
    );
    const gone = await dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { commandId: { S: 'c-1' } } }));

    // Assess
    expect(again).toBeInstanceOf(ConditionalCheckFailedException);
    expect(again.message).toBe('The conditional request failed');
    expect(otherToken).toBeInstanceOf(ConditionalCheckFailedException);
    expect(gone.Item).toBeUndefined();
  });

  it('answers ResourceNotFoundException for another table and ValidationException for a bad key or expression', async () => {
    // Act
    const otherTable = await errorOf(() => dynamodb.send(new GetItemCommand({ TableName: 'other', Key: { commandId: { S: 'c-1' } } })));
    const noKey = await errorOf(() => dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: { taskToken: { S: 't' } } })));
    const numberKey = await errorOf(() => dynamodb.send(new GetItemCommand({ TableName: TABLE, Key: { commandId: { N: '1' } } })));
    const unsupported = await errorOf(() =>
      dynamodb.send(new PutItemCommand({ TableName: TABLE, Item: item('c-1', 't'), ConditionExpression: 'size(taskToken) > :n' }))
    );

    // Assess
    expect(otherTable).toBeInstanceOf(ResourceNotFoundException);
    expect(noKey.name).toBe('ValidationException');
    expect(noKey.message).toBe('One or more parameter values were invalid: Missing the key commandId in the item');
    expect(numberKey.name).toBe('ValidationException');
    expect(unsupported.name).toBe('ValidationException');
  });
});
