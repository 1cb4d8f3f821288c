// DynamoDB adapter for maintenance windows: the window items, and one coverage item per alert source it names (what the processor reads).
import { GetCommand, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { coveragesOf, type Coverage, type MaintenanceWindow } from '../domain/maintenance-window';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { getMany, queryKeys } from './items';
import { creationPosition, indexQuery, maintenanceCoverageKeys, maintenanceWindowKeys, type Key } from './keys';
import type { TransactItem } from './transactions';

/** A coverage item outlives its window's end by a day, then DynamoDB's TTL removes it (nobody reads ended ones). */
const COVERAGE_AFTERLIFE_SECONDS = 24 * 3600;

const toItem = (w: MaintenanceWindow) => ({
  ...maintenanceWindowKeys.item(w.id),
  ...maintenanceWindowKeys.list(w.createdAt, w.id),
  entity: 'MaintenanceWindow',
  ...w,
});

const fromItem = (item: Record<string, unknown>): MaintenanceWindow => {
  const { pk: _p, sk: _s, gsi1pk: _1, gsi1sk: _2, entity: _e, ...w } = item;
  return w as unknown as MaintenanceWindow;
};

const coverageKeys = (w: MaintenanceWindow): Key[] => coveragesOf(w).map((c) => maintenanceCoverageKeys.item(c.alertSourceId, c.end, c.windowId));

function coveragePuts(tableName: string, w: MaintenanceWindow): TransactItem[] {
  return coveragesOf(w).map((c) => ({
    Put: {
      TableName: tableName,
      Item: {
        ...maintenanceCoverageKeys.item(c.alertSourceId, c.end, c.windowId),
        entity: 'MaintenanceCoverage',
        windowId: c.windowId,
        start: c.start,
        end: c.end,
        expiresAt: Math.floor(Date.parse(c.end) / 1000) + COVERAGE_AFTERLIFE_SECONDS,
      },
    },
  }));
}

/** The window must exist and carry the updatedAt the caller read: a write decided on a stale read fails (Conflict). */
const windowUnchanged = (updatedAt: string) => ({
  ConditionExpression: 'attribute_exists(pk) AND updatedAt = :readUpdatedAt',
  ExpressionAttributeValues: { ':readUpdatedAt': updatedAt },
});

const sameKey = (a: Key, b: Key) => a.pk === b.pk && a.sk === b.sk;

export class MaintenanceWindowStore {
  constructor(private readonly ctx: StoreContext) {}

  async create(w: MaintenanceWindow): Promise<void> {
    const t = this.ctx.tableName;
    await this.ctx.db.send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: t, Item: toItem(w), ...conditions.isNew } }, ...coveragePuts(t, w)] }),
    );
  }

  async get(id: string): Promise<MaintenanceWindow | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: maintenanceWindowKeys.item(id), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** One page of windows, newest first. */
  async list(page: { limit: number; cursor?: string }): Promise<{ items: MaintenanceWindow[]; nextCursor?: string }> {
    const query = { listing: 'maintenance-windows' };
    const before = decodeCursor(query, page.cursor, creationPosition.isValid);
    const keyCondition = indexQuery('gsi1', maintenanceWindowKeys.listPartition, before === undefined ? undefined : { before });
    const found = await queryKeys(this.ctx, { ...keyCondition, ScanIndexForward: false, Limit: page.limit });
    const items = (await getMany(this.ctx, found.keys)).map(fromItem);
    return { items, nextCursor: encodeCursor(query, found.lastKey?.gsi1sk as string | undefined) };
  }

  /** Replaces `previous` (as read) and its coverage items; Conflict when it changed or was deleted since. */
  async replace(w: MaintenanceWindow, previous: MaintenanceWindow): Promise<void> {
    const t = this.ctx.tableName;
    const kept = coverageKeys(w);
    const dropped = coverageKeys(previous).filter((old) => !kept.some((k) => sameKey(k, old)));
    await this.ctx.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Put: { TableName: t, Item: toItem(w), ...windowUnchanged(previous.updatedAt) } },
          ...dropped.map((Key) => ({ Delete: { TableName: t, Key } })),
          ...coveragePuts(t, w),
        ],
      }),
    );
  }

  /** Deletes the window as read, with its coverage items; Conflict when it changed or was deleted since. */
  async delete(w: MaintenanceWindow): Promise<void> {
    const t = this.ctx.tableName;
    await this.ctx.db.send(
      new TransactWriteCommand({
        TransactItems: [
          { Delete: { TableName: t, Key: maintenanceWindowKeys.item(w.id), ...windowUnchanged(w.updatedAt) } },
          ...coverageKeys(w).map((Key) => ({ Delete: { TableName: t, Key } })),
        ],
      }),
    );
  }

  /** An alert source's windows that end after `after` (ISO): the current and future ones, by key, never a scan. */
  async coverageOf(alertSourceId: string, after: string): Promise<Coverage[]> {
    const found: Coverage[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.ctx.db.send(
        new QueryCommand({
          TableName: this.ctx.tableName,
          KeyConditionExpression: 'pk = :pk AND sk > :after',
          ExpressionAttributeValues: { ':pk': maintenanceCoverageKeys.partition(alertSourceId), ':after': after },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of out.Items ?? []) found.push({ windowId: item.windowId as string, start: item.start as string, end: item.end as string });
      start = out.LastEvaluatedKey;
    } while (start);
    return found;
  }
}
