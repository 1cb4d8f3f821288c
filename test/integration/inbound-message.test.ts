// A queue message carrying a tool's payload of several events, through the real processor against the local store: the
// events apply in order, each with its own outcome; a failure on the last receive parks the failed event and those after it.
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { lambdaContext } from '../../local/lambda-context';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { eventId } from '../../lambdas/handlers/ids';
import { queueMessageBody } from '../../lambdas/queue/event-queue';
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

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
  db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
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
});
afterAll(async () => {
  db?.destroy();
  await rt?.stop();
});

/** Makes an alert key unreadable for the processor: its open-alert lock names an alert with broken JSON. */
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

/** The events of one payload, recorded QUEUED as ingest leaves them. */
async function payload(alertSourceId: string, ...keys: string[]): Promise<AcceptedEvent[]> {
  const receivedAt = new Date().toISOString();
  const events = keys.map((alertKey): AcceptedEvent => ({ eventId: eventId(), alertSourceId, receivedAt, eventType: 'ALERT', alertKey, summary: alertKey }));
  await Promise.all(events.map((event) => store.recordQueued(event)));
  return events;
}

const record = (events: AcceptedEvent[], receiveCount: number): SQSRecord => ({
  messageId: `m-${events[0].eventId}`,
  receiptHandle: `rh-${events[0].eventId}`,
  body: queueMessageBody(events),
  attributes: {
    ApproximateReceiveCount: String(receiveCount),
    SentTimestamp: String(Date.now()),
    SequenceNumber: '1',
    MessageGroupId: events[0].alertSourceId,
    SenderId: 'local',
    MessageDeduplicationId: events[0].eventId,
    ApproximateFirstReceiveTimestamp: String(Date.now()),
  },
  messageAttributes: {},
  md5OfBody: '',
  eventSource: 'aws:sqs',
  eventSourceARN: 'arn:aws:sqs:local:000000000000:alertline-events.fifo',
  awsRegion: 'us-east-1',
});

const outcomes = async (events: AcceptedEvent[]) => Promise.all(events.map(async (e) => (await client.event(e.eventId)).body.outcome));

it('applies the events of one message in order, each with its own outcome, beside a message of another source', async () => {
  const source = await client.createSource();
  const other = await client.createSource();
  const events = await payload(source.id, 'a', 'b', 'a');
  const single = await payload(other.id, 'solo');
  const batch: SQSEvent = { Records: [record(events, 1), record(single, 1)] };
  expect((await processBatch(batch, lambdaContext('processor'))).batchItemFailures).toEqual([]);
  expect(await outcomes(events)).toEqual(['CREATED', 'CREATED', 'APPENDED']);
  expect(await outcomes(single)).toEqual(['CREATED']);
});

it('retries a message that failed midway without applying its first events twice, and parks the rest on the last receive', async () => {
  const source = await client.createSource();
  const repair = await poisonKey(source.id, 'poison');
  const events = await payload(source.id, 'before', 'poison', 'after');

  const failed = await processBatch({ Records: [record(events, 1)] }, lambdaContext('processor'));
  expect(failed.batchItemFailures).toEqual([{ itemIdentifier: `m-${events[0].eventId}` }]);
  expect(await outcomes(events)).toEqual(['CREATED', 'QUEUED', 'QUEUED']);

  // The last receive: the failed event is FAILED, the one behind it FAILED naming it; the first stays applied.
  await processBatch({ Records: [record(events, 5)] }, lambdaContext('processor'));
  expect(await outcomes(events)).toEqual(['CREATED', 'FAILED', 'FAILED']);
  expect((await client.event(events[2].eventId)).body.error).toContain(`held behind event ${events[1].eventId}`);
  await repair();
});

it('after a repair, a redelivery applies the rest and leaves the applied ones alone', async () => {
  const source = await client.createSource();
  const repair = await poisonKey(source.id, 'poison');
  const events = await payload(source.id, 'first', 'poison', 'last');
  await processBatch({ Records: [record(events, 1)] }, lambdaContext('processor'));
  await repair();
  expect((await processBatch({ Records: [record(events, 2)] }, lambdaContext('processor'))).batchItemFailures).toEqual([]);
  expect(await outcomes(events)).toEqual(['CREATED', 'CREATED', 'CREATED']);
  const first = (await client.alerts(`alertSourceId=${source.id}&alertKey=first`)).body.items;
  expect(first.map((a: any) => a.eventCount)).toEqual([1]);
});
