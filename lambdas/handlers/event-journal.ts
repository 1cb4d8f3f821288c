// The local runtime's journal of accepted events (local/runtime.ts builds it; nothing in AWS). Its queue lives in memory, so ingest appends every accepted event here
// and waits until it is on disk before answering 202; a restart sends again the events the processor was not done
// with. It is a file, not DynamoDB Local: a record per event there cost the engine a third of its work per event.
//
// One JSON line per event, in numbered segment files of at most `segmentEvents` lines. In memory it keeps which events
// of each segment are still pending; a segment whose events are all settled (handled by the processor, withdrawn) is
// deleted. At the next start the events left in the segments are checked against their records: those with none are
// still to be applied (see createRecovery in lambdas/handlers/recovery.ts).
import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { AcceptedEvent } from '../domain/event';
import { parseQueuedEvents } from '../queue/event-queue';
import { GroupCommit } from '../shared/group-commit';
import type { EventJournal, EventView } from '../store/events';

/** The processor's batch handler as the local pollers call it. */
type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

const SEGMENT = /^segment-(\d{10})\.ndjson$/;
const segmentName = (no: number) => `segment-${String(no).padStart(10, '0')}.ndjson`;

/** What GET /api/events/{id} answers for an event in the journal, as the record ingest used to write said. */
const viewOf = (event: AcceptedEvent): EventView => ({
  eventId: event.eventId,
  alertSourceId: event.alertSourceId,
  eventType: event.eventType,
  alertKey: event.alertKey,
  receivedAt: event.receivedAt,
  outcome: 'QUEUED',
});

/** A line that is an accepted event; anything else (a line cut short by a crash, never acknowledged) is skipped. */
function parseLine(line: string): AcceptedEvent | undefined {
  try {
    const event = JSON.parse(line) as AcceptedEvent;
    return typeof event?.eventId === 'string' && typeof event.alertSourceId === 'string' ? event : undefined;
  } catch {
    return undefined;
  }
}

export class FileEventJournal implements EventJournal {
  /** Pending event ids by segment number; the current segment is always there. */
  private readonly segments = new Map<number, Set<string>>();
  private readonly pending = new Map<string, { segment: number; view: EventView }>();
  private current?: { no: number; file: FileHandle; lines: number };
  private closed = false;
  /** Set once begin() has written the events still queued: appends wait for it, so that none overtakes them. */
  private begun = false;
  /** The group being written, which close() waits for. */
  private writing: Promise<unknown> = Promise.resolve();
  /** Appends made at the same moment share one write and one fdatasync; a payload's events are one entry, whole. */
  private readonly writer = new GroupCommit<readonly AcceptedEvent[]>(async (payloads) => {
    const written = this.write(payloads.flat());
    this.writing = written.catch(() => undefined);
    await written;
    return payloads.map(() => ({ ok: true as const }));
  }, 500);

  private constructor(
    private readonly dir: string,
    private readonly segmentEvents: number,
    /** The events the last run left in the journal, in the order they were accepted (the first line of an id wins). */
    readonly left: AcceptedEvent[],
    /** The segment files the last run left, removed by begin(). */
    private oldFiles: string[],
    private nextNo: number,
  ) {}

  /** Reads what the last run left in `dir` (created if need be, private: mode 0700); appends wait for begin(). */
  static open(dir: string, options: { segmentEvents?: number } = {}): FileEventJournal {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
    const files = readdirSync(dir)
      .filter((f) => SEGMENT.test(f))
      .sort();
    const seen = new Set<string>();
    const left: AcceptedEvent[] = [];
    for (const file of files) {
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        const event = line ? parseLine(line) : undefined;
        if (event && !seen.has(event.eventId)) {
          seen.add(event.eventId);
          left.push(event);
        }
      }
    }
    const lastNo = files.length > 0 ? Number(SEGMENT.exec(files[files.length - 1])![1]) : 0;
    syncDirectory(join(dir, '..')); // the journal's own folder, created just now on a first start, survives a crash too
    return new FileEventJournal(dir, options.segmentEvents ?? 10_000, left, files, lastNo + 1);
  }

  /**
   * Starts this run's journal with the events of the last one that are still to be applied (in their order), then
   * removes the old segments: from here on a crash finds them in the new one.
   */
  async begin(stillQueued: readonly AcceptedEvent[]): Promise<void> {
    await this.rotate();
    if (stillQueued.length > 0) await this.write(stillQueued);
    for (const file of this.oldFiles) rmSync(join(this.dir, file), { force: true });
    this.oldFiles = [];
    this.syncDir();
    this.begun = true;
  }

  append(events: readonly AcceptedEvent[]): Promise<void> {
    if (this.closed || !this.begun) return Promise.reject(new Error('the event journal is not open'));
    return this.writer.add(events);
  }

  settle(eventIds: readonly string[]): void {
    for (const eventId of eventIds) {
      const entry = this.pending.get(eventId);
      if (!entry) continue;
      this.pending.delete(eventId);
      this.release(entry.segment, eventId);
    }
  }

  queued(eventId: string): EventView | undefined {
    return this.pending.get(eventId)?.view;
  }

  /** How many events are pending, and in how many segment files (for tests and the start-up line). */
  stats(): { pending: number; segments: number } {
    return { pending: this.pending.size, segments: this.segments.size };
  }

  /** Waits for the appends under way, then closes the file; the segments stay for the next start. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writing;
    const current = this.current;
    this.current = undefined;
    await current?.file.close();
  }

  private async write(events: readonly AcceptedEvent[]): Promise<void> {
    if (!this.current) throw new Error('the event journal is closed');
    if (this.current.lines >= this.segmentEvents) await this.rotate();
    const current = this.current!;
    try {
      await current.file.appendFile(events.map((e) => `${JSON.stringify(e)}\n`).join(''), 'utf8');
      await current.file.datasync();
    } catch (error) {
      // Part of the group may be in the file, without its line end: the next group goes to a new segment, so that no
      // line it acknowledges is glued to a fragment (a restart skips the fragment, never acknowledged).
      current.lines = Infinity;
      throw error;
    }
    current.lines += events.length;
    const ids = this.segments.get(current.no)!;
    for (const event of events) {
      const earlier = this.pending.get(event.eventId);
      // Journaled again (a system event sent again): it is pending in this segment now.
      if (earlier && earlier.segment !== current.no) this.release(earlier.segment, event.eventId);
      this.pending.set(event.eventId, { segment: current.no, view: viewOf(event) });
      ids.add(event.eventId);
    }
  }

  /** Closes the current segment (deleted if nothing in it is pending) and opens the next one. */
  private async rotate(): Promise<void> {
    const previous = this.current;
    const no = this.nextNo++;
    const file = await open(join(this.dir, segmentName(no)), 'a', 0o600);
    this.current = { no, file, lines: 0 };
    this.segments.set(no, new Set());
    this.syncDir();
    if (previous) {
      await previous.file.close();
      if (this.segments.get(previous.no)?.size === 0) this.remove(previous.no);
    }
  }

  private release(segment: number, eventId: string): void {
    const ids = this.segments.get(segment);
    if (!ids) return;
    ids.delete(eventId);
    if (ids.size === 0 && segment !== this.current?.no) this.remove(segment);
  }

  /**
   * Never throws (it runs inside a withdrawal and the processor's settling): a segment that could not be removed is
   * read again at the next start, where its events' records tell them apart.
   */
  private remove(segment: number): void {
    this.segments.delete(segment);
    try {
      rmSync(join(this.dir, segmentName(segment)), { force: true });
    } catch {
      // left for the next start
    }
  }

  private syncDir(): void {
    syncDirectory(this.dir);
  }
}

/** A new or removed file's directory entry survives a crash of the machine too. */
function syncDirectory(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * The processor's handler, settling in the journal the events of every message it handled (applied, found applied
 * before, or withdrawn): the messages it reports failed come again, or are parked (their FAILED record settles them at
 * the next start).
 */
export function settlingHandled(journal: Pick<EventJournal, 'settle'>, handler: BatchHandler): BatchHandler {
  return async (event, context) => {
    const response = await handler(event, context);
    const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
    for (const record of event.Records) {
      if (failed.has(record.messageId)) continue;
      try {
        journal.settle(parseQueuedEvents(record.body).map((e) => e.eventId));
      } catch {
        // Not a message of events (the processor refused it as such): nothing of the journal's.
      }
    }
    return response;
  };
}
