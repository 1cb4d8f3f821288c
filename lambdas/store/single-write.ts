// The single-write way of an event's decision: its alert, marked with the event, then its record; no transaction.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OUTCOME_OF, type Decision } from '../domain/alert';
import { lockOpen, lockRelease, readKeyLock, type KeyLock } from './alert-locks';
import { alertDetailsItem, alertItem, alertStatusOf } from './alert-rows';
import { isSingleWriteKind, landedOn, markOf, markRestore, markSet, MARK, notMarkedBy, recordOf, type SingleWriteKind } from './applied-marker';
import { alertIdOf, effects, eventUpdate, type Application, type ApplyResult } from './alert-writes';
import type { StoreContext } from './client';
import { alertStatusNames, conditions } from './conditions';
import { Conflict } from './errors';
import { alertKeys, openAlertKeys } from './keys';
import { ConditionFailed, ifConditionFailed } from './sdk-errors';
import type { TransactItem } from './transactions';

export type SingleDecision = Extract<Decision, { kind: SingleWriteKind }>;

/** Writes one item on its own (a Put, Update or Delete as a transaction would have it): false when its condition failed. */
async function writeIf(ctx: StoreContext, item: TransactItem): Promise<boolean> {
  const sent = item.Put
    ? ctx.db.send(new PutCommand(item.Put))
    : item.Update
      ? ctx.db.send(new UpdateCommand(item.Update))
      : ctx.db.send(new DeleteCommand(item.Delete!));
  return ifConditionFailed(
    sent.then(() => true),
    () => false,
  );
}

/**
 * Whether the decision goes the single-write way: allowed, one alert changed or created (with its key's lock, not a
 * source's: window grouping writes a transaction), no job written with it.
 */
export const goesSingle = (decision: Decision, app: Application): decision is SingleDecision =>
  !!app.singleWrite && isSingleWriteKind(decision.kind) && (app.jobs ?? []).length === 0 && !(decision.kind === 'CREATE' && app.locks.source);

/**
 * The alert's write of an APPEND, ACCEPT or RESOLVE: the transaction's, marked with the event and conditioned on not
 * being marked yet.
 */
function markedEffect(tableName: string, decision: Exclude<SingleDecision, { kind: 'CREATE' }>, app: Application) {
  const update = effects(tableName, decision, app)[0].Update!;
  const mark = markSet(app.eventId);
  const notMarked = notMarkedBy(app.eventId);
  // No escalation: an accept or resolve of an escalating alert owes a notice, which only the transaction writes.
  const quiet = decision.kind !== 'APPEND' && !app.fromLock ? ' AND attribute_not_exists(escalationLevel)' : '';
  return {
    ...update,
    UpdateExpression: update.UpdateExpression!.replace('SET ', `SET ${mark.set}, `),
    ConditionExpression: `${update.ConditionExpression}${quiet} AND ${notMarked.ConditionExpression}`,
    ExpressionAttributeValues: { ...update.ExpressionAttributeValues, ...mark.values, ...notMarked.ExpressionAttributeValues },
  };
}

/**
 * The single-write way: the alert, marked with the event, then the event's record, which keeps the mark the alert
 * write replaced (see applied-marker.ts). The alert's condition refused because this event's mark is there already
 * (an earlier attempt crashed before its record): only the record is left to write. Refused otherwise: someone
 * changed the alert since it was read ({conflict}).
 */
export async function applySingle(ctx: StoreContext, decision: SingleDecision, app: Application): Promise<ApplyResult> {
  if (decision.kind === 'CREATE') return createSingle(ctx, app);
  const wrote = await ifConditionFailed(
    ctx.db.send(new UpdateCommand({ ...markedEffect(ctx.tableName, decision, app), ReturnValues: 'UPDATED_OLD' })).then((out) => ({
      replaced: (out.Attributes?.[MARK.eventId] as string | undefined) || undefined,
    })),
    (failure) => failure,
  );
  const marked =
    wrote instanceof ConditionFailed ? await landedOn(ctx, decision.alert.id, { eventId: app.eventId, receivedAt: app.received.receivedAt }, wrote) : wrote;
  if (!marked) return { conflict: true };
  return finishSingleWrite(ctx, decision, { ...app, replacesMark: marked.replaced });
}

/**
 * Takes a resolved alert off its key's lock, whoever changed the lock since it was read (an operator's resolve of
 * another alert of the key): read again and released again, until the lock no longer names it.
 */
async function releaseLock(ctx: StoreContext, app: Application, alertId: string, read: KeyLock = app.locks.key): Promise<void> {
  const key = openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized);
  let lock = read;
  for (let attempt = 0; attempt < 10; attempt++) {
    const [item] = lockRelease(ctx.tableName, key, lock, alertId);
    if (!item || (await writeIf(ctx, item))) return;
    lock = await readKeyLock(ctx, app.alertSourceId, app.alertKeyNormalized);
  }
  throw new Conflict(`the lock of alert key "${app.alertKeyNormalized}" kept changing while alert ${alertId} was released`);
}

/**
 * Takes a withdrawn event's resolve back: the alert open again, in the status it had (ACCEPTED if it was accepted),
 * while it still carries the event's mark (the mark before is the mark again), and back on its key's lock.
 */
async function undoResolve(ctx: StoreContext, alertId: string, app: Application): Promise<void> {
  const alert = await readAlert(ctx, alertId);
  if (alert?.[MARK.eventId] !== app.eventId) return;
  const status = alert.acceptedAt ? 'ACCEPTED' : 'PENDING';
  const resolved = conditions.alertStatusIs('RESOLVED');
  const reopened = await writeIf(ctx, {
    Update: {
      TableName: ctx.tableName,
      Key: alertKeys.item(alertId),
      UpdateExpression: `SET #alertStatus = :status, gsi3pk = :gsi3pk, ${markRestore.set} REMOVE resolvedAt`,
      ConditionExpression: `${MARK.eventId} = :markEvent AND ${resolved.ConditionExpression}`,
      ExpressionAttributeNames: { ...alertStatusNames },
      ExpressionAttributeValues: {
        ...resolved.ExpressionAttributeValues,
        ':markEvent': app.eventId,
        ':status': status,
        ':gsi3pk': alertKeys.byStatusPartition(status),
        ...markRestore.values,
      },
    },
  });
  if (!reopened) return;
  const lock = await readKeyLock(ctx, app.alertSourceId, app.alertKeyNormalized);
  if (!lock.openAlertIds.includes(alertId)) {
    await writeIf(ctx, lockOpen(ctx.tableName, openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized), lock, { id: alertId, escalates: false }));
  }
}

/**
 * A new alert the single-write way: its item, marked with the event (its id derives from the event's: see
 * alertIdFor), then the rest (finishCreate). An item already there with this event's mark was written by an earlier
 * attempt.
 */
async function createSingle(ctx: StoreContext, app: Application): Promise<ApplyResult> {
  const alert = app.newAlert!;
  const wrote = await writeIf(ctx, { Put: { TableName: ctx.tableName, Item: { ...alertItem(alert), ...markOf(app.eventId) }, ...conditions.isNew } });
  // Refused: the item is there, and only this event writes an item of this id (see alertIdFor): an earlier delivery or
  // an attempt of this call wrote it, whichever later events wrote on it since.
  if (!wrote && !(await readAlert(ctx, alert.id))) return { conflict: true };
  return finishCreate(ctx, app);
}

/**
 * What follows a new alert's item, whether this attempt or an earlier one wrote it: its key's lock (unless the lock
 * names it already), its details (written whole, the same on every attempt), then the record. A lock changed since it
 * was read, or one that names another open alert when an earlier attempt's alert is finished, takes the new alert back
 * ({conflict}) unless later events wrote on it: the event is decided again on what the lock says now. The lock is
 * written after the item, never before: a lock must not name an alert that is not there (another event would open a
 * second one beside it).
 */
export async function finishCreate(ctx: StoreContext, app: Application, earlier = false): Promise<ApplyResult> {
  const alert = app.newAlert!;
  // Finishing an earlier attempt's alert: an operator may have resolved it since; a resolved alert goes on no lock.
  const found = earlier ? await readAlert(ctx, alert.id) : undefined;
  const stillOpen = !earlier || (found !== undefined && alertStatusOf(found) !== 'RESOLVED');
  if (stillOpen && !app.locks.key.openAlertIds.includes(alert.id)) {
    const keyLock = openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized);
    // An earlier attempt's alert that the key's next ALERT opened another beside (this event was parked, and its
    // source's later events came through) is taken back too: decided again, the event appends to that one (or, where
    // each event opens an alert, opens this one again). An alert later events wrote on stands, whatever the lock says.
    const besideAnother = earlier && app.locks.key.openAlertIds.length > 0;
    // A refused lock write may be the SDK's retry of one that landed (its answer lost): a lock that names this alert
    // was written by this event (no other opens it).
    const locked =
      !besideAnother &&
      ((await writeIf(ctx, lockOpen(ctx.tableName, keyLock, app.locks.key, { id: alert.id, escalates: false }))) ||
        (await readKeyLock(ctx, app.alertSourceId, app.alertKeyNormalized)).openAlertIds.includes(alert.id));
    if (!locked && (await removeNewAlert(ctx, alert.id, app.eventId))) return { conflict: true };
  }
  await ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: alertDetailsItem(alert) }));
  return recordSingleWrite(ctx, { kind: 'CREATE' }, app);
}

/** The alert's item as it is now (read consistently), if it is there. */
async function readAlert(ctx: StoreContext, alertId: string): Promise<Record<string, unknown> | undefined> {
  const out = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: alertKeys.item(alertId), ConsistentRead: true }));
  return out.Item;
}

/**
 * Deletes an alert this event created, while it still carries the event's mark and nothing was written on it since
 * (its updatedAt is its createdAt: an append, comment, accept or resolve moves it), then its details (if written).
 * True when it is gone, now or before (a delete the SDK sent again after its answer was lost is refused, the item
 * gone); false when it was written on since: later events stand on it, and nothing is deleted.
 */
async function removeNewAlert(ctx: StoreContext, alertId: string, eventId: string): Promise<boolean> {
  const removed = await writeIf(ctx, {
    Delete: {
      TableName: ctx.tableName,
      Key: alertKeys.item(alertId),
      ConditionExpression: `${MARK.eventId} = :markEvent AND updatedAt = createdAt`,
      ExpressionAttributeValues: { ':markEvent': eventId },
    },
  });
  const gone = removed || !(await readAlert(ctx, alertId));
  if (gone) await ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: alertKeys.details(alertId) }));
  return gone;
}

/**
 * Takes a withdrawn event's new alert back: the alert first, then its key's lock (as it is now). Cut off between the
 * two, the lock names an alert that is not there, which its readers take for no alert; the other way round an open
 * alert would be left that no lock names, and the key's next ALERT would open a second one.
 */
async function undoCreate(ctx: StoreContext, alertId: string, app: Application): Promise<void> {
  // Written on since: later events stand on it, and the lock is in use. Gone (now, or by an earlier attempt cut off
  // before the lock): the lock lets it go.
  if (!(await removeNewAlert(ctx, alertId, app.eventId))) return;
  await releaseLock(ctx, app, alertId, await readKeyLock(ctx, app.alertSourceId, app.alertKeyNormalized));
}

/**
 * Takes back a single write whose event turned out withdrawn (its tombstone came between the alert's write and the
 * record's): the inverse change, only while the alert still carries the event's mark, so that nothing written since
 * (an operator's resolve, an escalation) is undone. The mark the event replaced is the mark again.
 */
async function undoSingleWrite(ctx: StoreContext, alertId: string, eventId: string, kind: 'APPEND' | 'ACCEPT'): Promise<void> {
  const marked = `${MARK.eventId} = :markEvent`;
  const base = { TableName: ctx.tableName, Key: alertKeys.item(alertId) };
  const update =
    kind === 'APPEND'
      ? {
          ...base,
          UpdateExpression: `ADD eventCount :minusOne SET ${markRestore.set}`,
          ConditionExpression: marked,
          ExpressionAttributeValues: { ':markEvent': eventId, ':minusOne': -1, ...markRestore.values },
        }
      : {
          ...base,
          UpdateExpression: `SET #alertStatus = :pending, gsi3pk = :gsi3pk, ${markRestore.set} REMOVE acceptedAt`,
          ConditionExpression: `${marked} AND ${conditions.alertStatusIs('ACCEPTED').ConditionExpression}`,
          ExpressionAttributeNames: { ...alertStatusNames },
          ExpressionAttributeValues: {
            ':markEvent': eventId,
            ':pending': 'PENDING',
            ':gsi3pk': alertKeys.byStatusPartition('PENDING'),
            ...markRestore.values,
            ...conditions.alertStatusIs('ACCEPTED').ExpressionAttributeValues,
          },
        };
  await writeIf(ctx, { Update: update });
}

/**
 * The record of an event whose alert carries its mark. Refused: another attempt recorded it ({duplicate}), or it was
 * withdrawn between the writes, and then its effect is taken back.
 */
export async function recordSingleWrite(ctx: StoreContext, decision: SingleDecision, app: Application): Promise<ApplyResult> {
  const alertId = alertIdOf(decision, app)!;
  if (await writeIf(ctx, eventUpdate(ctx.tableName, app, OUTCOME_OF[decision.kind], alertId))) return { applied: OUTCOME_OF[decision.kind], alertId };
  if ((await recordOf(ctx, app.eventId)).outcome === 'WITHDRAWN') {
    if (decision.kind === 'CREATE') await undoCreate(ctx, alertId, app);
    else if (decision.kind === 'RESOLVE') await undoResolve(ctx, alertId, app);
    else await undoSingleWrite(ctx, alertId, app.eventId, decision.kind);
  }
  return { duplicate: true };
}

/**
 * What follows the alert's write, whether this attempt or an earlier one made it (its mark is on the alert): a new
 * alert's details, lock and record; a resolved alert's release from its key's lock and its record; an append's or
 * accept's record.
 */
export async function finishSingleWrite(ctx: StoreContext, decision: SingleDecision, app: Application, earlier = false): Promise<ApplyResult> {
  if (decision.kind === 'CREATE') return finishCreate(ctx, app, earlier);
  if (decision.kind === 'RESOLVE') await releaseLock(ctx, app, decision.alert.id);
  return recordSingleWrite(ctx, decision, app);
}
