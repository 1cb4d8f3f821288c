// The single-write path's idempotence: the event an alert's last single write applied, kept on the alert itself (and
// the mark it replaced, kept on the alert and on the replacing event's record).
//
// An APPEND, ACCEPT, RESOLVE or new alert without escalation jobs is written with single conditional writes, not a
// transaction (half the write units): the alert first, marked with the event's id, then its lock where it changes,
// then the record. A crash between them leaves the mark; the event's next attempt finds it (findEarlierAttempt) and
// writes only what is missing. The mark is overwritten by the next event its source's queue group lets through, which
// comes only once this one has left the queue: applied, or parked. An event's last attempt writes a transaction, and
// first finishes what an earlier attempt left. If that last attempt fails before it has looked (an outage through all
// the attempts), the event is parked with its mark left behind, and later events overwrite it. So that its redrive
// still finds it, the mark an alert write replaces is kept: on the alert (previousEventId) and on the record of the
// event that replaced it (replacedEventId), which stays in the alert's log. A new alert's id is derived from its
// event's, so the alert itself is the mark of its creation.
import { createHash } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Decision } from '../domain/alert';
import type { StoreContext } from './client';
import { getMany, queryKeys } from './items';
import { alertKeys, eventKeys, indexQueries, indexQuery, openAlertKeys, type Key } from './keys';
import type { ConditionFailed } from './sdk-errors';

/** The decisions the single-write path applies: one alert item changes (or is created), its lock, the event's record. */
export const SINGLE_WRITE_KINDS = ['APPEND', 'ACCEPT', 'CREATE', 'RESOLVE'] as const;
export type SingleWriteKind = (typeof SINGLE_WRITE_KINDS)[number];

export const isSingleWriteKind = (kind: Decision['kind']): kind is SingleWriteKind => (SINGLE_WRITE_KINDS as readonly string[]).includes(kind);

/**
 * The mark's attribute on the alert item: the event's id. Its decision's kind follows from its type and the alert: an
 * ACCEPT accepts; an ALERT created the alert whose id is alertIdFor(its id), and appended to any other. `previous`: on
 * the alert, the mark its last single write replaced ('' for none); `replaced`: the same, on that event's record.
 */
export const MARK = { eventId: 'appliedEventId', previous: 'previousEventId', replaced: 'replacedEventId' } as const;

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

/** SET clause and values that mark an alert with the event applying to it, keeping the mark it replaces. */
export const markSet = (eventId: string) => ({
  set: `${MARK.previous} = if_not_exists(${MARK.eventId}, :noMark), ${MARK.eventId} = :markEvent`,
  values: { ':markEvent': eventId, ':noMark': '' },
});

/**
 * SET clause and values that take an event's mark back off an alert: the one it replaced is the mark again, and none
 * before it (so that taking back twice cannot make the restored mark this event's again).
 */
export const markRestore = {
  set: `${MARK.eventId} = if_not_exists(${MARK.previous}, :noMark), ${MARK.previous} = :noMark`,
  values: { ':noMark': '' },
};

/** An event's record as it stands (read consistently): its outcome, and when it was processed (or parked). */
export async function recordOf(ctx: StoreContext, eventId: string): Promise<{ outcome?: string; processedAt?: string }> {
  const out = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: eventKeys.item(eventId), ConsistentRead: true, ProjectionExpression: 'outcome, processedAt' }),
  );
  return { outcome: out.Item?.outcome as string | undefined, processedAt: out.Item?.processedAt as string | undefined };
}

/**
 * The condition that makes the single write happen once: the alert carries this event's mark neither as its mark nor
 * as the one before, so that a write sent again (the SDK retrying an attempt whose answer was lost) after another
 * event's write is refused too (see landedOn).
 */
export const notMarkedBy = (eventId: string) => ({
  ConditionExpression:
    `(attribute_not_exists(${MARK.eventId}) OR ${MARK.eventId} <> :markEvent) AND ` +
    `(attribute_not_exists(${MARK.previous}) OR ${MARK.previous} <> :markEvent)`,
  ExpressionAttributeValues: { ':markEvent': eventId },
});

/**
 * Whether the event's write landed on the alert after all, when its conditional write was refused (`failure`), read
 * consistently: its mark is there (an earlier delivery's write, or an attempt of this very call that the SDK retried),
 * then {replaced}: the mark its write replaced, which the event's record keeps; or another event's write came since and
 * keeps it as the mark before (then its replaced mark is unknown); or, when the refused call was retried (an attempt of
 * it may have landed, and more writes come since: processors racing on one key), a record in the alert's log says it
 * replaced it. Undefined: the alert changed since it was read, and the event's write did not land (a conflict).
 */
export async function landedOn(
  ctx: StoreContext,
  alertId: string,
  event: { eventId: string; receivedAt: string },
  failure: ConditionFailed,
): Promise<{ replaced?: string } | undefined> {
  const out = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: alertKeys.item(alertId), ConsistentRead: true, ProjectionExpression: `${MARK.eventId}, ${MARK.previous}` }),
  );
  if (out.Item?.[MARK.eventId] === event.eventId) return { replaced: (out.Item[MARK.previous] as string | undefined) || undefined };
  if (out.Item?.[MARK.previous] === event.eventId) return {};
  const attempts = (failure.cause as { $metadata?: { attempts?: number } } | undefined)?.$metadata?.attempts;
  if (attempts === 1) return undefined;
  const since = searchedSince(event.receivedAt, undefined);
  return since !== undefined && (await supersededOn(ctx, [alertId], since, event.eventId)) ? {} : undefined;
}

/**
 * What an earlier attempt of an event left: nothing, its record (applied, or withdrawn with nothing written: a
 * duplicate), its mark on an alert (to be finished, or, withdrawn, taken back; `replaced`: the mark it replaced, for
 * its record), or its effect on an alert that later events wrote over since (superseded: only its record is missing).
 */
export type EarlierAttempt = { none: true } | { recorded: true } | { marked: { alertId: string; replaced?: string } } | { superseded: { alertId: string } };

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

/** How many of an alert's log entries, from where the event's attempts began on, are read for the record that replaced its mark. */
const LOG_ENTRIES_READ = 1000;
/** How many alerts' logs are searched: those its key's and its source's locks name, then its key's newest. */
const ALERT_LOGS_SEARCHED = 5;
/** Slack for clocks: in AWS ingest's and the processor's are not the same machine's. */
const CLOCK_SLACK_MS = 60_000;

/**
 * The alert whose log holds a record that says it replaced the event's mark: the event was applied there, and later
 * events on top of it. Read oldest first, a page at a time, from where the event's attempts could have begun (its
 * parking's time, or its arrival): the event that replaced the mark came after them, as its source's queue group held
 * it back until this one was parked.
 */
async function supersededOn(ctx: StoreContext, alertIds: string[], since: string, eventId: string): Promise<string | undefined> {
  const searched = await Promise.all(
    alertIds.map(async (alertId) => {
      let read = 0;
      let start: Record<string, unknown> | undefined;
      do {
        const page = await queryKeys(ctx, {
          ...indexQueries.eventLogEntries(alertId, since),
          Limit: Math.min(100, LOG_ENTRIES_READ - read),
          ExclusiveStartKey: start,
        });
        read += page.keys.length;
        start = page.lastKey;
        const records = await getMany(ctx, page.keys, { projection: ['pk', 'sk', MARK.replaced] });
        if (records.some((record) => record[MARK.replaced] === eventId)) return alertId;
      } while (start && read < LOG_ENTRIES_READ);
      return undefined;
    }),
  );
  return searched.find((alertId) => alertId !== undefined);
}

/** Where a search of logs for an event begins: a minute before its parking (FAILED), or its arrival; none if unreadable. */
function searchedSince(receivedAt: string, failedAt: string | undefined): string | undefined {
  const at = Date.parse(failedAt ?? receivedAt);
  return Number.isFinite(at) ? new Date(at - CLOCK_SLACK_MS).toISOString() : undefined;
}

/**
 * What an earlier attempt of the event did, for an event that may have been tried before (a redelivery, a re-sent or
 * redriven message): read only then, never on a first delivery. Its record, if applied, says it all. Otherwise
 * (none, QUEUED, FAILED, or WITHDRAWN: a withdrawal may have come between an earlier attempt's writes, which are then
 * to be taken back) its mark is looked for on every alert it could have been applied to: the one it would have
 * created, those its key's lock and its source's lock name now, and the newest of its key and of its source (an
 * operator may have resolved it since, and the lock let it go).
 *
 * An event that was parked may find its mark overwritten by its source's later events (see the top of this file): the
 * alert it would have created exists, an alert keeps its mark as the one before, or (searched only for an event parked
 * FAILED, or old enough to have been parked: `mayHaveBeenParked`) a record in the log of one of its key's alerts says
 * it replaced it. Then it was applied there, for good: later events stand on it, so a withdrawn one is not taken back.
 */
export async function findEarlierAttempt(
  ctx: StoreContext,
  event: { eventId: string; receivedAt: string; alertSourceId: string; alertKeyNormalized: string },
  options: { mayHaveBeenParked?: boolean } = {},
): Promise<EarlierAttempt> {
  const record = await recordOf(ctx, event.eventId);
  const outcome = record.outcome;
  const withdrawn = outcome === 'WITHDRAWN';
  const failed = outcome === 'FAILED';
  if (outcome !== undefined && outcome !== 'QUEUED' && !failed && !withdrawn) return { recorded: true };
  const locks = await getMany(ctx, [openAlertKeys.item(event.alertSourceId, event.alertKeyNormalized), openAlertKeys.source(event.alertSourceId)], {
    consistent: true,
  });
  const [byKey, bySource] = await Promise.all([
    newestAlertKeys(ctx, 'gsi4', alertKeys.byAlertKeyPartition(event.alertKeyNormalized), event.alertSourceId),
    newestAlertKeys(ctx, 'gsi2', alertKeys.bySourcePartition(event.alertSourceId), event.alertSourceId),
  ]);
  const named = locks.flatMap((lock) => [...((lock.openAlertIds as string[] | undefined) ?? []), ...(lock.alertId ? [lock.alertId as string] : [])]);
  const created = alertIdFor(event.eventId);
  const candidates = [alertKeys.item(created), ...named.map((id) => alertKeys.item(id)), ...byKey, ...bySource];
  const keys = [...new Map(candidates.map((k) => [`${k.pk}|${k.sk}`, k])).values()];
  const alerts = await getMany(ctx, keys, { consistent: true, projection: ['pk', 'sk', 'id', MARK.eventId, MARK.previous] });

  const marked = alerts.find((item) => item[MARK.eventId] === event.eventId);
  if (marked) return { marked: { alertId: marked.id as string, replaced: (marked[MARK.previous] as string | undefined) || undefined } };
  if (withdrawn) return { recorded: true };

  const kept = alerts.find((item) => item.id === created || item[MARK.previous] === event.eventId);
  if (kept) return { superseded: { alertId: kept.id as string } };
  const since = searchedSince(event.receivedAt, failed ? record.processedAt : undefined);
  if (!(failed || options.mayHaveBeenParked) || since === undefined) return { none: true };
  const logsOf = [...new Set([...named, ...byKey.map((key) => alertKeys.idOf(key))])].slice(0, ALERT_LOGS_SEARCHED);
  const alertId = await supersededOn(ctx, logsOf, since, event.eventId);
  return alertId ? { superseded: { alertId } } : { none: true };
}
