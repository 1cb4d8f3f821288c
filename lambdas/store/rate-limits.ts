// DynamoDB adapter for the per-alert-source rate limit: one conditional counter update per event, shared by every Lambda instance.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client';
import { rateLimitKeys } from './keys';

export type RateDecision = { allowed: true; limit: number; remaining: number } | { allowed: false; limit: number; retryAfterSeconds: number };

export class RateLimitStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Counts this event in the source's current minute unless the minute is full. The condition makes the count
   * exact across concurrent instances: no read-then-write.
   */
  async take(alertSourceId: string, limit: number, now: Date): Promise<RateDecision> {
    const nowMs = now.getTime();
    const minute = Math.floor(nowMs / 60_000);
    try {
      const out = await this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: rateLimitKeys.item(alertSourceId, minute),
          UpdateExpression: 'ADD #count :one SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count < :limit',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':one': 1, ':limit': limit, ':expires': (minute + 2) * 60 },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return { allowed: true, limit, remaining: Math.max(0, limit - Number(out.Attributes?.count ?? limit)) };
    } catch (error) {
      if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      return { allowed: false, limit, retryAfterSeconds: Math.max(1, Math.ceil(((minute + 1) * 60_000 - nowMs) / 1000)) };
    }
  }
}
