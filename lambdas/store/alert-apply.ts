// Applying the processor's decisions: the transaction of one event (its outcome and the decision's effects), or its
// single writes (single-write.ts), and what a cancelled transaction means.
import { TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { OUTCOME_OF, type Decision } from '../domain/alert';
import { alertIdOf, itemsFor, type Application, type ApplyResult } from './alert-writes';
import type { StoreContext } from './client';
import { Conflict } from './errors';
import { eventKeys, type Key } from './keys';
import { ConditionFailed, toStoreError } from './sdk-errors';
import { applySingle, goesSingle } from './single-write';
import { keyOf, keyString, MAX_TRANSACTION_ITEMS, type TransactItem } from './transactions';

export { itemsFor, type Application, type ApplyResult } from './alert-writes';
export { finishSingleWrite } from './single-write';

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
  // Each single write runs to its end, whatever another one does: none is left running while the caller, told of a
  // failure, applies the same events again.
  const settled = await Promise.allSettled(
    entries.map(({ decision, app }): Promise<ApplyResult> | ApplyResult =>
      goesSingle(decision, app) ? applySingle(ctx, decision, app) : { applied: OUTCOME_OF[decision.kind], alertId: alertIdOf(decision, app) },
    ),
  );
  const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed) throw failed.reason;
  const results = settled.map((r) => (r as PromiseFulfilledResult<ApplyResult>).value);
  return { results };
}
