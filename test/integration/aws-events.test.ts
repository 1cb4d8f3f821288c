// Event records as deployed on AWS (an in-process runtime with recoverableEvents off): ingest writes none, GET
// /api/events/{id} answers QUEUED from the id until the processor writes the record, a refused send leaves a tombstone
// the processor never applies, and an id older than the queue's retention is 404. The test runs the processor itself.
import { DeleteMessageCommand, ReceiveMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DeleteCommand, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { lambdaContext } from '../../local/lambda-context';
import { toRecord } from '../../local/poller';
import type { Runtime } from '../../local/runtime';
import { QUEUE } from '../../lambdas/contract';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { ulidOf } from '../../lambdas/domain/ulid';
import { eventId as newEventId } from '../../lambdas/handlers/ids';
import { createSqsClient, EventQueue } from '../../lambdas/queue/event-queue';
import { createDocumentClient, type StoreContext } from '../../lambdas/store/client';
import { EventStore } from '../../lambdas/store/events';
import { alertKeys, eventKeys, openAlertKeys } from '../../lambdas/store/keys';
import { startInProcessRuntime, type InProcessRuntime } from '../support/in-process-runtime';

jest.setTimeout(120_000);

let started: InProcessRuntime;
let runtime: Runtime;
let client: InProcessRuntime['client'];
let ctx: StoreContext;
let sqs: SQSClient;
let queue: EventQueue;
let processBatch: ReturnType<typeof import('../../lambdas/handlers/processor').createBatchProcessor>;
/** While set, ingest's send fails before the queue takes the message; the events it was asked to send are kept. */
let refuseSends = false;
const refused: AcceptedEvent[] = [];

beforeAll(async () => {
  // Powertools reads its log level and metrics switch when the logger and metrics are built: set them, then load.
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
  const { createBatchProcessor } = require('../../lambdas/handlers/processor') as typeof import('../../lambdas/handlers/processor');
  started = await startInProcessRuntime('aws-events', {
    // No poller: the test runs the processor when it wants the events applied.
    pollers: 0,
    recoverableEvents: false,
    ingestDeps: {
      queue: {
        sendAll: async (events) => {
          if (!refuseSends) return queue.sendAll(events);
          refused.push(...events);
          throw Object.assign(new Error('connect ECONNREFUSED'), { name: 'Unavailable' });
        },
      },
    },
  });
  ({ runtime, client } = started);
  ctx = { db: createDocumentClient({ endpoint: runtime.dynamoDbEndpoint }), tableName: runtime.tableName };
  sqs = createSqsClient({ endpoint: runtime.sqsEndpoint });
  queue = new EventQueue(sqs, runtime.queueUrl);
  processBatch = createBatchProcessor({
    tableName: runtime.tableName,
    dynamoDbEndpoint: runtime.dynamoDbEndpoint,
    sourceCacheTtlMs: 0,
    maxReceiveCount: 5,
    singleWrites: true,
  });
});

afterAll(async () => {
  ctx?.db.destroy();
  sqs?.destroy();
  await started?.stop();
});

/** The raw item of an event's record, as the table holds it (undefined: none). */
const itemOf = async (eventId: string) =>
  (await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: eventKeys.item(eventId), ConsistentRead: true }))).Item;

/** Runs the processor on what the event queue holds, as Lambda's event source would, until it is empty; says how many messages it applied. */
async function processQueue(): Promise<number> {
  let applied = 0;
  for (;;) {
    const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
    const messages = out.Messages ?? [];
    if (messages.length === 0) return applied;
    const records = messages.map((m) => toRecord(m, 'arn:aws:sqs:local:000000000000:events.fifo'));
    expect(await processBatch({ Records: records }, lambdaContext('processor'))).toEqual({ batchItemFailures: [] });
    for (const m of messages) await sqs.send(new DeleteMessageCommand({ QueueUrl: runtime.queueUrl, ReceiptHandle: m.ReceiptHandle! }));
    applied += messages.length;
  }
}

const post = (apiKey: string, alertKey: string) => client.postEvent({ apiKey, eventType: 'ALERT', alertKey, summary: alertKey });

it('writes no event record at ingest; GET answers QUEUED from the id until the processor applied it, then the whole record', async () => {
  const source = await client.createSource();
  const before = Date.now();
  const accepted = await post(source.integrationKey, 'aws-disk');
  expect(accepted.status).toBe(202);
  const { eventId } = accepted.body;
  expect(await itemOf(eventId)).toBeUndefined();

  const queued = await client.event(eventId);
  expect(queued.status).toBe(200);
  expect(queued.body).toEqual({ eventId, receivedAt: expect.any(String), outcome: 'QUEUED' });
  expect(Date.parse(queued.body.receivedAt)).toBeGreaterThanOrEqual(before);
  expect(Date.parse(queued.body.receivedAt)).toBeLessThanOrEqual(Date.now());

  expect(await processQueue()).toBe(1);
  const applied = await client.event(eventId);
  expect(applied.status).toBe(200);
  expect(applied.body).toMatchObject({
    eventId,
    alertSourceId: source.id,
    eventType: 'ALERT',
    alertKey: 'aws-disk',
    receivedAt: queued.body.receivedAt,
    outcome: 'CREATED',
    alertId: expect.any(String),
  });
  // The record the processor created is whole: what the local runtime's ingest would have written, plus the outcome.
  expect(await itemOf(eventId)).toMatchObject({ entity: 'Event', eventId, alertSourceId: source.id, eventType: 'ALERT', alertKey: 'aws-disk' });

  // An event that leaves no log entry keeps the record's 30-day expiry: a COMMENT on no open alert.
  const comment = await client.postEvent({ apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'nothing-open', summary: 'c' });
  expect(comment.status).toBe(202);
  expect(await processQueue()).toBe(1);
  const noOp = await itemOf(comment.body.eventId);
  expect(noOp).toMatchObject({ outcome: 'NO_OPEN_ALERT', alertKey: 'nothing-open', receivedAt: expect.any(String) });
  expect(noOp!.expiresAt).toBe(Math.floor(Date.parse(noOp!.receivedAt) / 1000) + 30 * 24 * 3600);
});

it('a send the queue did not take: 503, a WITHDRAWN tombstone, and the event is never applied, even if its message turns up after all', async () => {
  const source = await client.createSource();
  refuseSends = true;
  let reply;
  try {
    reply = await post(source.integrationKey, 'aws-refused');
  } finally {
    refuseSends = false;
  }
  expect(reply.status).toBe(503);
  expect(reply.body).toMatchObject({ code: 'QUEUE_UNAVAILABLE' });
  const [event] = refused.splice(0);
  expect(event.alertKey).toBe('aws-refused');

  const tombstone = await itemOf(event.eventId);
  expect(tombstone).toEqual({ ...eventKeys.item(event.eventId), entity: 'Event', eventId: event.eventId, outcome: 'WITHDRAWN', expiresAt: expect.any(Number) });
  // Kept while the message may still come: the queue's retention, then the dead-letter queue's, and a day to redrive.
  expect(Math.abs(tombstone!.expiresAt - (Math.floor(Date.now() / 1000) + (4 + 14 + 1) * 24 * 3600))).toBeLessThan(60);
  // Its id is young, but it was refused: 404, not QUEUED.
  expect((await client.event(event.eventId)).status).toBe(404);

  expect(await processQueue()).toBe(0);
  // The send that failed lands after all (a lost answer): the processor finds the tombstone and applies nothing.
  await queue.sendAll([event]);
  expect(await processQueue()).toBe(1);
  expect((await itemOf(event.eventId))?.outcome).toBe('WITHDRAWN');
  expect((await client.alerts(`alertSourceId=${source.id}`)).body.items).toEqual([]);
  expect((await client.event(event.eventId)).status).toBe(404);

  // The caller's retry is a new event, accepted and applied.
  const retry = await post(source.integrationKey, 'aws-refused');
  expect(retry.status).toBe(202);
  await processQueue();
  expect((await client.event(retry.body.eventId)).body.outcome).toBe('CREATED');
});

it('withdraws the events of one message all together or none, with or without records; withdrawing twice is withdrawing', async () => {
  const source = await client.createSource();
  const store = new EventStore(ctx);
  const applied = await post(source.integrationKey, 'aws-applied');
  await processQueue();
  const absent = [newEventId(), newEventId()];
  // One of them was applied: the queue took the message, so none is withdrawn, and the others stay as they were.
  expect(await store.withdrawAll([absent[0], applied.body.eventId, absent[1]])).toBe('not-queued');
  expect(await itemOf(absent[0])).toBeUndefined();
  expect(await itemOf(absent[1])).toBeUndefined();
  expect((await itemOf(applied.body.eventId))?.outcome).toBe('CREATED');
  // None applied: all withdrawn in one transaction; again (a takeover after the owner withdrew them itself): withdrawn.
  expect(await store.withdrawAll(absent)).toBe('withdrawn');
  expect(await store.withdrawAll(absent)).toBe('withdrawn');
  for (const id of absent) expect(await store.get(id)).toEqual({ eventId: id, outcome: 'WITHDRAWN' });
});

/** Makes an alert key unreadable for the processor (the dead-letter tests' recipe): its open-alert lock names an alert with broken JSON. */
async function poisonKey(alertSourceId: string, alertKey: string) {
  const lock = openAlertKeys.item(alertSourceId, alertKey);
  const corrupt = alertKeys.item(`corrupt-${alertSourceId}`);
  await ctx.db.send(new PutCommand({ TableName: ctx.tableName, Item: { ...lock, openAlertIds: [`corrupt-${alertSourceId}`], revision: 'r1' } }));
  await ctx.db.send(
    new PutCommand({
      TableName: ctx.tableName,
      Item: { ...corrupt, id: `corrupt-${alertSourceId}`, status: 'PENDING', images: '{not json', links: '[]', customDetails: '{}' },
    }),
  );
  return async () => {
    await ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: lock }));
    await ctx.db.send(new DeleteCommand({ TableName: ctx.tableName, Key: corrupt }));
  };
}

it('parks an event without a record on its last attempt: FAILED written whole (and the one held behind it), applied when replayed', async () => {
  const source = await client.createSource();
  const repair = await poisonKey(source.id, 'poison');
  // One message of two events (a tool's payload): the poison, then one held behind it.
  const events = ['poison', 'behind'].map((alertKey): AcceptedEvent => ({
    eventId: newEventId(),
    alertSourceId: source.id,
    receivedAt: new Date().toISOString(),
    eventType: 'ALERT',
    alertKey,
    summary: alertKey,
  }));
  await queue.sendAll(events);
  const out = await sqs.send(new ReceiveMessageCommand({ QueueUrl: runtime.queueUrl, MaxNumberOfMessages: 10, MessageSystemAttributeNames: ['All'] }));
  const [message] = out.Messages ?? [];
  const last = toRecord({ ...message, Attributes: { ...message.Attributes, ApproximateReceiveCount: '5' } }, 'arn:aws:sqs:local:000000000000:events.fifo');
  expect((await processBatch({ Records: [last] }, lambdaContext('processor'))).batchItemFailures).toEqual([{ itemIdentifier: message.MessageId }]);
  const [poison, behind] = await Promise.all(events.map((e) => client.event(e.eventId)));
  expect(poison.body).toMatchObject({ eventId: events[0].eventId, alertSourceId: source.id, eventType: 'ALERT', alertKey: 'poison', outcome: 'FAILED' });
  expect(poison.body.error).toMatch(/JSON/);
  expect(behind.body).toMatchObject({ alertKey: 'behind', outcome: 'FAILED', error: expect.stringContaining(`held behind event ${events[0].eventId}`) });

  // The operator repairs the data and redrives the message: a FAILED record is applicable.
  await repair();
  const replay = toRecord({ ...message, Attributes: { ...message.Attributes, ApproximateReceiveCount: '1' } }, 'arn:aws:sqs:local:000000000000:events.fifo');
  expect((await processBatch({ Records: [replay] }, lambdaContext('processor'))).batchItemFailures).toEqual([]);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: runtime.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
  const replayed = await Promise.all(events.map(async (e) => (await client.event(e.eventId)).body));
  expect(replayed.map((r) => [r.alertKey, r.outcome, r.error])).toEqual([
    ['poison', 'CREATED', undefined],
    ['behind', 'CREATED', undefined],
  ]);
});

it('GET of an id shaped as an event id: QUEUED within the queue retention from its time, 404 older, in the future or of another shape', async () => {
  const digits = Array.from({ length: 16 }, (_, i) => (i * 7) % 32);
  const retentionMs = QUEUE.retentionSeconds * 1000;
  // A minute inside the retention: nobody was given this id, and the answer cannot tell (as documented).
  const youngMs = Date.now() - retentionMs + 60_000;
  const young = ulidOf(youngMs, digits);
  const answer = await client.event(young);
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ eventId: young, receivedAt: new Date(youngMs).toISOString(), outcome: 'QUEUED' });
  for (const id of [ulidOf(Date.now() - retentionMs - 60_000, digits), ulidOf(Date.now() + 60_000, digits), young.toLowerCase(), 'not-an-event-id']) {
    const reply = await client.event(id);
    expect({ id, status: reply.status, code: reply.body?.code }).toEqual({ id, status: 404, code: 'NOT_FOUND' });
  }
});
