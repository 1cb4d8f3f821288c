// DynamoDB adapter for the per-alert-source rate limit: one counter per source and minute, shared by every Lambda instance.
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client';
import { rateLimitKeys } from './keys';
import { ifConditionFailed } from './sdk-errors';

export class RateLimitStore {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Adds `count` events to the source's counter for `minute` unless that would pass the limit; returns the counter
   * after the addition, or undefined when it would not fit. The condition makes it exact across concurrent
   * instances: no read-then-write.
   */
  async reserve(alertSourceId: string, minute: number, count: number, limit: number): Promise<number | undefined> {
    const reserved = this.ctx.db
      .send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: rateLimitKeys.item(alertSourceId, minute),
          UpdateExpression: 'ADD #count :n SET expiresAt = if_not_exists(expiresAt, :expires)',
          ConditionExpression: 'attribute_not_exists(#count) OR #count <= :room',
          ExpressionAttributeNames: { '#count': 'count' },
          ExpressionAttributeValues: { ':n': count, ':room': limit - count, ':expires': (minute + 2) * 60 },
          ReturnValues: 'UPDATED_NEW',
        }),
      )
      .then((out) => Number(out.Attributes?.count));
    return ifConditionFailed(reserved, () => undefined);
  }
}
