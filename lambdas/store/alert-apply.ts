// Applying the processor's decisions: the transaction of one event (its outcome and the decision's effects), and what a cancelled one means.
import { GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OUTCOME_OF, type Alert, type Decision, type EventOutcome, type LogEntry } from '../domain/alert';
import type { EscalationJob } from '../domain/escalation';
import type { AcceptedEvent } from '../domain/event';
import { lockOpen, lockRelease, lockWrite, type LockState } from './alert-locks';
import { alertDetailsItem, alertItem } from './alert-rows';
import { isMarkedBy, isSingleWriteKind, markSet, notMarkedBy, undoSingleWrite, type SingleWriteKind } from './applied-marker';
import { alertUpdate, statusChange, type Condition } from './alert-status';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { jobPut } from './escalation-jobs';
import { Conflict } from './errors';
import { eventExpiresAt, eventRecordFields } from './events';
import { eventKeys, logEntryKeys, openAlertKeys, type Key } from './keys';
import { ConditionFailed, ifConditionFailed, toStoreError } from './sdk-errors';
import { keyOf, keyString, MAX_TRANSACTION_ITEMS, type TransactItem } from './transactions';

/** What applying an event needs besides the decision: the event, the clock, the locks as read, fresh ids, and the alert to create. */
export interface Application {
  eventId: string;
  alertSourceId: string;
  alertKeyNormalized: string;
  now: string;
  locks: LockState;
  logEntry?: { id: string; type: LogEntry['type']; text: string };
  newAlert?: Alert;
  /** ONE_PENDING_ALERT_ALLOWED: an ALERT appends only to a PENDING alert. */
  pendingOnly?: boolean;
  /** Decided on the key's lock alone (see NewestAlert): the alert is assumed open, PENDING and not escalating. */
  fromLock?: boolean;
  /** Escalation jobs the decision makes (a new alert's first level, an accept's or resolve's notices), written with it. */
  jobs?: EscalationJob[];
  /**
   * The event's own fields, SET on its record with the outcome: in AWS ingest writes no record, so this update creates
   * it whole (see eventUpdate).
   */
  received: Pick<AcceptedEvent, 'eventType' | 'alertKey' | 'receivedAt'>;
  /**
   * An APPEND or ACCEPT that writes only its alert and its record may do so in two single writes instead of a
   * transaction (see applied-marker.ts). Not on an event's last attempt: a crash between the two writes must leave a
   * mark its next attempt finds, and after the last one the queue lets the source's later events overwrite it.
   */
  singleWrite?: boolean;
}

export type ApplyResult = { applied: EventOutcome; alertId?: string } | { duplicate: true } | { conflict: true };

/** The alert an event's decision acts on (the new one for CREATE), if any. */
const alertIdOf = (decision: Decision, app: Application): string | undefined =>
  decision.kind === 'CREATE' ? app.newAlert!.id : 'alert' in decision ? decision.alert.id : undefined;

/**
 * The event's identifying fields (and, without a log entry, its expiry), SET with the outcome: on a record ingest
 * never wrote (AWS), the update creates the whole record; on a QUEUED or FAILED one it rewrites the same values.
 */
function identityOf(app: Application, withExpiry: boolean) {
  const fields: Record<string, unknown> = {
    ...eventRecordFields({ eventId: app.eventId, alertSourceId: app.alertSourceId, ...app.received }),
    ...(withExpiry ? { expiresAt: eventExpiresAt(app.received.receivedAt) } : {}),
  };
  const entries = Object.entries(fields);
  return {
    sets: entries.map(([name]) => `#id_${name} = :id_${name}`),
    names: Object.fromEntries(entries.map(([name]) => [`#id_${name}`, name])),
    values: Object.fromEntries(entries.map(([name, value]) => [`:id_${name}`, value])),
  };
}

/** The event's outcome on its record; an event that leaves a log entry on its alert carries it there. */
function eventUpdate(tableName: string, app: Application, outcome: EventOutcome, alertId: string | undefined): TransactItem {
  const log = app.logEntry && alertId ? { ...app.logEntry, index: logEntryKeys.onEvent(alertId, app.now, app.logEntry.id) } : undefined;
  const identity = identityOf(app, !log);
  const sets = ['outcome = :outcome', 'processedAt = :now', ...identity.sets];
  if (alertId) sets.push('alertId = :alertId');
  if (log) sets.push('logId = :logId', 'logType = :logType', 'logText = :logText', 'gsi2pk = :logPk', 'gsi2sk = :logSk');
  return {
    Update: {
      TableName: tableName,
      Key: eventKeys.item(app.eventId),
      // Leaving QUEUED takes the record off the QUEUED listing (gsi2) and drops the payload kept for re-enqueueing.
      // A record that carries a log entry moves to its alert's log and is kept as long as the alert (no expiry).
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${log ? 'expiresAt' : 'gsi2pk, gsi2sk'}, payload, #error`,
      ConditionExpression: conditions.eventNotApplied.ConditionExpression,
      ExpressionAttributeNames: { '#error': 'error', ...identity.names },
      ExpressionAttributeValues: {
        ...conditions.eventNotApplied.ExpressionAttributeValues,
        ...identity.values,
        ':outcome': outcome,
        ':now': app.now,
        ...(alertId ? { ':alertId': alertId } : {}),
        ...(log ? { ':logId': log.id, ':logType': log.type, ':logText': log.text, ':logPk': log.index.gsi2pk, ':logSk': log.index.gsi2sk } : {}),
      },
    },
  };
}

/** The decision's writes on the alert and the locks, each conditioned on what was read. */
function effects(tableName: string, decision: Decision, app: Application): TransactItem[] {
  const keyLock = openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized);
  // What the event needs of the alert: open (PENDING to accept, or to append under ONE_PENDING_ALERT_ALLOWED); decided
  // on the lock, also no escalation, whose notices an accept or resolve would owe (see noticeJobs).
  const open = conditions.alertOpen;
  const pending = conditions.alertStatusIs('PENDING');
  const quiet = (condition: Condition): Condition =>
    app.fromLock ? { ...condition, ConditionExpression: `${condition.ConditionExpression} AND attribute_not_exists(escalationLevel)` } : condition;
  switch (decision.kind) {
    case 'CREATE': {
      const alert = app.newAlert!;
      const items = [
        lockOpen(tableName, keyLock, app.locks.key, { id: alert.id, escalates: alert.escalationLevel !== undefined }),
        { Put: { TableName: tableName, Item: alertItem(alert), ...conditions.isNew } },
        { Put: { TableName: tableName, Item: alertDetailsItem(alert), ...conditions.isNew } },
      ];
      if (app.locks.source) items.push(lockWrite(tableName, openAlertKeys.source(app.alertSourceId), app.locks.source.revision, { alertId: alert.id }));
      return items;
    }
    case 'APPEND':
      return [
        alertUpdate(tableName, decision.alert.id, 'ADD eventCount :one SET updatedAt = :now', { ':one': 1, ':now': app.now }, app.pendingOnly ? pending : open),
      ];
    case 'ACCEPT':
      return [statusChange(tableName, decision.alert.id, 'ACCEPTED', app.now, quiet(pending))];
    case 'RESOLVE':
      return [
        statusChange(tableName, decision.alert.id, 'RESOLVED', app.now, quiet(open)),
        ...lockRelease(tableName, keyLock, app.locks.key, decision.alert.id),
      ];
    case 'COMMENT':
      return [alertUpdate(tableName, decision.alert.id, 'SET updatedAt = :now', { ':now': app.now }, open)];
    case 'ALREADY_ACCEPTED':
    case 'NO_OPEN_ALERT':
    case 'SUPPRESS':
      return [];
  }
}

/** The writes of one event: its outcome (with its log entry, if any) and the decision's effects. */
export function itemsFor(tableName: string, decision: Decision, app: Application): TransactItem[] {
  const jobs = (app.jobs ?? []).map((job) => jobPut(tableName, job, Date.parse(app.now)).item);
  return [eventUpdate(tableName, app, OUTCOME_OF[decision.kind], alertIdOf(decision, app)), ...effects(tableName, decision, app), ...jobs];
}

/**
 * What the failure of an event's write means, told by the KEY of the item whose condition failed, whatever the order
 * the items were given in: the event's own record (it was applied, or withdrawn, already) is a duplicate; an alert or a
 * lock (someone else changed it since it was read) is a conflict, as is a transaction that met another one.
 * Undefined: the failure is not a refused condition (an outage, a bug), to be thrown.
 */
export function classifyFailure(items: TransactItem[], error: unknown, eventKey: Key): 'duplicate' | 'conflict' | undefined {
  const failure = toStoreError(error);
  if (failure instanceof ConditionFailed) {
    const failedKeys = failure.items.filter((i) => i < items.length).map((i) => keyString(keyOf(items[i])));
    return failedKeys.includes(keyString(eventKey)) ? 'duplicate' : 'conflict';
  }
  return failure instanceof Conflict ? 'conflict' : undefined;
}

type SingleDecision = Extract<Decision, { kind: SingleWriteKind }>;

/** Whether the decision goes the single-write way: allowed, one alert changed, no job written with it. */
const goesSingle = (decision: Decision, app: Application): decision is SingleDecision =>
  !!app.singleWrite && isSingleWriteKind(decision.kind) && (app.jobs ?? []).length === 0;

/** The alert's write of a single-write decision: the transaction's, marked with the event and conditioned on not being marked yet. */
function markedEffect(tableName: string, decision: SingleDecision, app: Application) {
  const update = effects(tableName, decision, app)[0].Update!;
  const mark = markSet(app.eventId);
  const notMarked = notMarkedBy(app.eventId);
  // No escalation: an accept of an escalating alert owes a notice, which only the transaction writes.
  const quiet = decision.kind === 'ACCEPT' && !app.fromLock ? ' AND attribute_not_exists(escalationLevel)' : '';
  return {
    ...update,
    UpdateExpression: update.UpdateExpression!.replace('SET ', `SET ${mark.set}, `),
    ConditionExpression: `${update.ConditionExpression}${quiet} AND ${notMarked.ConditionExpression}`,
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...mark.values, ...notMarked.ExpressionAttributeValues },
  };
}

/**
 * The single-write way: the alert, marked with the event, then the event's record. The alert's condition refused
 * because this event's mark is there already (an earlier attempt crashed before its record): only the record is left
 * to write. Refused otherwise: someone changed the alert since it was read ({conflict}).
 */
async function applySingle(ctx: StoreContext, decision: SingleDecision, app: Application): Promise<ApplyResult> {
  const wrote = await ifConditionFailed(
    ctx.db.send(new UpdateCommand(markedEffect(ctx.tableName, decision, app))).then(() => true),
    () => false,
  );
  if (!wrote && !(await isMarkedBy(ctx, decision.alert.id, app.eventId))) return { conflict: true };
  return recordSingleWrite(ctx, decision, app);
}

/**
 * The record of an event whose alert carries its mark. Refused: another attempt recorded it ({duplicate}), or it was
 * withdrawn between the two writes, and then the alert's change is taken back.
 */
export async function recordSingleWrite(ctx: StoreContext, decision: SingleDecision, app: Application): Promise<ApplyResult> {
  const record = eventUpdate(ctx.tableName, app, OUTCOME_OF[decision.kind], decision.alert.id).Update!;
  const recorded = await ifConditionFailed(
    ctx.db.send(new UpdateCommand(record)).then(() => true),
    () => false,
  );
  if (recorded) return { applied: OUTCOME_OF[decision.kind], alertId: decision.alert.id };
  const now = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: eventKeys.item(app.eventId), ConsistentRead: true, ProjectionExpression: 'outcome' }),
  );
  if (now.Item?.outcome === 'WITHDRAWN') await undoSingleWrite(ctx, decision.alert.id, app.eventId, decision.kind);
  return { duplicate: true };
}

/**
 * Applies a decision and records the event's outcome in one transaction (or, for a single-write decision, in two
 * single writes: see applySingle). The event's own condition makes a
 * redelivery harmless ({duplicate}); the alert's and the lock's conditions turn a race into {conflict}, after
 * which the caller reads again and decides again.
 */
export async function applyDecision(ctx: StoreContext, decision: Decision, app: Application): Promise<ApplyResult> {
  if (goesSingle(decision, app)) return applySingle(ctx, decision, app);
  const items = itemsFor(ctx.tableName, decision, app);
  try {
    // Nothing but the outcome changes: one conditional write, not a transaction.
    if (items.length === 1) await ctx.db.send(new UpdateCommand(items[0].Update!));
    else await ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
    return { applied: OUTCOME_OF[decision.kind], alertId: alertIdOf(decision, app) };
  } catch (error) {
    const meaning = classifyFailure(items, error, eventKeys.item(app.eventId));
    if (meaning === undefined) throw toStoreError(error);
    return meaning === 'duplicate' ? { duplicate: true } : { conflict: true };
  }
}

/**
 * Applies the decisions of several events: those that need a transaction in one, all of them or none, then the
 * single-write ones (see applySingle), each on its own. A race or a redelivery among the first cancels their
 * transaction before anything is written ({cancelled}); the caller then applies them all one at a time, which tells
 * the two apart. Each single write answers for itself: applied, a duplicate, or a conflict the caller decides again.
 * The events must touch different items (different locks, different alerts).
 */
export async function applyDecisions(
  ctx: StoreContext,
  entries: Array<{ decision: Decision; app: Application }>,
): Promise<{ results: ApplyResult[] } | { cancelled: true }> {
  const together = entries.filter(({ decision, app }) => !goesSingle(decision, app));
  const items = together.flatMap(({ decision, app }) => itemsFor(ctx.tableName, decision, app));
  const keys = new Set(items.map((item) => keyString(keyOf(item))));
  if (keys.size !== items.length || items.length > MAX_TRANSACTION_ITEMS) return { cancelled: true };
  if (items.length > 0) {
    try {
      await ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (error) {
      const failure = toStoreError(error);
      if (failure instanceof Conflict) return { cancelled: true };
      throw failure;
    }
  }
  const results = await Promise.all(
    entries.map(({ decision, app }): Promise<ApplyResult> | ApplyResult =>
      goesSingle(decision, app) ? applySingle(ctx, decision, app) : { applied: OUTCOME_OF[decision.kind], alertId: alertIdOf(decision, app) },
    ),
  );
  return { results };
}
