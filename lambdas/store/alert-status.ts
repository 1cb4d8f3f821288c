// Status changes of an alert: the conditional write both the processor (ACCEPT, RESOLVE) and an operator's action make.
import { GetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, LogEntry } from '../domain/alert';
import { levelJob, type EscalationJob, type EscalationStep } from '../domain/escalation';
import { normalizeAlertKey } from '../domain/event';
import { lockRelease, readKeyLock } from './alert-locks';
import { operatorLogItem } from './alert-rows';
import type { StoreContext } from './client';
import { alertStatusNames, conditions } from './conditions';
import { jobPut } from './escalation-jobs';
import { alertKeys, openAlertKeys, type Key } from './keys';
import type { TransactItem } from './transactions';

export type Condition = {
  ConditionExpression: string;
  ExpressionAttributeNames?: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
};

/** An update of an alert on a condition (on its status, as the writer read it). */
export function alertUpdate(tableName: string, alertId: string, expression: string, values: Record<string, unknown>, condition: Condition): TransactItem {
  return {
    Update: {
      TableName: tableName,
      Key: alertKeys.item(alertId),
      UpdateExpression: expression,
      ConditionExpression: condition.ConditionExpression,
      ExpressionAttributeNames: condition.ExpressionAttributeNames,
      ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...values },
    },
  };
}

/**
 * Moves an alert to ACCEPTED or RESOLVED (and to that status's partition of gsi3), on the condition given. The status
 * goes to `alertStatus`, which no index projects, and an older item's projected `status` goes: its gsi1, gsi2 and gsi4
 * entries are rewritten this once, never again (see alertStatusIn in conditions.ts).
 */
export function statusChange(tableName: string, alertId: string, status: 'ACCEPTED' | 'RESOLVED', now: string, condition: Condition): TransactItem {
  const at = status === 'ACCEPTED' ? 'acceptedAt' : 'resolvedAt';
  return alertUpdate(
    tableName,
    alertId,
    // Accepted or resolved, no further level falls due (a due job's claim then fails on the status).
    `SET #alertStatus = :newStatus, ${at} = :now, updatedAt = :now, gsi3pk = :gsi3pk REMOVE #status, nextEscalationAt`,
    { ':newStatus': status, ':now': now, ':gsi3pk': alertKeys.byStatusPartition(status) },
    { ...condition, ExpressionAttributeNames: { ...condition.ExpressionAttributeNames, ...alertStatusNames } },
  );
}

/** The status read, and (given) no change since `unchangedSince` (the updatedAt read: an auto-resolve's idle alert). */
function statusAndChange(status: string, unchangedSince: string | undefined): Condition {
  const onStatus = conditions.alertStatusIs(status);
  if (unchangedSince === undefined) return onStatus;
  return {
    ...onStatus,
    ConditionExpression: `${onStatus.ConditionExpression} AND updatedAt = :unchangedSince`,
    ExpressionAttributeValues: { ...onStatus.ExpressionAttributeValues, ':unchangedSince': unchangedSince },
  };
}

/** What an operator's action leaves in the alert's log. */
export interface OperatorLogEntry {
  id: string;
  type: LogEntry['type'];
  text: string;
}

/**
 * An operator's accept or resolve through the API: the status change and its log entry in one transaction,
 * conditioned on the status the caller saw; resolving also releases the open-alert lock if it names this alert.
 * An escalating alert also gets a NOTICE job, so that those notified hear of it; its key is returned, to run at once.
 * Throws Conflict when the alert or its lock changed since they were read: read again and decide again.
 */
export async function changeStatus(
  ctx: StoreContext,
  alert: Alert,
  status: 'ACCEPTED' | 'RESOLVED',
  log: OperatorLogEntry,
  now: string,
  unchangedSince?: string,
): Promise<{ job?: Key }> {
  const entry: LogEntry = { id: log.id, alertId: alert.id, type: log.type, text: log.text, createdAt: now };
  const items: TransactItem[] = [
    statusChange(ctx.tableName, alert.id, status, now, statusAndChange(alert.status, unchangedSince)),
    { Put: { TableName: ctx.tableName, Item: operatorLogItem(entry) } },
  ];
  const notice: EscalationJob | undefined = alert.escalationLevel === undefined ? undefined : { kind: 'NOTICE', alertId: alert.id, reason: status, dueAt: now };
  const job = notice && jobPut(ctx.tableName, notice, Date.parse(now));
  if (job) items.push(job.item);
  if (status === 'RESOLVED') {
    const keyNormalized = normalizeAlertKey(alert.alertKey);
    const lock = await readKeyLock(ctx, alert.alertSourceId, keyNormalized);
    items.push(...lockRelease(ctx.tableName, openAlertKeys.item(alert.alertSourceId, keyNormalized), lock, alert.id));
  }
  await ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
  return { job: job?.key };
}

/** What a reroute writes: the new policy, when its next level would fall due (if it escalates), and the log entry. */
export interface Reroute {
  policyId: string;
  nextEscalationAt?: string;
  log: OperatorLogEntry;
  now: string;
}

/**
 * Gives an open alert another policy and restarts its escalation: a new routing (epoch + 1) at level 1, round 0, with
 * the level's job due now, in one transaction. Conditioned on the status and the routing read, so that a concurrent
 * resolve or reroute makes it a Conflict (read again and decide again). Returns the job's key, to run at once.
 */
export async function reroute(ctx: StoreContext, alert: Alert, change: Reroute): Promise<{ job: Key }> {
  const out = await ctx.db.send(
    new GetCommand({ TableName: ctx.tableName, Key: alertKeys.item(alert.id), ConsistentRead: true, ProjectionExpression: 'escalationEpoch' }),
  );
  const epoch = out.Item?.escalationEpoch as number | undefined;
  const newEpoch = (epoch ?? -1) + 1;
  const step: EscalationStep = { epoch: newEpoch, round: 0, level: 1, dueAt: change.now };
  const job = jobPut(ctx.tableName, levelJob(alert.id, step), Date.parse(change.now));
  const sets = 'SET escalationPolicyId = :policy, escalationEpoch = :epoch, escalationLevel = :one, escalationRound = :zero, updatedAt = :now';
  const values: Record<string, unknown> = { ':policy': change.policyId, ':epoch': newEpoch, ':one': 1, ':zero': 0, ':now': change.now };
  if (change.nextEscalationAt) values[':next'] = change.nextEscalationAt;
  const update = `${sets}${change.nextEscalationAt ? ', nextEscalationAt = :next' : ''} REMOVE escalationStep${change.nextEscalationAt ? '' : ', nextEscalationAt'}`;
  const readEpoch =
    epoch === undefined
      ? { ConditionExpression: 'attribute_not_exists(escalationEpoch)' }
      : { ConditionExpression: 'escalationEpoch = :readEpoch', ExpressionAttributeValues: { ':readEpoch': epoch } };
  const status = conditions.alertStatusIs(alert.status);
  const condition = {
    ConditionExpression: `${status.ConditionExpression} AND ${readEpoch.ConditionExpression}`,
    ExpressionAttributeNames: status.ExpressionAttributeNames,
    ExpressionAttributeValues: { ...status.ExpressionAttributeValues, ...readEpoch.ExpressionAttributeValues },
  };
  const entry: LogEntry = { id: change.log.id, alertId: alert.id, type: change.log.type, text: change.log.text, createdAt: change.now };
  await ctx.db.send(
    new TransactWriteCommand({
      TransactItems: [
        alertUpdate(ctx.tableName, alert.id, update, values, condition),
        { Put: { TableName: ctx.tableName, Item: operatorLogItem(entry) } },
        job.item,
      ],
    }),
  );
  return { job: job.key };
}
