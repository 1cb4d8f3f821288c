// The single-write way of an event's decision: its alert, marked with the event, then its record; no transaction.
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OUTCOME_OF, type Decision } from '../domain/alert';
import { isMarkedBy, isSingleWriteKind, markSet, notMarkedBy, undoSingleWrite, type SingleWriteKind } from './applied-marker';
import { effects, eventUpdate, type Application, type ApplyResult } from './alert-writes';
import type { StoreContext } from './client';
import { eventKeys } from './keys';
import { ifConditionFailed } from './sdk-errors';

export type SingleDecision = Extract<Decision, { kind: SingleWriteKind }>;

/** Whether the decision goes the single-write way: allowed, one alert changed, no job written with it. */
export const goesSingle = (decision: Decision, app: Application): decision is SingleDecision =>
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
export async function applySingle(ctx: StoreContext, decision: SingleDecision, app: Application): Promise<ApplyResult> {
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
