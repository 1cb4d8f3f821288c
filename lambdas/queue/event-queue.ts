// SQS adapter: the FIFO queue that carries accepted events from ingest to the processor, one message group per alert source.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import * as z from 'zod';
import { EVENT_TYPES, type AcceptedEvent } from '../domain/event';

export function createSqsClient(options: { endpoint?: string; region?: string } = {}): SQSClient {
  const common = { maxAttempts: 2, requestHandler: { connectionTimeout: 1000, requestTimeout: 3000 } };
  return new SQSClient(
    options.endpoint
      ? { ...common, endpoint: options.endpoint, region: options.region ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : common,
  );
}

export class EventQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  /** The group keeps one alert source's events in order; the deduplication id makes a retried send harmless. */
  async send(event: AcceptedEvent): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: asciiJson(event),
        MessageGroupId: event.alertSourceId,
        MessageDeduplicationId: event.eventId,
      }),
    );
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

export function parseQueuedEvent(body: string): AcceptedEvent {
  return queuedEventSchema.parse(JSON.parse(body)) as unknown as AcceptedEvent;
}
