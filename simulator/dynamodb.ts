/**
 * DynamoDB, as far as the workflow's completion signals use it: the stack's command-waits
 * table (it exists with the simulated account, as the deployed stack creates it), keyed by a
 * string partition key, with PutItem, GetItem and DeleteItem and their condition
 * expressions (the subset: `attribute_exists(p)`, `attribute_not_exists(p)`, `p = :v`,
 * `p <> :v`, joined by AND; `#name` placeholders). Reads are strongly consistent and a TTL
 * attribute deletes nothing: DynamoDB deletes expired items within days, not on time
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/howitworks-ttl.html),
 * so a reader must judge the expiry itself.
 *
 * Errors as DynamoDB's: ResourceNotFoundException for another table,
 * ConditionalCheckFailedException when the condition is false, ValidationException for a
 * missing or mistyped key or an expression outside the subset.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { Handler, Out, Sim } from './core';
import { op } from './core';
import { fail } from './errors';

/** The simulated stack's command-waits table: its name and partition key. */
export const SIMULATED_TABLES: Readonly<Record<string, { readonly partitionKey: string }>> = {
  'mesos-cluster-command-waits': { partitionKey: 'commandId' },
};

type Item = Record<string, AttributeValue>;

interface ItemInput {
  TableName?: string;
  Item?: Item;
  Key?: Item;
  ConditionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Item;
  ReturnValues?: string;
}

function tableOf(sim: Sim, name: unknown): { items: Record<string, Item>; partitionKey: string } {
  const spec = typeof name === 'string' ? SIMULATED_TABLES[name] : undefined;
  if (!spec) throw fail('ResourceNotFoundException', 'Requested resource not found');
  sim.state.tables ??= {};
  sim.state.tables[name as string] ??= {};
  return { items: sim.state.tables[name as string] as Record<string, Item>, partitionKey: spec.partitionKey };
}

/** The item's key as a string, from a Key or an Item; ValidationException when it is missing or not a string. */
function keyOf(record: Item | undefined, partitionKey: string, what: 'key' | 'item'): string {
  const value = record?.[partitionKey];
  if (value === undefined)
    throw fail(
      'ValidationException',
      what === 'item'
        ? `One or more parameter values were invalid: Missing the key ${partitionKey} in the item`
        : 'The provided key element does not match the schema'
    );
  if (typeof value.S !== 'string' || value.S.length === 0)
    throw fail('ValidationException', 'One or more parameter values were invalid: Type mismatch for key');
  if (what === 'key' && Object.keys(record ?? {}).length !== 1)
    throw fail('ValidationException', 'The provided key element does not match the schema');
  return value.S;
}

/** Two attribute values are equal (same type, same value). */
function sameValue(a: AttributeValue | undefined, b: AttributeValue | undefined): boolean {
  if (a === undefined || b === undefined) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Evaluates the supported condition expressions against the stored item (undefined: none). */
function conditionHolds(input: ItemInput, stored: Item | undefined): boolean {
  const expression = input.ConditionExpression;
  if (expression === undefined) return true;
  const name = (token: string): string => {
    if (!token.startsWith('#')) return token;
    const resolved = input.ExpressionAttributeNames?.[token];
    if (resolved === undefined)
      throw fail('ValidationException', `An expression attribute name used in the document path is not defined; attribute name: ${token}`);
    return resolved;
  };
  const value = (token: string): AttributeValue => {
    const resolved = input.ExpressionAttributeValues?.[token];
    if (resolved === undefined)
      throw fail('ValidationException', `An expression attribute value used in expression is not defined; attribute value: ${token}`);
    return resolved;
  };
  return expression.split(/\s+AND\s+/i).every((clause) => {
    const text = clause.trim();
    const fn = /^(attribute_exists|attribute_not_exists)\(\s*([#\w]+)\s*\)$/.exec(text);
    if (fn) {
      const present = stored !== undefined && Object.hasOwn(stored, name(fn[2] as string));
      return fn[1] === 'attribute_exists' ? present : !present;
    }
    const comparison = /^([#\w]+)\s*(=|<>)\s*(:\w+)$/.exec(text);
    if (comparison) {
      const equal = sameValue(stored?.[name(comparison[1] as string)], value(comparison[3] as string));
      return comparison[2] === '=' ? equal : !equal;
    }
    throw fail('ValidationException', `Invalid ConditionExpression: the simulated DynamoDB does not evaluate '${text}'`);
  });
}

function checkCondition(input: ItemInput, stored: Item | undefined): void {
  if (!conditionHolds(input, stored)) throw fail('ConditionalCheckFailedException', 'The conditional request failed');
}

const putItem = op<ItemInput>((sim, input): Out<Record<string, unknown>> => {
  const table = tableOf(sim, input.TableName);
  const key = keyOf(input.Item, table.partitionKey, 'item');
  const stored = table.items[key];
  checkCondition(input, stored);
  table.items[key] = structuredClone(input.Item as Item);
  return input.ReturnValues === 'ALL_OLD' && stored ? { Attributes: stored } : {};
});

const getItem = op<ItemInput>((sim, input): Out<Record<string, unknown>> => {
  const table = tableOf(sim, input.TableName);
  const stored = table.items[keyOf(input.Key, table.partitionKey, 'key')];
  return stored ? { Item: structuredClone(stored) } : {};
});

const deleteItem = op<ItemInput>((sim, input): Out<Record<string, unknown>> => {
  const table = tableOf(sim, input.TableName);
  const key = keyOf(input.Key, table.partitionKey, 'key');
  const stored = table.items[key];
  checkCondition(input, stored);
  delete table.items[key];
  return input.ReturnValues === 'ALL_OLD' && stored ? { Attributes: stored } : {};
});

/** The DynamoDB operations, by operation name. */
export const dynamodbHandlers: Record<string, Handler> = {
  PutItem: putItem,
  GetItem: getItem,
  DeleteItem: deleteItem,
};
