// The single-write path's idempotence: the event an alert's last single write applied, kept on the alert itself.
//
// An APPEND, ACCEPT, RESOLVE or new alert without escalation jobs is written with single conditional writes, not a
// transaction (half the write units): the alert first, marked with the event's id, then its lock where it changes,
// then the record. A crash between them leaves the mark; the event's next attempt finds it (findEarlierAttempt) and
// writes only what is missing. The mark is overwritten by the next event its source's queue group lets through, which
// comes only once this one has left the queue: applied, or parked. An event's last attempt writes a transaction, and
// first finishes what an earlier attempt left, so that a parked event leaves nothing half done behind, unless that
// last attempt fails before it has looked (an outage through all the attempts): see the README's Processing.
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Decision } from '../domain/alert';
import type { StoreContext } from './client';
import { getMany, queryKeys } from './items';
import { alertKeys, eventKeys, indexQuery, openAlertKeys, type Key } from './keys';

/** The decisions the single-write path applies: one alert item changes (or is created), its lock, the event's record. */
export const SINGLE_WRITE_KINDS = ['APPEND', 'ACCEPT', 'CREATE', 'RESOLVE'] as const;
export type SingleWriteKind = (typeof SINGLE_WRITE_KINDS)[number];

export const isSingleWriteKind = (kind: Decision['kind']): kind is SingleWriteKind => (SINGLE_WRITE_KINDS as readonly string[]).includes(kind);

/**
 * The mark's attribute on the alert item: the event's id. Its decision's kind follows from its type and the alert: an
 * ACCEPT accepts; an ALERT created the alert whose id is alertIdFor(its id), and appended to any other.
 */
export const MARK = { eventId: 'appliedEventId' } as const;

/** The mark as an attribute of a new alert's item. */
export const markOf = (eventId: string) => ({ [MARK.eventId]: eventId });

/** The single-write decision an event of this type makes on the alert it marked, if any. */
export const singleWriteKindOf = (event: { eventId: string; eventType: string }, markedAlertId: string): SingleWriteKind | undefined => {
  if (event.eventType === 'ACCEPT') return 'ACCEPT';
  if (event.eventType === 'RESOLVE') return 'RESOLVE';
  if (event.eventType !== 'ALERT') return undefined;
  return markedAlertId === alertIdFor(event.eventId) ? 'CREATE' : 'APPEND';
};

/** Whether an event of this type may have left a mark (a COMMENT never takes the single-write way). */
export const mayLeaveMark = (eventType: string): boolean => ['ALERT', 'ACCEPT', 'RESOLVE'].includes(eventType);

/**
 * The id of the alert an event creates: derived from the event's id (UUID-shaped, like other alert ids), so that every
 * attempt of the event creates the same alert, and a later one finds what an earlier one wrote.
 */
export function alertIdFor(eventId: string): string {
  const hex = createHash('sha256').update(`alert:${eventId}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** SET clause and values that mark an alert with the event applying to it. */
export const markSet = (eventId: string) => ({
  set: `${MARK.eventId} = :markEvent`,
  values: { ':markEvent': eventId },
});

/** The condition that makes the single write happen once: the alert does not carry this event's mark yet. */
export const notMarkedBy = (eventId: string) => ({
  ConditionExpression: `(attribute_not_exists(${MARK.eventId}) OR ${MARK.eventId} <> :markEvent)`,
  ExpressionAttributeValues: { ':markEvent': eventId },
});

/** Whether the alert (read consistently) carries the event's mark. */
export async function isMarkedBy(ctx: StoreContext, alertId: string, eventId: string): Promise<boolean> {
  const out = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: alertKeys.item(alertId), ConsistentRead: true, ProjectionExpression: MARK.eventId }),
  );
  return out.Item?.[MARK.eventId] === eventId;
}

/**
 * What an earlier attempt of an event left: nothing, its record (applied, or withdrawn with nothing written: a
 * duplicate), or its mark on an alert (to be finished, or, withdrawn, taken back).
 */
export type EarlierAttempt = { none: true } | { recorded: true } | { marked: { alertId: string } };

/**
 * How many index entries of a key's and of a source's newest alerts the mark is looked for among (a key's: of any
 * source, read before the source is filtered; keys-only entries, about a unit per 40).
 */
const NEWEST_LOOKED_AT = 100;

async function newestAlertKeys(ctx: StoreContext, index: 'gsi2' | 'gsi4', partition: string, alertSourceId: string): Promise<Key[]> {
  const query = indexQuery(index, partition);
  const page = await queryKeys(ctx, {
    ...query,
    ScanIndexForward: false,
    Limit: NEWEST_LOOKED_AT,
    FilterExpression: 'alertSourceId = :source',
    ExpressionAttributeValues: { ...query.ExpressionAttributeValues, ':source': alertSourceId },
  });
  return page.keys;
}

/**
 * What an earlier attempt of the event did, for an event that may have been tried before (a redelivery, a re-sent or
 * redriven message): read only then, never on a first delivery. Its record, if applied, says it all. Otherwise
 * (none, QUEUED, FAILED, or WITHDRAWN: a withdrawal may have come between an earlier attempt's writes, which are then
 * to be taken back) its mark is looked for on every alert it could have been applied to: the one it would have
 * created, those its key's lock and its source's lock name now, and the newest of its key and of its source (an
 * operator may have resolved it since, and the lock let it go).
 */
export async function findEarlierAttempt(
  ctx: StoreContext,
  event: { eventId: string; alertSourceId: string; alertKeyNormalized: string },
): Promise<EarlierAttempt> {
  const record = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: eventKeys.item(event.eventId), ConsistentRead: true, ProjectionExpression: 'outcome' }),
  );
  const outcome = record.Item?.outcome as string | undefined;
  const withdrawn = outcome === 'WITHDRAWN';
  if (outcome !== undefined && outcome !== 'QUEUED' && outcome !== 'FAILED' && !withdrawn) return { recorded: true };
  const locks = await getMany(ctx, [openAlertKeys.item(event.alertSourceId, event.alertKeyNormalized), openAlertKeys.source(event.alertSourceId)], {
    consistent: true,
  });
  const [byKey, bySource] = await Promise.all([
    newestAlertKeys(ctx, 'gsi4', alertKeys.byAlertKeyPartition(event.alertKeyNormalized), event.alertSourceId),
    newestAlertKeys(ctx, 'gsi2', alertKeys.bySourcePartition(event.alertSourceId), event.alertSourceId),
  ]);
  const named = locks.flatMap((lock) => [...((lock.openAlertIds as string[] | undefined) ?? []), ...(lock.alertId ? [lock.alertId as string] : [])]);
  const candidates = [alertKeys.item(alertIdFor(event.eventId)), ...named.map((id) => alertKeys.item(id)), ...byKey, ...bySource];
  const keys = [...new Map(candidates.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
  const alerts = await getMany(ctx, keys, { consistent: true, projection: ['pk', 'sk', 'id', MARK.eventId] });
  const marked = alerts.find((item) => item[MARK.eventId] === event.eventId);
  if (marked) return { marked: { alertId: marked.id as string } };
  return withdrawn ? { recorded: true } : { none: true };
}
