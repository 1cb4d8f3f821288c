// SQS adapter: the FIFO queue that carries accepted events from ingest to the processor, one message group per alert source.
import { SQSClient, SendMessageBatchCommand, SendMessageCommand, type SendMessageBatchRequestEntry } from '@aws-sdk/client-sqs';
import { CALL_BUDGETS, capCalls, sdkTimeouts, type CallBudget } from '../shared/call-budget';
import { GroupCommit, chunksOf } from '../shared/group-commit';
import * as z from 'zod';
import { EVENT_TYPES, type AcceptedEvent } from '../domain/event';
import { Unavailable } from '../store/errors';
import { countRequests } from './queue-usage';

/** `budget`: how long one call may take; the default suits the local pollers' 1 s long polls, ingest passes its own. */
export function createSqsClient(options: { endpoint?: string; region?: string; budget?: CallBudget } = {}): SQSClient {
  const budget = options.budget ?? CALL_BUDGETS.longPoll;
  const common = sdkTimeouts(budget);
  const client = new SQSClient(
    options.endpoint
      ? { ...common, endpoint: options.endpoint, region: options.region ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : common,
  );
  return countRequests(capCalls(client, budget));
}

/**
 * The queue did not take an event (the call failed, timed out, or SQS refused the message): nothing is known to have
 * been queued. The store's Unavailable, so that callers treat both dependencies alike; its own class where they must
 * tell them apart (ingest answers QUEUE_UNAVAILABLE). The SDK's error is its `cause`.
 */
export class QueueUnavailable extends Unavailable {
  override readonly name: string = 'QueueUnavailable';
}

const queueUnavailable = (error: unknown) =>
  new QueueUnavailable(`the queue did not take the event: ${(error as Error)?.message ?? String(error)}`, { cause: error });

/** The deduplication id of a message sent again (crash recovery, a local redrive): anything but its first event's id. */
export const RESENT_PREFIX = 'resent-';

/**
 * Whether a message is as ingest first sent it (its deduplication id is its first event's id), not sent again after a
 * crash or redriven, whose events may have been applied, in part, before.
 */
export const isFirstSend = (dedupId: string | undefined, firstEventId: string | undefined): boolean => dedupId === undefined || dedupId === firstEventId;

/** SQS takes at most 10 messages and 256 KiB per batch. */
const BATCH_BYTES = 256 * 1024;

export class EventQueue {
  /** Sends made at the same moment in one process go out together, up to 10 per SendMessageBatch. */
  private readonly sender = new GroupCommit<SendMessageBatchRequestEntry>((entries) => this.sendGroup(entries), 50, 2);

  constructor(
    private readonly sqs: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** The group keeps one alert source's events in order; the deduplication id makes a retried send harmless. */
  send(event: AcceptedEvent): Promise<void> {
    return this.sendAll([event]);
  }

  /**
   * Sends an event again that may have been applied before (the local runtime's crash recovery), under another
   * deduplication id, which tells the processor to look for what an earlier attempt wrote (see isFirstSend).
   */
  resend(event: AcceptedEvent): Promise<void> {
    return this.sender.add({
      Id: event.eventId,
      MessageBody: queueMessageBody([event]),
      MessageGroupId: event.alertSourceId,
      MessageDeduplicationId: `${RESENT_PREFIX}${event.eventId}`,
    });
  }

  /**
   * The events of one payload (one tool notification) in ONE message, so that they are queued all together or not at
   * all: the processor applies them in order. A single event keeps the message shape of `send`.
   */
  sendAll(events: readonly AcceptedEvent[]): Promise<void> {
    const [first] = events;
    return this.sender.add({
      Id: first.eventId,
      MessageBody: queueMessageBody(events),
      MessageGroupId: first.alertSourceId,
      MessageDeduplicationId: first.eventId,
    });
  }

  private async sendGroup(entries: SendMessageBatchRequestEntry[]) {
    const chunks = chunksOf(entries, 10, BATCH_BYTES - 1024, (e) => Buffer.byteLength(e.MessageBody!) + 200);
    const results = await Promise.all(chunks.map((chunk) => this.sendChunk(chunk)));
    return results.flat();
  }

  /** One entry: SendMessage; several: SendMessageBatch, whose entries succeed or fail one by one. */
  private async sendChunk(chunk: SendMessageBatchRequestEntry[]): Promise<Array<{ ok: true } | { ok: false; error: unknown }>> {
    try {
      if (chunk.length === 1) {
        const { Id: _id, ...message } = chunk[0];
        await this.sqs.send(new SendMessageCommand({ QueueUrl: this.queueUrl, ...message }));
        return [{ ok: true }];
      }
      const out = await this.sqs.send(new SendMessageBatchCommand({ QueueUrl: this.queueUrl, Entries: chunk }));
      const failed = new Map((out.Failed ?? []).map((f) => [f.Id, f]));
      return chunk.map((entry) => {
        const failure = failed.get(entry.Id);
        return failure ? { ok: false, error: queueUnavailable(new Error(`SQS refused the message: ${failure.Code} ${failure.Message ?? ''}`)) } : { ok: true };
      });
    } catch (error) {
      return chunk.map(() => ({ ok: false as const, error: queueUnavailable(error) }));
    }
  }
}

/**
 * JSON with every non-ASCII character escaped. SQS refuses some characters in a body (control characters, lone
 * surrogates, and in some implementations anything past U+FFFD); escaped, any event the schema accepted travels.
 * The worst case (a 256 KiB body of emoji) grows to about 800 KB, inside SQS's 1 MiB message limit.
 */
export const asciiJson = (value: unknown): string =>
  JSON.stringify(value).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The envelope of a queued event; the fields inside were validated by the ingest's schema before it was sent. */
const queuedEventSchema = z.looseObject({
  eventId: z.string().min(1),
  alertSourceId: z.string().min(1),
  receivedAt: z.string().min(1),
  eventType: z.enum(EVENT_TYPES),
  alertKey: z.string().min(1),
});

/** Several events of one payload: `{"events": [...]}`; one event: the event itself (the shape messages always had). */
export const queueMessageBody = (events: readonly AcceptedEvent[]): string => asciiJson(events.length === 1 ? events[0] : { events });

const batchMessageSchema = z.object({ events: z.array(queuedEventSchema).min(1) });

/** The events a message carries, in order: either shape of queueMessageBody (older messages carry one event). */
export function parseQueuedEvents(body: string): AcceptedEvent[] {
  const message: unknown = JSON.parse(body);
  if (typeof message === 'object' && message !== null && 'events' in message) {
    return batchMessageSchema.parse(message).events as unknown as AcceptedEvent[];
  }
  return [queuedEventSchema.parse(message) as unknown as AcceptedEvent];
}

/** The one event of a single-event message (tests and tools that build messages by hand). */
export function parseQueuedEvent(body: string): AcceptedEvent {
  return queuedEventSchema.parse(JSON.parse(body)) as unknown as AcceptedEvent;
}
