// Counts the DynamoDB units every call consumes into the invocation under way (shared/usage.ts): ReturnConsumedCapacity
// INDEXES on every data call; against DynamoDB Local, transactions are counted from their items' sizes instead, because
// it reports only the distinct per-item values of a TransactWriteItems (five equal puts: 2 units, not 10).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { recordUsage } from '../shared/usage';
import { applyUpdate, indexWriteUnits, itemSize, unitsOf, updateEstimate, type Item } from './item-size';
import { TABLE_SCHEMA } from './keys';

interface ConsumedCapacity {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
}

type Input = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- every command's input, read by name

/** The data calls that take ReturnConsumedCapacity, and whether they read or write. */
const OPERATIONS: Record<string, 'read' | 'write' | 'transactWrite'> = {
  GetItem: 'read',
  Query: 'read',
  Scan: 'read',
  BatchGetItem: 'read',
  TransactGetItems: 'read',
  PutItem: 'write',
  UpdateItem: 'write',
  DeleteItem: 'write',
  BatchWriteItem: 'write',
  TransactWriteItems: 'transactWrite',
};

/** `PutCommand` (document client) and `PutItemCommand` name the same operation. */
function operationOf(commandName: string | undefined): string | undefined {
  const base = (commandName ?? '').replace(/Command$/, '');
  const name =
    base in OPERATIONS
      ? base
      : {
          Get: 'GetItem',
          Put: 'PutItem',
          Update: 'UpdateItem',
          Delete: 'DeleteItem',
          BatchGet: 'BatchGetItem',
          BatchWrite: 'BatchWriteItem',
          TransactWrite: 'TransactWriteItems',
          TransactGet: 'TransactGetItems',
        }[base];
  return name && name in OPERATIONS ? name : undefined;
}

const keyOf = (item: Item) => `${item[TABLE_SCHEMA.partitionKey]}\u0000${item[TABLE_SCHEMA.sortKey]}`;
const reported = (c: ConsumedCapacity | ConsumedCapacity[] | undefined, side: 'read' | 'write'): number =>
  [c ?? []].flat().reduce((sum, x) => sum + (x.CapacityUnits ?? (side === 'read' ? x.ReadCapacityUnits : x.WriteCapacityUnits) ?? 0), 0);

/**
 * The items this process last read whole or wrote, by key, so that a transaction's update knows the item it changes
 * (its size before and after, its index entries). Bounded; an item not here is sized from what the write says.
 */
export class KnownItems {
  private readonly items = new Map<string, Item>();
  constructor(private readonly limit = 50_000) {}

  get(key: Item): Item | undefined {
    return this.items.get(keyOf(key));
  }

  set(item: Item): void {
    const k = keyOf(item);
    this.items.delete(k);
    this.items.set(k, item);
    if (this.items.size > this.limit) this.items.delete(this.items.keys().next().value!);
  }

  forget(key: Item): void {
    this.items.delete(keyOf(key));
  }
}

/** One item of a transaction as it will be: the write units it takes, and the item it leaves (undefined: deleted or unknown). */
export function transactItemUnits(entry: Input, known: KnownItems): { wru: number; estimated: boolean; after?: Item; key: Item } {
  if (entry.Put) {
    const after = entry.Put.Item as Item;
    const before = known.get(after);
    return { wru: 2 * unitsOf(Math.max(itemSize(after), before ? itemSize(before) : 0)) + indexWriteUnits(before, after), estimated: false, after, key: after };
  }
  if (entry.Update) {
    const u = entry.Update;
    const before = known.get(u.Key);
    const after = before && applyUpdate(before, u.UpdateExpression, u.ExpressionAttributeNames, u.ExpressionAttributeValues);
    if (before && after)
      return { wru: 2 * unitsOf(Math.max(itemSize(before), itemSize(after))) + indexWriteUnits(before, after), estimated: false, after, key: u.Key };
    const guess = updateEstimate(u.Key, u.ExpressionAttributeValues);
    return { wru: 2 * unitsOf(Math.max(itemSize(guess), before ? itemSize(before) : 0)) + indexWriteUnits(undefined, guess), estimated: true, key: u.Key };
  }
  const key = (entry.Delete ?? entry.ConditionCheck).Key as Item;
  const before = known.get(key);
  const index = entry.Delete ? indexWriteUnits(before, undefined) : 0;
  return { wru: 2 * unitsOf(itemSize(before ?? key)) + index, estimated: !before, key };
}

/** Write units of a whole transaction, counted from its items; `succeeded` also puts what it wrote into `known`. */
export function transactionUnits(input: Input, known: KnownItems, succeeded: boolean): { wru: number; estimated: number } {
  let wru = 0;
  let estimated = 0;
  const outcomes = (input.TransactItems as Input[]).map((entry) => transactItemUnits(entry, known));
  for (const [i, outcome] of outcomes.entries()) {
    const entry = (input.TransactItems as Input[])[i];
    // A cancelled transaction writes no index entry; its items are still paid for.
    wru += succeeded ? outcome.wru : 2 * unitsOf(itemSize(outcome.after ?? known.get(outcome.key) ?? outcome.key));
    if (outcome.estimated) estimated++;
    if (!succeeded || entry.ConditionCheck) continue;
    if (outcome.after) known.set(outcome.after);
    else known.forget(outcome.key);
  }
  return { wru, estimated };
}

/** What a successful single call tells about the item it read or wrote. */
function remember(operation: string, input: Input, output: Input, known: KnownItems): void {
  const whole = !input.ProjectionExpression && !input.IndexName && !input.Select;
  if (operation === 'GetItem' && whole) {
    if (output.Item) known.set(output.Item);
    else known.forget(input.Key);
  } else if (operation === 'Query' && whole) for (const item of output.Items ?? []) known.set(item);
  else if (operation === 'BatchGetItem') {
    for (const [table, request] of Object.entries(input.RequestItems ?? {}) as Array<[string, Input]>) {
      if (!request.ProjectionExpression) for (const item of output.Responses?.[table] ?? []) known.set(item);
    }
  } else if (operation === 'PutItem') known.set(input.Item);
  else if (operation === 'DeleteItem') known.forget(input.Key);
  else if (operation === 'UpdateItem') {
    const before = known.get(input.Key);
    const after = before && applyUpdate(before, input.UpdateExpression, input.ExpressionAttributeNames, input.ExpressionAttributeValues);
    if (after) known.set(after);
    else known.forget(input.Key);
  }
}

/** A single write refused by its condition is billed all the same (DynamoDB Local reports nothing then): its item's size. */
function refusedWriteUnits(operation: string, input: Input, known: KnownItems): number {
  if (operation === 'PutItem') return unitsOf(itemSize(input.Item));
  const before = input.Key && known.get(input.Key);
  return before ? unitsOf(itemSize(before)) : 1;
}

/** One per process: the clients of every handler in it share what they know of the table (the local runtime's handlers write and read the same items). */
const processKnownItems = new KnownItems();

/**
 * Adds the counting to a client. `bySize`: count transactions from their items (DynamoDB Local); against AWS the
 * reported figures are right and used as they are.
 */
export function countCapacity(client: DynamoDBClient, options: { bySize: boolean; known?: KnownItems }): void {
  const known = options.known ?? processKnownItems;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const operation = operationOf(context.commandName);
      if (!operation) return next(args);
      const input = args.input as Input;
      input.ReturnConsumedCapacity = 'INDEXES';
      const kind = OPERATIONS[operation];
      try {
        const result = await next(args);
        const output = result.output as Input;
        if (kind === 'transactWrite' && options.bySize) {
          const { wru, estimated } = transactionUnits(input, known, true);
          recordUsage({ wru, wruBySize: wru, itemsEstimated: estimated, dynamoCalls: 1 });
        } else {
          const units = reported(output.ConsumedCapacity, kind === 'read' ? 'read' : 'write');
          recordUsage({ [kind === 'read' ? 'rru' : 'wru']: units, dynamoCalls: 1 });
          // Only what counting transactions by size needs: in AWS nothing is kept.
          if (options.bySize) remember(operation, input, output, known);
        }
        return result;
      } catch (error) {
        if (kind === 'transactWrite' && options.bySize) {
          const { wru, estimated } = transactionUnits(input, known, false);
          recordUsage({ wru, wruBySize: wru, itemsEstimated: estimated, dynamoCalls: 1 });
        } else if (kind === 'write' && (error as Error).name === 'ConditionalCheckFailedException') {
          recordUsage({ wru: refusedWriteUnits(operation, input, known), dynamoCalls: 1 });
        } else recordUsage({ dynamoCalls: 1 });
        throw error;
      }
    },
    { step: 'initialize', priority: 'low', name: 'alertlineCapacity', override: true },
  );
}
