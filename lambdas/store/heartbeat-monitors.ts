// DynamoDB adapter for heartbeat monitors: by id, by ping key, the paged list, and the state changes made with their check's job.
import { DeleteCommand, GetCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { EscalationJob } from '../domain/escalation';
import type { HeartbeatMonitor, HeartbeatSettings } from '../domain/heartbeat';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { jobPut } from './escalation-jobs';
import { NotFound } from './errors';
import { getMany, queryKeys } from './items';
import { creationPosition, heartbeatMonitorKeys, indexQueries, indexQuery, type Key } from './keys';
import { ifConditionFailed } from './sdk-errors';

type HeartbeatJob = Extract<EscalationJob, { kind: 'HEARTBEAT' }>;

const toItem = (m: HeartbeatMonitor) => ({
  ...heartbeatMonitorKeys.item(m.id),
  ...heartbeatMonitorKeys.list(m.createdAt, m.id),
  ...heartbeatMonitorKeys.byKey(m.key),
  entity: 'HeartbeatMonitor',
  ...m,
});

const fromItem = (item: Record<string, unknown>): HeartbeatMonitor => {
  const { pk: _p, sk: _s, gsi1pk: _1, gsi1sk: _2, gsi2pk: _3, gsi2sk: _4, entity: _e, ...monitor } = item;
  return monitor as unknown as HeartbeatMonitor;
};

const notFound = (id: string) => new NotFound(`Heartbeat monitor ${id} not found`);

/** The false of a transaction whose condition failed (the monitor changed or is gone): the caller reads again. */
const unlessConditionFailed = (write: Promise<unknown>): Promise<boolean> =>
  ifConditionFailed(
    write.then(() => true),
    () => false,
  );

export class HeartbeatMonitorStore {
  constructor(private readonly ctx: StoreContext) {}

  /** The monitor and its first check's job, together. */
  async create(monitor: HeartbeatMonitor, job: HeartbeatJob, nowMs: number): Promise<void> {
    const t = this.ctx.tableName;
    await this.ctx.db.send(
      new TransactWriteCommand({ TransactItems: [{ Put: { TableName: t, Item: toItem(monitor), ...conditions.isNew } }, jobPut(t, job, nowMs).item] }),
    );
  }

  /** Read consistently: a job or a ping decides on it and writes on the condition that it is still as read. */
  get(id: string): Promise<HeartbeatMonitor | undefined> {
    return this.read(heartbeatMonitorKeys.item(id));
  }

  async getByKey(key: string): Promise<HeartbeatMonitor | undefined> {
    const { keys } = await queryKeys(this.ctx, { ...indexQueries.heartbeatByKey(key), Limit: 1 });
    if (keys.length === 0) return undefined;
    const monitor = await this.read(keys[0]);
    // The index is eventually consistent: the monitor may have been deleted since.
    return monitor?.key === key ? monitor : undefined;
  }

  private async read(key: Key): Promise<HeartbeatMonitor | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /** One page of monitors, newest first. */
  async list(page: { limit: number; cursor?: string }): Promise<{ items: HeartbeatMonitor[]; nextCursor?: string }> {
    const query = { listing: 'heartbeat-monitors' };
    const before = decodeCursor(query, page.cursor, creationPosition.isValid);
    const keyCondition = indexQuery('gsi1', heartbeatMonitorKeys.listPartition, before === undefined ? undefined : { before });
    const found = await queryKeys(this.ctx, { ...keyCondition, ScanIndexForward: false, Limit: page.limit });
    const items = (await getMany(this.ctx, found.keys)).map(fromItem);
    return { items, nextCursor: encodeCursor(query, found.lastKey?.gsi1sk as string | undefined) };
  }

  /**
   * New settings, as the caller read the monitor (updatedAt); a monitor not OVERDUE gets its check at the new due time
   * (`job`), and the job it had goes stale (it finds checkAt changed). Leaves lastPingAt and status to the pings.
   */
  async replace(previous: HeartbeatMonitor, settings: HeartbeatSettings, updatedAt: string, job: HeartbeatJob | undefined, nowMs: number): Promise<boolean> {
    const t = this.ctx.tableName;
    const values: Record<string, unknown> = {
      ':name': settings.name,
      ':interval': settings.intervalSec,
      ':grace': settings.graceSec,
      ':source': settings.alertSource,
      ':updatedAt': updatedAt,
      ':read': previous.updatedAt,
    };
    if (job) values[':checkAt'] = job.dueAt;
    const update = {
      Update: {
        TableName: t,
        Key: heartbeatMonitorKeys.item(previous.id),
        UpdateExpression: `SET #name = :name, intervalSec = :interval, graceSec = :grace, alertSource = :source, updatedAt = :updatedAt${job ? ', checkAt = :checkAt' : ''}`,
        ConditionExpression: 'attribute_exists(pk) AND updatedAt = :read',
        ExpressionAttributeNames: { '#name': 'name' },
        ExpressionAttributeValues: values,
      },
    };
    return unlessConditionFailed(this.ctx.db.send(new TransactWriteCommand({ TransactItems: job ? [update, jobPut(t, job, nowMs).item] : [update] })));
  }

  /** Throws NotFound when there is no such monitor. Its pending job finds it gone and ends. */
  async delete(id: string): Promise<void> {
    await ifConditionFailed(
      this.ctx.db.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: heartbeatMonitorKeys.item(id), ...conditions.exists })),
      () => {
        throw notFound(id);
      },
    );
  }

  /** A ping of a monitor that is not OVERDUE: only the time (its pending job finds it). False when it is OVERDUE or gone. */
  recordPing(id: string, at: string): Promise<boolean> {
    return unlessConditionFailed(
      this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: heartbeatMonitorKeys.item(id),
          UpdateExpression: 'SET lastPingAt = :at, #status = :up',
          ConditionExpression: 'attribute_exists(pk) AND #status <> :overdue',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':at': at, ':up': 'UP', ':overdue': 'OVERDUE' },
        }),
      ),
    );
  }

  /** The first ping after OVERDUE: UP again, with the next check's job. False when another ping did it first. */
  recover(id: string, at: string, job: HeartbeatJob, nowMs: number): Promise<boolean> {
    const t = this.ctx.tableName;
    const update = {
      Update: {
        TableName: t,
        Key: heartbeatMonitorKeys.item(id),
        UpdateExpression: 'SET lastPingAt = :at, #status = :up, checkAt = :checkAt REMOVE overdue',
        ConditionExpression: '#status = :overdue',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':at': at, ':up': 'UP', ':overdue': 'OVERDUE', ':checkAt': job.dueAt },
      },
    };
    return unlessConditionFailed(this.ctx.db.send(new TransactWriteCommand({ TransactItems: [update, jobPut(t, job, nowMs).item] })));
  }

  /** The check moves to a later due time (a ping came since it was planned): false when `jobKey` is no longer the monitor's. */
  reschedule(monitor: HeartbeatMonitor, jobKey: Key, job: HeartbeatJob, nowMs: number): Promise<boolean> {
    const t = this.ctx.tableName;
    const update = {
      Update: {
        TableName: t,
        Key: heartbeatMonitorKeys.item(monitor.id),
        UpdateExpression: 'SET checkAt = :checkAt',
        ConditionExpression: 'checkAt = :current',
        ExpressionAttributeValues: { ':checkAt': job.dueAt, ':current': monitor.checkAt },
      },
    };
    return unlessConditionFailed(
      this.ctx.db.send(new TransactWriteCommand({ TransactItems: [update, { Delete: { TableName: t, Key: jobKey } }, jobPut(t, job, nowMs).item] })),
    );
  }

  /**
   * OVERDUE, its check ended, its alert on `alertSourceId`: conditioned on the monitor being as read (the same check,
   * no ping since), so that a ping that came in between wins, and so that of two ticks running the same job only one
   * makes the transition (the claim to send its ALERT). False then. The job stays until its ALERT is sent.
   */
  markOverdue(monitor: HeartbeatMonitor, alertSourceId: string): Promise<boolean> {
    const pinged = monitor.lastPingAt === undefined ? 'attribute_not_exists(lastPingAt)' : 'lastPingAt = :lastPingAt';
    return unlessConditionFailed(
      this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: heartbeatMonitorKeys.item(monitor.id),
          UpdateExpression: 'SET #status = :overdue, overdue = :mark REMOVE checkAt',
          ConditionExpression: `#status <> :overdue AND checkAt = :current AND ${pinged}`,
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: {
            ':overdue': 'OVERDUE',
            ':current': monitor.checkAt,
            ':mark': { check: monitor.checkAt, alertSourceId },
            ...(monitor.lastPingAt ? { ':lastPingAt': monitor.lastPingAt } : {}),
          },
        }),
      ),
    );
  }
}
