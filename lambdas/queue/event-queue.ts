// SQS adapter: the FIFO queue that carries accepted events from ingest to the processor, one message group per alert source.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { z } from 'zod';
import { EVENT_TYPES, type AcceptedEvent } from '../domain/event';

export function createSqsClient(options: { endpoint?: string; region?: string } = {}): SQSClient {
  return new SQSClient(
    options.endpoint
      ? { endpoint: options.endpoint, region: options.region ?? 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 }
      : { maxAttempts: 2 },
  );
}

export class EventQueue {
  constructor(private readonly sqs: SQSClient, private readonly queueUrl: string) {}

  /**
   * The group keeps one alert source's events in order; the deduplication id makes a retried send harmless.
   * JSON.stringify escapes control characters and lone surrogates, which SQS would refuse in a raw body.
   */
  async send(event: AcceptedEvent): Promise<void> {
    await this.sqs.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(event),
        MessageGroupId: event.alertSourceId,
        MessageDeduplicationId: event.eventId,
      }),
    );
  }
}

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
