// An alert's log, paged: the operators' entries (items under the alert) merged with the events' (on their records, listed on gsi2).
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LogEntry } from '../domain/alert';
import { EVENT_LOG_FIELDS, eventLogFromItem, operatorLogFromItem, positionOf } from './alert-rows';
import type { StoreContext } from './client';
import { decodeCursor, encodeCursor } from './cursor';
import { getMany, queryKeys } from './items';
import { creationPosition, indexQueries, operatorLogQuery } from './keys';

export interface LogPage {
  limit: number;
  cursor?: string;
}

/** What one page of log entries may weigh, well under Lambda's 6 MB response limit (an entry's text may be 64 KiB). */
const PAGE_BYTES = 1024 * 1024;

/** DynamoDB orders string keys by their UTF-8 bytes; positions are ASCII, where that is the code unit order. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The first entries, at most `limit` of them and at most PAGE_BYTES (but always one). */
function withinBudget(entries: LogEntry[], limit: number): LogEntry[] {
  let bytes = 0;
  const page: LogEntry[] = [];
  for (const entry of entries.slice(0, limit)) {
    bytes += Buffer.byteLength(JSON.stringify(entry));
    if (page.length > 0 && bytes > PAGE_BYTES) break;
    page.push(entry);
  }
  return page;
}

/**
 * One page of an alert's log, oldest first. Both sources are sorted by the same `<createdAt>#<id>` value: each page
 * reads at most one page more than asked from each, after the position the cursor carries, and merges them, so the
 * page is exact whatever the mix. A page also stops at PAGE_BYTES, as one entry's text may be up to 64 KiB.
 */
export async function logEntries(ctx: StoreContext, alertId: string, page: LogPage): Promise<{ items: LogEntry[]; nextCursor?: string }> {
  const query = { listing: 'log-entries', alertId };
  const after = decodeCursor(query, page.cursor, creationPosition.isValid);
  const [own, onEvents] = await Promise.all([operatorLog(ctx, alertId, after, page.limit + 1), eventLog(ctx, alertId, after, page.limit + 1)]);
  const merged = [...own, ...onEvents.entries].sort((a, b) => compare(positionOf(a), positionOf(b)));
  const items = withinBudget(merged, page.limit);
  const more = items.length > 0 && (merged.length > items.length || onEvents.more);
  return { items, nextCursor: more ? encodeCursor(query, positionOf(items[items.length - 1])) : undefined };
}

/** Up to `limit` operator entries of the alert after `after`, oldest first (items under the alert, so always found). */
async function operatorLog(ctx: StoreContext, alertId: string, after: string | undefined, limit: number): Promise<LogEntry[]> {
  // The range is inclusive: the entry at `after` (the previous page's last) is read again and dropped.
  const out = await ctx.db.send(new QueryCommand({ TableName: ctx.tableName, ...operatorLogQuery(alertId, after), Limit: limit + 1 }));
  return (out.Items ?? [])
    .map(operatorLogFromItem)
    .filter((e) => after === undefined || positionOf(e) > after)
    .slice(0, limit);
}

/**
 * Up to `limit` events' entries of the alert after `after`, oldest first. `more` says the index listed `limit`: a
 * record listed but not found (never expected: such records do not expire) must not end the log early.
 */
async function eventLog(ctx: StoreContext, alertId: string, after: string | undefined, limit: number): Promise<{ entries: LogEntry[]; more: boolean }> {
  const { keys } = await queryKeys(ctx, { ...indexQueries.eventLogEntries(alertId, after), Limit: limit });
  const entries = (await getMany(ctx, keys, { projection: EVENT_LOG_FIELDS })).map(eventLogFromItem);
  return { entries, more: keys.length === limit };
}
