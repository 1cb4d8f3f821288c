// DynamoDB adapter for Idempotency-Key claims: one conditional put decides, across all Lambda instances, which request owns a key.
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client';
import { idempotencyKeys } from './keys';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;

export interface FirstAnswer {
  eventId: string;
  alertKey: string;
}

export class IdempotencyStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Claims the key for this event; when another request already holds it (within 24 h), returns that request's
   * answer instead. An expired claim that DynamoDB's TTL has not removed yet counts as free.
   */
  async claim(alertSourceId: string, idempotencyKey: string, answer: FirstAnswer, now: Date): Promise<{ claimed: true } | { first: FirstAnswer }> {
    const key = idempotencyKeys.item(alertSourceId, idempotencyKey);
    const nowSeconds = Math.floor(now.getTime() / 1000);
    try {
      await this.ctx.db.send(
        new PutCommand({
          TableName: this.ctx.tableName,
          Item: { ...key, ...answer, expiresAt: nowSeconds + IDEMPOTENCY_TTL_SECONDS },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return { claimed: true };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    if (!out.Item) return this.claim(alertSourceId, idempotencyKey, answer, now); // released meanwhile
    return { first: { eventId: out.Item.eventId as string, alertKey: out.Item.alertKey as string } };
  }

  /** Frees a key whose request failed (503), so that the caller's retry is accepted. */
  async release(alertSourceId: string, idempotencyKey: string, eventId: string): Promise<void> {
    try {
      await this.ctx.db.send(
        new DeleteCommand({
          TableName: this.ctx.tableName,
          Key: idempotencyKeys.item(alertSourceId, idempotencyKey),
          ConditionExpression: 'eventId = :eventId',
          ExpressionAttributeValues: { ':eventId': eventId },
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
    }
  }
}
