// DynamoDB adapter for notification records: one item per message to one contact, under its alert.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { NotificationRecord, NotificationsPort } from '../app/ports';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { ifConditionFailed } from './sdk-errors';
import { notificationKeys } from './keys';

const toItem = (n: NotificationRecord) => ({ pk: notificationKeys.partition(n.alertId), entity: 'Notification', ...n });

const fromItem = (item: Record<string, unknown>): NotificationRecord => {
  const { pk: _p, entity: _e, ...record } = item;
  return record as unknown as NotificationRecord;
};

/** false when the write's condition failed: someone else wrote the record first, or changed it since it was read. */
const unlessConflict = (write: Promise<unknown>): Promise<boolean> =>
  ifConditionFailed(
    write.then(() => true),
    () => false,
  );

export class NotificationStore implements NotificationsPort {
  constructor(private readonly ctx: StoreContext) {}

  /** Ids are deterministic: expanding the same step twice finds the record and writes nothing. */
  putIfAbsent(n: NotificationRecord): Promise<boolean> {
    return unlessConflict(this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: toItem(n), ...conditions.isNew })));
  }

  async get(alertId: string, sk: string): Promise<NotificationRecord | undefined> {
    const key = { pk: notificationKeys.partition(alertId), sk };
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  async listForAlert(alertId: string): Promise<NotificationRecord[]> {
    const records: NotificationRecord[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.ctx.db.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': notificationKeys.partition(alertId), ':prefix': notificationKeys.prefix },
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      records.push(...(out.Items ?? []).map(fromItem));
      start = out.LastEvaluatedKey;
    } while (start);
    return records;
  }

  /** A retried delivery message must not count an attempt twice: the write holds only if nobody recorded one since. */
  recordAttempt(n: NotificationRecord, change: Parameters<NotificationsPort['recordAttempt']>[1]): Promise<boolean> {
    const sets = ['#status = :status', 'attempts = :attempts'];
    const values: Record<string, unknown> = { ':status': change.status, ':attempts': change.attempts, ':readAttempts': n.attempts, ':pending': 'PENDING' };
    if (change.lastError !== undefined) {
      sets.push('lastError = :lastError');
      values[':lastError'] = change.lastError;
    }
    if (change.sentAt !== undefined) {
      sets.push('sentAt = :sentAt');
      values[':sentAt'] = change.sentAt;
    }
    return unlessConflict(
      this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: { pk: notificationKeys.partition(n.alertId), sk: n.sk },
          UpdateExpression: `SET ${sets.join(', ')}`,
          ConditionExpression: 'attribute_exists(pk) AND attempts = :readAttempts AND #status = :pending',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: values,
        }),
      ),
    );
  }
}
