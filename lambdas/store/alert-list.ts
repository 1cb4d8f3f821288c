// The alert listing: newest first, from the most selective index for its filters (see alertListingIndex in keys.ts).
import type { Alert, AlertStatus } from '../domain/alert';
import { normalizeAlertKey } from '../domain/event';
import { alertFromItem } from './alert-rows';
import type { StoreContext } from './client';
import { decodeCursor, encodeCursor } from './cursor';
import { getMany, queryKeys } from './items';
import { alertKeys, alertListingIndex, creationPosition, indexQuery, type Key, type ListingCover } from './keys';

export interface AlertFilter {
  statuses?: AlertStatus[];
  alertSourceId?: string;
  alertKey?: string;
  limit: number;
  cursor?: string;
}

/** The alerts of `keys`, in their order, each with its details item (one batch read for both). */
async function alertsWithDetails(ctx: StoreContext, keys: Key[]): Promise<Alert[]> {
  const isDetails = (item: Record<string, unknown>) => item.sk === alertKeys.detailsSortKey;
  const found = await getMany(ctx, [...keys, ...keys.map((key) => ({ pk: key.pk, sk: alertKeys.detailsSortKey }))]);
  const details = new Map(found.filter(isDetails).map((item) => [item.pk, item]));
  return found.filter((item) => !isDetails(item)).map((item) => alertFromItem(item, details.get(item.pk)));
}

/** How many index pages one listing request may read when a sparse filter leaves most of each page out. */
const MAX_ROUNDS = 10;

/** The filters the index's partition does not apply, on the attributes it projects. */
function residualFilter(filter: AlertFilter, covers: ListingCover) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  if (filter.statuses && !covers.statuses) {
    names['#status'] = 'status';
    clauses.push(`#status IN (${filter.statuses.map((s, i) => ((values[`:s${i}`] = s), `:s${i}`)).join(', ')})`);
  }
  if (filter.alertSourceId && !covers.alertSourceId) {
    clauses.push('alertSourceId = :source');
    values[':source'] = filter.alertSourceId;
  }
  return {
    FilterExpression: clauses.length ? clauses.join(' AND ') : undefined,
    ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
    values,
  };
}

/**
 * Alerts newest first; the filters the index does not cover are applied on its projected attributes. A page holds at
 * most `limit` alerts; follow nextCursor until it is absent. The cursor carries the index sort key where the page
 * stopped, bound to the index, partition and filters.
 */
export async function listAlerts(ctx: StoreContext, filter: AlertFilter): Promise<{ items: Alert[]; nextCursor?: string }> {
  const alertKey = filter.alertKey ? normalizeAlertKey(filter.alertKey.trim()) : undefined;
  const { index, partition, covers } = alertListingIndex({ ...filter, alertKey });
  const query = {
    listing: 'alerts',
    index,
    partition,
    statuses: filter.statuses && [...filter.statuses].sort(),
    alertSourceId: filter.alertSourceId,
  };
  const before = decodeCursor(query, filter.cursor, creationPosition.isValid);
  const keyCondition = indexQuery(index, partition, before === undefined ? undefined : { before });
  const { values, ...residual } = residualFilter(filter, covers);
  let start: Record<string, unknown> | undefined;
  const keys: Key[] = [];
  // Each round reads at most the number still wanted, so the continuation key is exact; a sparse filter may
  // need several rounds, bounded so that one request stays cheap.
  for (let round = 0; round < MAX_ROUNDS && keys.length < filter.limit; round++) {
    const page = await queryKeys(ctx, {
      ...keyCondition,
      ...residual,
      ExpressionAttributeValues: { ...keyCondition.ExpressionAttributeValues, ...values },
      ScanIndexForward: false,
      Limit: filter.limit - keys.length,
      ExclusiveStartKey: start,
    });
    keys.push(...page.keys);
    start = page.lastKey;
    if (!start) break;
  }
  const items = await alertsWithDetails(ctx, keys);
  return { items, nextCursor: encodeCursor(query, start?.[`${index}sk`] as string | undefined) };
}
