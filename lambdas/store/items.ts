// Reading items by key in bulk, in the order asked, for listings served from keys-only indexes.
import { BatchGetCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { indexQueries, type Key } from './keys';
import type { StoreContext } from './client';

/** Items by key, in the order asked (missing ones left out); `consistent` for reads a conditional write will rely on. */
export async function getMany(
  ctx: StoreContext,
  keys: Key[],
  options: { consistent?: boolean; projection?: string[] } = {},
): Promise<Record<string, unknown>[]> {
  const projection = options.projection && {
    ProjectionExpression: options.projection.map((_, i) => `#p${i}`).join(', '),
    ExpressionAttributeNames: Object.fromEntries(options.projection.map((name, i) => [`#p${i}`, name])),
  };
  const found = new Map<string, Record<string, unknown>>();
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Key[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const out = await ctx.db.send(
        new BatchGetCommand({ RequestItems: { [ctx.tableName]: { Keys: pending, ConsistentRead: options.consistent, ...projection } } }),
      );
      for (const item of out.Responses?.[ctx.tableName] ?? []) found.set(`${item.pk}|${item.sk}`, item);
      pending = out.UnprocessedKeys?.[ctx.tableName]?.Keys as Key[] | undefined;
    }
  }
  return keys.map((k) => found.get(`${k.pk}|${k.sk}`)).filter((x): x is Record<string, unknown> => x !== undefined);
}

/** One page of a keys-only index: up to `limit` keys, newest first unless `ascending`, with DynamoDB's continuation key. */
export async function queryKeys(ctx: StoreContext, input: Omit<QueryCommandInput, 'TableName'>): Promise<{ keys: Key[]; lastKey?: Record<string, unknown> }> {
  const out = await ctx.db.send(new QueryCommand({ TableName: ctx.tableName, ...input }));
  return {
    keys: (out.Items ?? []).map((item) => ({ pk: item.pk as string, sk: item.sk as string })),
    lastKey: out.LastEvaluatedKey,
  };
}

/** Every item of one kind listed on gsi1 (alert sources, escalation policies), newest first, read whole page by page. */
export async function listKind(ctx: StoreContext, partition: string): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const page = await queryKeys(ctx, { ...indexQueries.kind(partition), ScanIndexForward: false, ExclusiveStartKey: start });
    items.push(...(await getMany(ctx, page.keys)));
    start = page.lastKey;
  } while (start);
  return items;
}
