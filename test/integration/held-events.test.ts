// Events held behind a poison message in a FIFO batch on their last receive end FAILED, naming the poison, and replay.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { lambdaContext } from '../../local/lambda-context';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { eventId } from '../../lambdas/handlers/ids';
import { asciiJson, createSqsClient } from '../../lambdas/queue/event-queue';
import { createDocumentClient } from '../../lambdas/store/client';
import { EventStore } from '../../lambdas/store/events';
import { alertKeys, openAlertKeys } from '../../lambdas/store/keys';
import { clientFor } from '../support/client';

jest.setTimeout(120_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let db: ReturnType<typeof createDocumentClient>;
let store: EventStore;
let processBatch: ReturnType<typeof import('../../lambdas/handlers/processor').createBatchProcessor>;
let metrics: typeof import('../../lambdas/handlers/clients').metrics;

const dlq = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/dlq.ts'), ...args, '--data-dir', rt.dataDir], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
  db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
  // Recorded as the local runtime's ingest records them (recoverable); test/integration/aws-events.test.ts parks events without a record.
  store = new EventStore({ db, tableName: rt.info.tableName }, { recoverable: true });
  // Powertools reads its log level and metrics switch when the logger and metrics are built: set them, then load.
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const { createBatchProcessor } = require('../../lambdas/handlers/processor') as typeof import('../../lambdas/handlers/processor');
  processBatch = createBatchProcessor({
    tableName: rt.info.tableName,
    dynamoDbEndpoint: rt.info.dynamoDbEndpoint,
    sourceCacheTtlMs: 10_000,
    maxReceiveCount: 5,
    singleWrites: true,
  });
  ({ metrics } = require('../../lambdas/handlers/clients') as typeof import('../../lambdas/handlers/clients'));
});
afterAll(async () => {
  db?.destroy();
  await rt?.stop();
});

/** Makes the alert key unreadable for the processor (the dead-letter test's recipe): its open-alert lock names an alert with broken JSON. */
async function poisonKey(alertSourceId: string, alertKey: string) {
  const lock = openAlertKeys.item(alertSourceId, alertKey);
  const corrupt = alertKeys.item(`corrupt-${alertSourceId}`);
  await db.send(new PutCommand({ TableName: rt.info.tableName, Item: { ...lock, openAlertIds: [`corrupt-${alertSourceId}`], revision: 'r1' } }));
  await db.send(
    new PutCommand({
      TableName: rt.info.tableName,
      Item: { ...corrupt, id: `corrupt-${alertSourceId}`, status: 'PENDING', images: '{not json', links: '[]', customDetails: '{}' },
    }),
  );
  return async () => {
    await db.send(new DeleteCommand({ TableName: rt.info.tableName, Key: lock }));
    await db.send(new DeleteCommand({ TableName: rt.info.tableName, Key: corrupt }));
  };
}

/** An event accepted and recorded QUEUED, as ingest leaves it before the processor sees it. */
async function accepted(alertSourceId: string, alertKey: string): Promise<AcceptedEvent> {
  const event: AcceptedEvent = { eventId: eventId(), alertSourceId, receivedAt: new Date().toISOString(), eventType: 'ALERT', alertKey, summary: alertKey };
  await store.recordQueued(event);
  return event;
}

/** A message as Lambda's FIFO poller hands it over (the shape of events/processor-sqs-fifo-batch.json). */
const record = (event: AcceptedEvent, receiveCount: number, sentMsAgo = 0): SQSRecord => ({
  messageId: `m-${event.eventId}`,
  receiptHandle: `rh-${event.eventId}`,
  body: asciiJson(event),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(Date.parse(event.receivedAt) - sentMsAgo),
    SequenceNumber: '1',
    MessageGroupId: event.alertSourceId,
    SenderId: 'local',
    MessageDeduplicationId: event.eventId,
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:alertline-events.fifo',
  awsRegion: 'us-east-1',
});

const outcomeOf = async (id: string) => (await client.event(id)).body;

it('marks the events held behind a poison on their last receive FAILED, naming it, keeps the others QUEUED, and replays them', async () => {
  const source = await client.createSource();
  const other = await client.createSource();
  const fine = await client.createSource();
  const repair = await poisonKey(source.id, 'poison');
  const repairOther = await poisonKey(other.id, 'poison');

  // One group on its last receive: a poison and two events behind it, as the poller can batch them on SQS.
  const poison = await accepted(source.id, 'poison');
  const held = [await accepted(source.id, 'held-1'), await accepted(source.id, 'held-2')];
  // Another group: its poison on its last receive, the event behind it with an attempt left.
  const otherPoison = await accepted(other.id, 'poison');
  const notLast = await accepted(other.id, 'not-last');
  // A third group, not held by anything.
  const unrelated = await accepted(fine.id, 'fine');

  const batch: SQSEvent = {
    Records: [
      // Five receives with AWS's visibility timeout (3 min) take a quarter of an hour.
      record(poison, 5, 900_000),
      record(held[0], 5, 900_000),
      record(otherPoison, 5),
      record(unrelated, 5),
      record(held[1], 5),
      record(notLast, 4),
    ],
  };
  const response = await processBatch(batch, lambdaContext('processor'));

  // Everything but the unrelated event goes back to SQS, which dead-letters those on their last receive.
  expect(response.batchItemFailures.map((f) => f.itemIdentifier).sort()).toEqual(
    [poison, held[0], held[1], otherPoison, notLast].map((e) => `m-${e.eventId}`).sort(),
  );
  expect(await outcomeOf(unrelated.eventId)).toMatchObject({ outcome: 'CREATED' });
  // What the "queued too long" alarm watches, and a count of the held events parked.
  const emf = metrics.serializeMetrics() as unknown as Record<string, number | number[]>;
  expect(emf.RetriedEventAge).toBeGreaterThanOrEqual(900);
  expect([emf.EventsHeldFailed].flat().reduce((a, b) => a + b, 0)).toBe(2);
  expect(await outcomeOf(poison.eventId)).toMatchObject({ outcome: 'FAILED', error: expect.stringContaining('JSON') });
  for (const event of held) {
    const shown = await outcomeOf(event.eventId);
    expect(shown).toMatchObject({ outcome: 'FAILED', processedAt: expect.any(String) });
    expect(shown.error).toMatch(new RegExp(`^held behind event ${poison.eventId}, which failed: .*JSON`));
  }
  expect(await outcomeOf(otherPoison.eventId)).toMatchObject({ outcome: 'FAILED' });
  // Not on its last receive: it comes back and is tried after the poison is parked.
  expect(await outcomeOf(notLast.eventId)).toMatchObject({ outcome: 'QUEUED' });

  // SQS parks the messages on their last receive: do it by hand (the local queue server hands out one message per
  // group, so its own redrive never builds such a batch), then list and replay them with the operator's tool.
  const sqs = createSqsClient({ endpoint: rt.info.sqsEndpoint });
  for (const event of [poison, ...held]) {
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: rt.info.deadLetterQueueUrl,
        MessageBody: asciiJson(event),
        MessageGroupId: event.alertSourceId,
        MessageDeduplicationId: event.eventId,
      }),
    );
  }
  sqs.destroy();
  // A FIFO queue shows the messages behind a group's first one only after it leaves (the local server hands out one
  // per group, SQS up to ten): the list names the poison and counts those behind it, `show` tells why each is there.
  const listed = (await dlq('list')).stdout;
  expect(listed).toMatch(new RegExp(`${poison.eventId}.*FAILED.*JSON`));
  expect(listed).toContain('2 more message(s) wait behind');
  for (const event of held) {
    const shown = JSON.parse((await dlq('show', event.eventId)).stdout);
    expect(shown.record).toMatchObject({ eventId: event.eventId, outcome: 'FAILED', error: expect.stringContaining(`held behind event ${poison.eventId}`) });
  }

  // A FAILED record is applicable: once the data is repaired, the replay applies the poison and the held events, in order.
  await repair();
  await repairOther();
  expect((await dlq('redrive')).stdout).toContain('Moved 3 message');
  const deadline = Date.now() + 30_000;
  let records = await Promise.all([poison, ...held].map((e) => outcomeOf(e.eventId)));
  while (records.some((r) => r.outcome === 'FAILED') && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    records = await Promise.all([poison, ...held].map((e) => outcomeOf(e.eventId)));
  }
  expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'CREATED', 'CREATED']);
  expect(records[1].processedAt >= records[0].processedAt).toBe(true);
});
