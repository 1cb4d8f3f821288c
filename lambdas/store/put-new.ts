// Creating an item that must not exist yet, safely retried: the SDK retries a put whose answer timed out, and when the
// first attempt had landed, the retry fails its condition against the very item it wrote.
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { isDeepStrictEqual } from 'node:util';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { ifConditionFailed } from './sdk-errors';

/**
 * Puts `item` on the condition that its key is free. A failed condition whose key holds exactly this item is this
 * write's own first attempt (its answer was lost): success. Any other item there is a ConditionFailed for the caller.
 */
export async function putNew(ctx: StoreContext, item: Record<string, unknown> & { pk: string; sk: string }): Promise<void> {
  await ifConditionFailed(ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: item, ...conditions.isNew })), async (failure) => {
    const out = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: { pk: item.pk, sk: item.sk }, ConsistentRead: true }));
    if (!isDeepStrictEqual(withoutUndefined(out.Item ?? {}), withoutUndefined(item))) throw failure;
  });
}

/** The document client leaves out attributes that are undefined; so does the comparison. */
const withoutUndefined = (item: Record<string, unknown>) => Object.fromEntries(Object.entries(item).filter(([, v]) => v !== undefined));
