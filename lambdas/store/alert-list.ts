// The alert listing: newest first, from the most selective index for its filters (see alertListingIndex in keys.ts).
import type { Alert, AlertStatus } from '../domain/alert';
import { normalizeAlertKey } from '../domain/event';
import { alertFromItem, alertStatusOf } from './alert-rows';
import type { StoreContext } from './client';
import { decodeCursor, encodeCursor } from './cursor';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { getMany, queryKeys } from './items';
import { alertKeys, alertListingIndex, creationPosition, indexQuery, type IndexName, type IndexQuery, type Key, type ListingCover } from './keys';

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
/**
 * How many alert items one listing request may read to fill a page under a status filter its index does not apply
 * (about 0.5 read units each: the items are under 1 KB), and how many one round may read (a batch read's most).
 */
const MAX_EXAMINED = 200;
const MAX_ROUND_SIZE = 100;

/**
 * The filters the index's partition does not apply, as far as its entries show them: the alert source (projected on
 * every entry). An alert's status is on its item (`alertStatus`, which no index projects), so a status filter is
 * applied to the items read (see readFiltered); here it only leaves out the entries of alerts written before, which
 * still project `status`, whose status is another.
 */
function residualFilter(filter: AlertFilter, covers: ListingCover) {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const clauses: string[] = [];
  if (filter.statuses && !covers.statuses) {
    names['#status'] = 'status';
    const listed = filter.statuses.map((s, i) => ((values[`:s${i}`] = s), `:s${i}`)).join(', ');
    clauses.push(`(attribute_not_exists(#status) OR #status IN (${listed}))`);
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

/** The index's query, newest first, with the residual filter. */
function pageQuery(keyCondition: IndexQuery, filter: AlertFilter, covers: ListingCover) {
  const { values, ...residual } = residualFilter(filter, covers);
  return { ...keyCondition, ...residual, ExpressionAttributeValues: { ...keyCondition.ExpressionAttributeValues, ...values }, ScanIndexForward: false };
}

/** A page of alerts and the position it stopped at (undefined: the index has no more). */
interface Page {
  items: Alert[];
  position?: string;
}

/**
 * The index applies every filter: each round reads at most the number still wanted, so the continuation key is
 * exact; a sparse alert source filter (on gsi4) may need several rounds, bounded so that one request stays cheap.
 */
async function readCovered(ctx: StoreContext, index: IndexName, query: ReturnType<typeof pageQuery>, limit: number): Promise<Page> {
  let start: Record<string, unknown> | undefined;
  const keys: Key[] = [];
  for (let round = 0; round < MAX_ROUNDS && keys.length < limit; round++) {
    const page = await queryKeys(ctx, { ...query, Limit: limit - keys.length, ExclusiveStartKey: start });
    keys.push(...page.keys);
    start = page.lastKey;
    if (!start) break;
  }
  return { items: await alertsWithDetails(ctx, keys), position: start?.[`${index}sk`] as string | undefined };
}

/** One partition of gsi3: its newest `size` entries before `before`, and whether it has more. */
async function statusPartitionPage(ctx: StoreContext, partition: string, before: string | undefined, size: number) {
  const out = await ctx.db.send(
    new QueryCommand({
      TableName: ctx.tableName,
      ...indexQuery('gsi3', partition, before === undefined ? undefined : { before }),
      ScanIndexForward: false,
      Limit: size,
    }),
  );
  const entries = (out.Items ?? []).map((item) => ({ key: { pk: item.pk as string, sk: item.sk as string }, position: item.gsi3sk as string }));
  return { entries, more: out.LastEvaluatedKey !== undefined };
}

/** Newest first, as the index sorts positions (by code unit: DynamoDB's binary order for these ASCII values). */
const newestFirst = (a: { position: string }, b: { position: string }) => (a.position < b.position ? 1 : a.position > b.position ? -1 : 0);

/**
 * Several status partitions of gsi3 (all alerts, several statuses, or one open status: see alertListingIndex), merged
 * newest first. Each round reads every partition from where the page stands; of the merged entries only those down to
 * the horizon are sure to be all there are (a partition that has more stops at its last entry), and are examined in
 * order: kept as they are, or, under `statuses` (STATUS#OPEN holds both open statuses), kept if their item's status is
 * one of them. Rounds double as a sparse filter needs, within MAX_ROUNDS and MAX_EXAMINED, as readFiltered's do.
 */
async function readMerged(ctx: StoreContext, partitions: string[], before: string | undefined, limit: number, statuses?: AlertStatus[]): Promise<Page> {
  const wanted = statuses && new Set<string>(statuses);
  const kept: Key[] = [];
  let position = before;
  let examined = 0;
  for (let round = 0; round < MAX_ROUNDS && kept.length < limit && examined < MAX_EXAMINED; round++) {
    const size = Math.min(MAX_ROUND_SIZE, MAX_EXAMINED - examined, (limit - kept.length) * 2 ** round);
    const pages = await Promise.all(partitions.map((partition) => statusPartitionPage(ctx, partition, position, size)));
    const unfinished = pages.filter((page) => page.more && page.entries.length > 0);
    const horizon =
      unfinished.length > 0
        ? unfinished
            .map((page) => page.entries[page.entries.length - 1].position)
            .sort()
            .at(-1)!
        : undefined;
    const merged = pages
      .flatMap((page) => page.entries)
      .filter((entry) => horizon === undefined || entry.position >= horizon)
      .sort(newestFirst);
    const sure = wanted ? merged : merged.slice(0, limit - kept.length);
    const items = wanted
      ? new Map(
          (
            await getMany(
              ctx,
              sure.map((entry) => entry.key),
            )
          ).map((item) => [item.pk as string, item]),
        )
      : undefined;
    let full = false;
    for (const [i, entry] of sure.entries()) {
      examined++;
      const item = items?.get(entry.key.pk);
      if (!items || (item && wanted!.has(alertStatusOf(item)))) kept.push(entry.key);
      if (kept.length < limit) continue;
      // Full: the page stops here, unless nothing comes after.
      const after = i < merged.length - 1 || unfinished.length > 0;
      position = after ? entry.position : undefined;
      full = true;
      break;
    }
    if (full) return { items: await alertsWithDetails(ctx, kept), position };
    if (horizon === undefined) return { items: await alertsWithDetails(ctx, kept), position: undefined };
    position = horizon;
  }
  return { items: await alertsWithDetails(ctx, kept), position };
}

/**
 * A status filter the index does not apply: the alert items are read by key, round by round, and those of another
 * status left out, until the page holds `limit` alerts or the index ends. A round reads the number still wanted at
 * first, then twice as many each round (a sparse filter), within MAX_EXAMINED items and MAX_ROUNDS rounds; a page may
 * then be short (even empty) with a cursor. The page stops at the last item examined: the one that filled it, or the
 * end of the last round. The details are read for the alerts kept only.
 */
async function readFiltered(ctx: StoreContext, index: IndexName, query: ReturnType<typeof pageQuery>, limit: number, statuses: AlertStatus[]): Promise<Page> {
  const wanted = new Set<string>(statuses);
  const kept: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  let position: string | undefined;
  let examined = 0;
  for (let round = 0; round < MAX_ROUNDS && kept.length < limit && examined < MAX_EXAMINED; round++) {
    const size = Math.min(MAX_ROUND_SIZE, MAX_EXAMINED - examined, (limit - kept.length) * 2 ** round);
    const page = await queryKeys(ctx, { ...query, Limit: size, ExclusiveStartKey: start });
    examined += page.keys.length;
    const items = await getMany(ctx, page.keys);
    start = page.lastKey;
    position = start?.[`${index}sk`] as string | undefined;
    for (const [i, item] of items.entries()) {
      if (!wanted.has(alertStatusOf(item))) continue;
      kept.push(item);
      if (kept.length < limit) continue;
      // Full: the page stops at this alert, unless it was the index's last.
      if (i < items.length - 1 || start) position = creationPosition.of(item.createdAt as string, item.id as string);
      break;
    }
    if (!start) break;
  }
  const details = await getMany(
    ctx,
    kept.map((item) => alertKeys.details(item.id as string)),
  );
  const detailsOf = new Map(details.map((item) => [item.pk, item]));
  return { items: kept.map((item) => alertFromItem(item, detailsOf.get(item.pk))), position };
}

/**
 * Alerts newest first; the filters the index does not cover are applied on its projected attributes, a status on the
 * items themselves. A page holds at most `limit` alerts; follow nextCursor until it is absent. The cursor carries the
 * index sort key where the page stopped, bound to the index, partition and filters.
 */
export async function listAlerts(ctx: StoreContext, filter: AlertFilter): Promise<{ items: Alert[]; nextCursor?: string }> {
  const alertKey = filter.alertKey ? normalizeAlertKey(filter.alertKey.trim()) : undefined;
  const { index, partitions, covers } = alertListingIndex({ ...filter, alertKey });
  const query = {
    listing: 'alerts',
    index,
    partition: partitions.join(','),
    statuses: filter.statuses && [...filter.statuses].sort(),
    alertSourceId: filter.alertSourceId,
  };
  const before = decodeCursor(query, filter.cursor, creationPosition.isValid);
  if (index === 'gsi3') {
    const merged = await readMerged(ctx, partitions, before, filter.limit, covers.statuses ? undefined : filter.statuses);
    return { items: merged.items, nextCursor: encodeCursor(query, merged.position) };
  }
  const pages = pageQuery(indexQuery(index, partitions[0], before === undefined ? undefined : { before }), filter, covers);
  const page =
    filter.statuses && !covers.statuses
      ? await readFiltered(ctx, index, pages, filter.limit, filter.statuses)
      : await readCovered(ctx, index, pages, filter.limit);
  return { items: page.items, nextCursor: encodeCursor(query, page.position) };
}
