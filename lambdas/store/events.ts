// DynamoDB adapter for event records: written QUEUED at ingest, given their outcome by the processor in the same write as the effect.
import { DeleteCommand, GetCommand, PutCommand, TransactWriteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { GroupCommit, chunksOf } from '../shared/group-commit';
import type { EventOutcome } from '../domain/alert';
import type { AcceptedEvent, EventType } from '../domain/event';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { eventKeys, indexQueries } from './keys';
import { getMany, queryKeys } from './items';
import { Conflict, Unavailable } from './errors';
import { ifConditionFailed } from './sdk-errors';

/** Event records are kept for 30 days, long enough to answer "what happened to event X"; those that carry an entry of an
 * alert's log lose the expiry when applied (see logEntryKeys). */
const RETENTION_SECONDS = 30 * 24 * 3600;

export interface EventRecord {
  eventId: string;
  alertSourceId: string;
  eventType: EventType;
  alertKey: string;
  receivedAt: string;
  processedAt?: string;
  outcome: EventOutcome;
  alertId?: string;
  error?: string;
}

const fromItem = (item: Record<string, unknown>): EventRecord => ({
  eventId: item.eventId as string,
  alertSourceId: item.alertSourceId as string,
  eventType: item.eventType as EventType,
  alertKey: item.alertKey as string,
  receivedAt: item.receivedAt as string,
  processedAt: item.processedAt as string | undefined,
  outcome: item.outcome as EventOutcome,
  alertId: item.alertId as string | undefined,
  error: item.error as string | undefined,
});

/**
 * An event's record while QUEUED. `recoverable` (the local runtime, whose queue lives in memory): with the payload and
 * the QUEUED index entry that crash recovery re-enqueues from. In AWS the queue is durable and the record stays small:
 * one write unit instead of two or more, and no index entry to put now and delete when the event is applied.
 */
const queuedItem = (event: AcceptedEvent, recoverable: boolean) => ({
  ...eventKeys.item(event.eventId),
  ...(recoverable ? eventKeys.queued(event.alertSourceId, event.eventId) : {}),
  entity: 'Event',
  eventId: event.eventId,
  alertSourceId: event.alertSourceId,
  eventType: event.eventType,
  alertKey: event.alertKey,
  receivedAt: event.receivedAt,
  outcome: 'QUEUED',
  payload: recoverable ? JSON.stringify(event) : undefined,
  expiresAt: Math.floor(Date.parse(event.receivedAt) / 1000) + RETENTION_SECONDS,
});

/** A record that is still QUEUED, or none at all: what a message's withdrawal may delete. */
const queuedOrAbsent = {
  ConditionExpression: `attribute_not_exists(pk) OR ${conditions.eventQueued.ConditionExpression}`,
  ExpressionAttributeValues: conditions.eventQueued.ExpressionAttributeValues,
};

export class EventStore {
  /** `recoverable`: records keep what local crash recovery needs (see queuedItem); only ingest writes them. */
  constructor(
    private readonly ctx: StoreContext,
    private readonly options: { recoverable?: boolean } = {},
  ) {}

  /**
   * Records accepted events as QUEUED. Records written at the same moment in one process (the local runtime's
   * concurrent requests) are written together: one transaction instead of one call each.
   */
  private readonly recorder = new GroupCommit<AcceptedEvent>((events) => this.writeQueued(events), 25, 1);

  /** Records an accepted event as QUEUED (with its payload when recoverable, so that a local crash can re-enqueue it). */
  recordQueued(event: AcceptedEvent): Promise<void> {
    return this.recorder.add(event);
  }

  private async writeQueued(events: AcceptedEvent[]) {
    const items = events.map((event) => queuedItem(event, this.options.recoverable ?? false));
    // A transaction holds at most 4 MB: big events go in groups of their own.
    const chunks = chunksOf(items, 25, 3_000_000, (item) => Buffer.byteLength(item.payload ?? '') + 1000);
    const written = await Promise.all(
      chunks.map((chunk) =>
        this.putAll(chunk).then(
          () => ({ ok: true as const }),
          (error: unknown) => ({ ok: false as const, error }),
        ),
      ),
    );
    return chunks.flatMap((chunk, i) => chunk.map(() => written[i]));
  }

  private async putAll(items: Array<ReturnType<typeof queuedItem>>): Promise<void> {
    const puts = items.map((Item) => ({ TableName: this.ctx.tableName, Item, ...conditions.isNew }));
    if (puts.length === 1) await this.ctx.db.send(new PutCommand(puts[0]));
    else await this.ctx.db.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) }));
  }

  /**
   * Withdraws an event whose enqueue failed, so that it is never applied. `not-queued`: the record is gone or no longer
   * QUEUED, i.e. the queue took the message after all and the processor applied (or parked) it, or it was never
   * written. A failing call throws (Unavailable): then nobody knows.
   */
  async withdraw(eventId: string): Promise<'withdrawn' | 'not-queued'> {
    const withdrawn = this.ctx.db
      .send(new DeleteCommand({ TableName: this.ctx.tableName, Key: eventKeys.item(eventId), ...conditions.eventQueued }))
      .then(() => 'withdrawn' as const);
    return ifConditionFailed(withdrawn, () => 'not-queued' as const);
  }

  /**
   * Withdraws the records of one queue message's events (at most 100) all together or not at all, so that none of them
   * is ever applied. `not-queued`: one of them exists and is no longer QUEUED, i.e. the queue took the message and the
   * processor applied (or parked) it: then none is withdrawn, and the others will be applied in their turn. A record
   * that does not exist (never written) does not stop the others. A failing call throws (Unavailable).
   */
  async withdrawAll(eventIds: readonly string[]): Promise<'withdrawn' | 'not-queued'> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.withdrawOnce(eventIds);
      } catch (error) {
        // A conflict with a transaction under way on a record: the processor applying it. Once that commits, the
        // condition decides; past a few tries the store is failing (Unavailable).
        if (!(error instanceof Conflict) || attempt === 4) throw error instanceof Conflict ? new Unavailable(error.message, { cause: error }) : error;
        await new Promise((resolve) => setTimeout(resolve, 25 * attempt));
      }
    }
  }

  private withdrawOnce(eventIds: readonly string[]): Promise<'withdrawn' | 'not-queued'> {
    const write =
      eventIds.length === 1
        ? this.ctx.db.send(new DeleteCommand({ TableName: this.ctx.tableName, Key: eventKeys.item(eventIds[0]), ...queuedOrAbsent }))
        : this.ctx.db.send(
            new TransactWriteCommand({
              TransactItems: eventIds.map((eventId) => ({ Delete: { TableName: this.ctx.tableName, Key: eventKeys.item(eventId), ...queuedOrAbsent } })),
            }),
          );
    return ifConditionFailed(
      write.then(() => 'withdrawn' as const),
      () => 'not-queued' as const,
    );
  }

  async get(eventId: string): Promise<EventRecord | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: eventKeys.item(eventId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /**
   * Parks an event that failed its last attempt: the queue moves its message to the dead-letter queue next. Nothing
   * to do when it is no longer QUEUED (applied or withdrawn meanwhile).
   */
  async markFailed(eventId: string, error: string, now: string): Promise<void> {
    const write = this.ctx.db.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: eventKeys.item(eventId),
        UpdateExpression: 'SET outcome = :failedOutcome, processedAt = :now, #error = :error REMOVE gsi2pk, gsi2sk',
        ExpressionAttributeNames: { '#error': 'error' },
        ExpressionAttributeValues: {
          ...conditions.eventQueued.ExpressionAttributeValues,
          ':failedOutcome': 'FAILED',
          ':now': now,
          ':error': error.slice(0, 1000),
        },
        ConditionExpression: conditions.eventQueued.ConditionExpression,
      }),
    );
    await ifConditionFailed(write, () => undefined);
  }

  /**
   * Parks an event that was never tried on its last attempt, because `heldBy` (e.g. "event <id>"), an earlier event of
   * its alert source, failed: its message goes to the dead-letter queue with that one's.
   */
  markHeld(eventId: string, heldBy: string, heldByError: string, now: string): Promise<void> {
    return this.markFailed(eventId, `held behind ${heldBy}, which failed: ${heldByError}`, now);
  }

  /** Payloads of the events of one alert source still QUEUED, oldest first (event ids sort by acceptance). */
  async *queuedPayloads(alertSourceId: string): AsyncGenerator<AcceptedEvent> {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await queryKeys(this.ctx, { ...indexQueries.queuedEvents(alertSourceId), ExclusiveStartKey: start, Limit: 100 });
      for (const item of await getMany(this.ctx, page.keys)) {
        if (item.outcome === 'QUEUED') yield JSON.parse(item.payload as string) as AcceptedEvent;
      }
      start = page.lastKey;
    } while (start);
  }
}
