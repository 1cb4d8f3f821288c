// DynamoDB adapter for event records, written first by the processor, with the outcome, in the same write as the effect
// (the local runtime keeps queued events in a journal of its own, see EventJournal); a withdrawal's tombstone; FAILED
// when parked.
import { GetCommand, PutCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { GroupCommit, chunksOf } from '../shared/group-commit';
import type { EventOutcome } from '../domain/alert';
import type { AcceptedEvent, EventType } from '../domain/event';
import { QUEUE } from '../contract';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { eventKeys, indexQueries } from './keys';
import { getMany, queryKeys } from './items';
import { Conflict, Unavailable } from './errors';
import { ifConditionFailed } from './sdk-errors';

/** Event records are kept for 30 days, long enough to answer "what happened to event X"; those that carry an entry of an
 * alert's log lose the expiry when applied (see logEntryKeys). */
const RETENTION_SECONDS = 30 * 24 * 3600;

/**
 * A withdrawal's tombstone is kept as long as its message may still come: a message whose send failed but landed after
 * all can wait in the queue (QUEUE.retentionSeconds), then in the dead-letter queue (its retention), before a redrive
 * brings it to the processor, which must then still find the event withdrawn.
 */
export const TOMBSTONE_SECONDS = QUEUE.retentionSeconds + QUEUE.deadLetterRetentionDays * 24 * 3600 + 24 * 3600;

/** When an event's record expires (in seconds, the table's TTL), counted from its receipt. */
export const eventExpiresAt = (receivedAt: string): number => Math.floor(Date.parse(receivedAt) / 1000) + RETENTION_SECONDS;

/** The fields of an event's record that say which event it is, whoever writes the record first. */
export const eventRecordFields = (event: Pick<AcceptedEvent, 'eventId' | 'alertSourceId' | 'eventType' | 'alertKey' | 'receivedAt'>) => ({
  entity: 'Event',
  eventId: event.eventId,
  alertSourceId: event.alertSourceId,
  eventType: event.eventType,
  alertKey: event.alertKey,
  receivedAt: event.receivedAt,
});

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

/**
 * What GET /api/events/{id} answers: the record, or, before the processor applied the event (ingest writes no record),
 * what the local runtime's journal holds (QUEUED), or in AWS only what its id tells: eventId, receivedAt and QUEUED;
 * the other fields are unknown there until then.
 */
export type EventView = Omit<EventRecord, 'alertSourceId' | 'eventType' | 'alertKey'> & Partial<Pick<EventRecord, 'alertSourceId' | 'eventType' | 'alertKey'>>;

const recordOf = (item: Record<string, unknown>): EventRecord => ({
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
 * What a withdrawal leaves (a tombstone, for a day): the event was refused (503) and is never applied. The API answers
 * 404 for it, as for an event it never heard of.
 */
export interface WithdrawnEvent {
  eventId: string;
  outcome: 'WITHDRAWN';
}

const fromItem = (item: Record<string, unknown>): EventRecord | WithdrawnEvent =>
  item.outcome === 'WITHDRAWN' ? { eventId: item.eventId as string, outcome: 'WITHDRAWN' } : recordOf(item);

/**
 * Where the local runtime keeps accepted events until the processor is done with them, its queue living in memory: a
 * file (lambdas/handlers/event-journal.ts), appended before the 202. AWS has none: its queue is durable.
 */
export interface EventJournal {
  /** Resolves once the events (one payload's, all or none) are on disk. */
  append(events: readonly AcceptedEvent[]): Promise<void>;
  /** These events are done with (handled by the processor, withdrawn): a restart need not send them again. */
  settle(eventIds: readonly string[]): void;
  /** An event in the journal that is not done with: what GET /api/events/{id} answers until its record exists. */
  queued(eventId: string): EventView | undefined;
}

/**
 * An event's record while QUEUED with the payload and the QUEUED index entry that crash recovery re-enqueues from, as
 * the local runtime wrote it before its journal (see EventJournal); recovery still reads those of an older data folder.
 * In AWS the queue is durable and ingest writes no record at all: the processor writes the event's record once, with
 * its outcome.
 */
const queuedItem = (event: AcceptedEvent) => ({
  ...eventKeys.item(event.eventId),
  ...eventKeys.queued(event.alertSourceId, event.eventId),
  ...eventRecordFields(event),
  outcome: 'QUEUED',
  payload: JSON.stringify(event),
  expiresAt: eventExpiresAt(event.receivedAt),
});

/** A withdrawal's tombstone: no index entry (a QUEUED one goes with the record it replaces), no payload. */
const tombstone = (eventId: string, nowSeconds: number) => ({
  ...eventKeys.item(eventId),
  entity: 'Event',
  eventId,
  outcome: 'WITHDRAWN',
  expiresAt: nowSeconds + TOMBSTONE_SECONDS,
});

export class EventStore {
  /**
   * `journal` (the local runtime): recordQueued appends to it. `recoverable`: recordQueued writes a QUEUED record with
   * what crash recovery needs (see queuedItem), the local runtime's format before the journal, which tests of such
   * records still write. Neither (AWS): recordQueued does nothing.
   */
  constructor(
    private readonly ctx: StoreContext,
    private readonly options: { recoverable?: boolean; journal?: EventJournal } = {},
  ) {}

  /**
   * Records accepted events as QUEUED. Records written at the same moment in one process (the local runtime's
   * concurrent requests) are written together: one transaction instead of one call each.
   */
  private readonly recorder = new GroupCommit<AcceptedEvent>((events) => this.writeQueued(events), 25, 1);

  /**
   * Records an accepted event as QUEUED with its payload when recoverable, so that a local crash can re-enqueue it.
   * Otherwise (AWS) nothing: the durable queue holds the event, GET /api/events/{id} answers QUEUED from its id, and a
   * withdrawal's tombstone keeps it unapplied all the same.
   */
  recordQueued(event: AcceptedEvent): Promise<void> {
    return this.recordAllQueued([event]);
  }

  /** Records one payload's accepted events as QUEUED, as recordQueued: in the journal, all of them or none. */
  async recordAllQueued(events: readonly AcceptedEvent[]): Promise<void> {
    if (this.options.journal) return this.options.journal.append(events);
    if (this.options.recoverable) await Promise.all(events.map((event) => this.recorder.add(event)));
  }

  private async writeQueued(events: AcceptedEvent[]) {
    const items = events.map(queuedItem);
    // A transaction holds at most 4 MB: big events go in groups of their own.
    const chunks = chunksOf(items, 25, 3_000_000, (item) => Buffer.byteLength(item.payload) + 1000);
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

  /** Withdraws one event whose enqueue failed, so that it is never applied: withdrawAll of one. */
  withdraw(eventId: string): Promise<'withdrawn' | 'not-queued'> {
    return this.withdrawAll([eventId]);
  }

  /**
   * Withdraws one queue message's events (at most 100) all together or not at all, so that none of them is ever
   * applied: each gets a tombstone (WITHDRAWN) in place of its record, if it has none yet (AWS) or a QUEUED one (the
   * local runtime), which the processor's condition refuses to apply (one withdrawn before stays so). `not-queued`: one
   * of them has a record that was applied or parked (FAILED), i.e. the queue took the message and the processor got
   * it: then none is withdrawn, and the others will be applied in their turn. A failing call throws (Unavailable).
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
    // The tombstone's expiry is wall-clock time, as the table's TTL is (not a test's manual clock).
    const nowSeconds = Math.floor(Date.now() / 1000);
    const puts = eventIds.map((eventId) => ({ TableName: this.ctx.tableName, Item: tombstone(eventId, nowSeconds), ...conditions.eventWithdrawable }));
    const write =
      puts.length === 1
        ? this.ctx.db.send(new PutCommand(puts[0]))
        : this.ctx.db.send(new TransactWriteCommand({ TransactItems: puts.map((Put) => ({ Put })) }));
    return ifConditionFailed(
      write.then(() => {
        this.options.journal?.settle(eventIds);
        return 'withdrawn' as const;
      }),
      () => 'not-queued' as const,
    );
  }

  /**
   * The event's record; a tombstone when it was withdrawn; undefined when there is none: never accepted, expired, or,
   * in AWS, accepted and not applied yet (ingest writes no record there).
   */
  async get(eventId: string): Promise<EventRecord | WithdrawnEvent | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: eventKeys.item(eventId), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  /**
   * Parks an event that failed its last attempt: the queue moves its message to the dead-letter queue next. The whole
   * FAILED record is put, in place of the QUEUED one (the local runtime: its index entry and payload go with it) or of
   * none (AWS: ingest wrote none), so that `npm run dlq` tells why and a redrive applies it. Nothing to do when it is
   * no longer QUEUED (applied or withdrawn meanwhile).
   */
  async markFailed(event: AcceptedEvent, error: string, now: string): Promise<void> {
    const item = {
      ...eventKeys.item(event.eventId),
      ...eventRecordFields(event),
      outcome: 'FAILED',
      processedAt: now,
      error: error.slice(0, 1000),
      expiresAt: eventExpiresAt(event.receivedAt),
    };
    const write = this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: item, ...conditions.eventQueuedOrAbsent }));
    await ifConditionFailed(write, () => undefined);
  }

  /**
   * Parks an event that was never tried on its last attempt, because `heldBy` (e.g. "event <id>"), an earlier event of
   * its alert source, failed: its message goes to the dead-letter queue with that one's.
   */
  markHeld(event: AcceptedEvent, heldBy: string, heldByError: string, now: string): Promise<void> {
    return this.markFailed(event, `held behind ${heldBy}, which failed: ${heldByError}`, now);
  }

  /** Which of these events have a record (applied, parked or withdrawn): a restart need not send those again. */
  async recordedAmong(eventIds: readonly string[]): Promise<Set<string>> {
    const items = await getMany(this.ctx, eventIds.map(eventKeys.item), { consistent: true, projection: ['pk', 'sk', 'eventId', 'outcome'] });
    return new Set(items.filter((item) => item.outcome !== 'QUEUED').map((item) => item.eventId as string));
  }

  /**
   * Payloads of the events of one alert source still QUEUED, oldest first (event ids sort by acceptance): recoverable
   * records only (the QUEUED index); a tombstone or a record that left QUEUED has no index entry.
   */
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
