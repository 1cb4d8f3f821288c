// Feeds the processor the way Lambda's SQS event source does: batches of up to 10, delete what succeeded, leave failures for retry.
import { DeleteMessageBatchCommand, ReceiveMessageCommand, type Message, type SQSClient } from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { lambdaContext } from './lambda-context';

export type BatchHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** mulberry32: a small seeded generator in [0, 1), so that a rehearsal's faults fall the same way on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed of dropped acknowledgements as LOCAL_FAULT_SEED gives it (bin/local.ts reads it); unset: unseeded chance. */
export function parseFaultSeed(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (!/^\d+$/.test(raw)) throw new Error(`LOCAL_FAULT_SEED must be a non-negative integer, got ${JSON.stringify(raw)}`);
  return Number(raw);
}

export function toRecord(message: Message, queueArn: string): SQSRecord {
  const attributes = (message.Attributes ?? {}) as Record<string, string>;
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      SequenceNumber: attributes.SequenceNumber,
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
    },
    messageAttributes: {},
    md5OfBody: message.MD5OfBody ?? '',
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: 'local',
  };
}

export interface Poller {
  stop: () => Promise<void>;
}

/** Starts `count` pollers on one queue; stop() lets each finish the batch in hand, then resolves. */
export function startPollers(options: {
  sqs: SQSClient;
  queueUrl: string;
  count: number;
  handler: BatchHandler;
  onError: (e: unknown) => void;
  /** Share (0..1) of batches applied but never deleted, as if the process died between effect and acknowledgement. */
  loseAcks?: number;
  /**
   * Seed of that chance: the n-th batch handled loses its acknowledgement on every run or on none, whichever poller
   * handles it. Without one the chance is Math.random's.
   */
  faultSeed?: number;
  /** The function the batches stand for, in the Lambda context handed to the handler. @default 'processor' */
  functionName?: string;
}): Poller {
  let stopping = false;
  const queueArn = `arn:aws:sqs:local:000000000000:${options.queueUrl.split('/').pop()}`;
  const abort = new AbortController();
  const chance = options.faultSeed === undefined ? Math.random : seededRandom(options.faultSeed);

  async function loop(): Promise<void> {
    while (!stopping) {
      let messages: Message[];
      try {
        const out = await options.sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: options.queueUrl,
            MaxNumberOfMessages: 10,
            WaitTimeSeconds: 1,
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = out.Messages ?? [];
      } catch (error) {
        if (stopping) return;
        options.onError(error);
        await sleep(500);
        continue;
      }
      if (messages.length === 0) continue;
      try {
        const records = messages.map((m) => toRecord(m, queueArn));
        const response = await options.handler({ Records: records }, lambdaContext(options.functionName ?? 'processor'));
        const failed = new Set((response?.batchItemFailures ?? []).map((f) => f.itemIdentifier));
        const done = records.filter((r) => !failed.has(r.messageId));
        if (options.loseAcks && chance() < options.loseAcks) {
          options.onError(new Error(`fault: dropped the acknowledgement of ${done.length} applied message(s)`));
          continue;
        }
        if (done.length > 0) {
          await options.sqs.send(
            new DeleteMessageBatchCommand({
              QueueUrl: options.queueUrl,
              Entries: done.map((r, i) => ({ Id: String(i), ReceiptHandle: r.receiptHandle })),
            }),
          );
        }
      } catch (error) {
        // As with Lambda, a batch that throws is retried whole after the visibility timeout.
        options.onError(error);
      }
    }
  }

  const loops = Array.from({ length: options.count }, () => loop());
  return {
    stop: async () => {
      stopping = true;
      abort.abort();
      await Promise.all(loops);
    },
  };
}
