// Status changes of an alert: the conditional write both the processor (ACCEPT, RESOLVE) and an operator's action make.
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, LogEntry } from '../domain/alert';
import { normalizeAlertKey } from '../domain/event';
import { lockRelease, readKeyLock } from './alert-locks';
import { operatorLogItem } from './alert-rows';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { alertKeys, openAlertKeys } from './keys';
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

/** Moves an alert to ACCEPTED or RESOLVED (and to that status's partition of gsi3), on the condition given. */
export function statusChange(tableName: string, alertId: string, status: 'ACCEPTED' | 'RESOLVED', now: string, condition: Condition): TransactItem {
  const at = status === 'ACCEPTED' ? 'acceptedAt' : 'resolvedAt';
  return alertUpdate(
    tableName,
    alertId,
    `SET #status = :newStatus, ${at} = :now, updatedAt = :now, gsi3pk = :gsi3pk`,
    { ':newStatus': status, ':now': now, ':gsi3pk': alertKeys.byStatusPartition(status) },
    { ...condition, ExpressionAttributeNames: { '#status': 'status' } },
  );
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
 * Throws Conflict when the alert or its lock changed since they were read: read again and decide again.
 */
export async function changeStatus(ctx: StoreContext, alert: Alert, status: 'ACCEPTED' | 'RESOLVED', log: OperatorLogEntry, now: string): Promise<void> {
  const entry: LogEntry = { id: log.id, alertId: alert.id, type: log.type, text: log.text, createdAt: now };
  const items: TransactItem[] = [
    statusChange(ctx.tableName, alert.id, status, now, conditions.alertStatusIs(alert.status)),
    { Put: { TableName: ctx.tableName, Item: operatorLogItem(entry) } },
  ];
  if (status === 'RESOLVED') {
    const keyNormalized = normalizeAlertKey(alert.alertKey);
    const lock = await readKeyLock(ctx, alert.alertSourceId, keyNormalized);
    items.push(...lockRelease(ctx.tableName, openAlertKeys.item(alert.alertSourceId, keyNormalized), lock, alert.id));
  }
  await ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
}
