// Two processor invocations on one alert key at the same moment (bypassing the queue's ordering) never open two alerts.
import type { Context, SQSEvent } from 'aws-lambda';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';
import { allLogEntries } from '../support/log-entries';

jest.setTimeout(90_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let source: { id: string; integrationKey: string };
let processBatch: (event: SQSEvent, context: Context) => Promise<{ batchItemFailures: { itemIdentifier: string }[] }>;

beforeAll(async () => {
  // No pollers: this test is the only one to run the processor, and it runs it in parallel on purpose.
  rt = await startRuntimeProcess({ env: { POLLERS: '0' } });
  client = clientFor(rt);
  source = await client.createSource();
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
afterAll(() => rt?.stop());

/** Posts events through the real ingest (so their records exist, QUEUED) and returns them as the queue would carry them. */
async function accept(events: Array<{ eventType: string; alertKey: string }>) {
  const bodies = [];
  for (const e of events) {
    const res = await client.postEvent({ apiKey: source.integrationKey, summary: `${e.alertKey} down`, ...e });
    expect(res.status).toBe(202);
    const record = (await client.event(res.body.eventId)).body;
    bodies.push({ eventId: record.eventId, alertSourceId: source.id, receivedAt: record.receivedAt, summary: `${e.alertKey} down`, ...e });
  }
  return bodies;
}

/** A batch as SQS hands it over; `receiveCount` above 1: a redelivery, as SQS counts it. */
const batchAt = (receiveCount: number, ...bodies: object[]): SQSEvent => ({
  Records: bodies.map((body, i) => ({
    messageId: `m-${Math.random()}-${i}`,
    receiptHandle: 'r',
    body: JSON.stringify(body),
    attributes: {
      ApproximateReceiveCount: String(receiveCount),
      SentTimestamp: '0',
      SenderId: 'test',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: source.id,
    },
    messageAttributes: {},
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:local:000000000000:alertline-events.fifo',
    awsRegion: 'local',
  })),
});
const batchOf = (...bodies: object[]): SQSEvent => batchAt(1, ...bodies);

const context = { functionName: 'processor', awsRequestId: 'test', getRemainingTimeInMillis: () => 30_000 } as unknown as Context;
const openAlerts = async (alertKey: string) => (await client.alerts(`alertKey=${alertKey}&status=PENDING,ACCEPTED`)).body.items;

it('opens one alert when eight invocations apply ALERTs of one key at the same moment', async () => {
  const bodies = await accept(Array.from({ length: 8 }, () => ({ eventType: 'ALERT', alertKey: 'race-1' })));
  const results = await Promise.all(bodies.map((b) => processBatch(batchOf(b), context)));
  expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
  const outcomes = (await client.applied(bodies.map((b) => b.eventId))).map((r) => r.outcome).sort();
  expect(outcomes).toEqual(['APPENDED', 'APPENDED', 'APPENDED', 'APPENDED', 'APPENDED', 'APPENDED', 'APPENDED', 'CREATED']);
  const open = await openAlerts('race-1');
  expect(open).toHaveLength(1);
  expect(open[0].eventCount).toBe(8);
});

it('never has two open alerts for a key while ALERTs and RESOLVEs race, and applies every event exactly once', async () => {
  for (let round = 0; round < 8; round++) {
    const key = `race-mix-${round}`;
    const bodies = await accept(
      ['ALERT', 'ALERT', 'RESOLVE', 'ALERT', 'ALERT', 'RESOLVE', 'ALERT', 'ACCEPT'].map((eventType) => ({ eventType, alertKey: key })),
    );
    const results = await Promise.all(bodies.map((b) => processBatch(batchOf(b), context)));
    expect(results.flatMap((r) => r.batchItemFailures)).toEqual([]);
    const records = await client.applied(bodies.map((b) => b.eventId));
    expect(await openAlerts(key)).not.toHaveLength(2);
    expect((await openAlerts(key)).length).toBeLessThanOrEqual(1);
    // Every ALERT either created or appended to exactly one alert: the event counts add up.
    const alerts = (await client.alerts(`alertKey=${key}&limit=100`)).body.items;
    const alertEvents = records.filter((r) => r.eventType === 'ALERT');
    expect(alerts.reduce((n: number, a: any) => n + a.eventCount, 0)).toBe(alertEvents.length);
    expect(alerts).toHaveLength(alertEvents.filter((r) => r.outcome === 'CREATED').length);
  }
});

it('applies one event once when the same message is processed twice at the same moment', async () => {
  const [body] = await accept([{ eventType: 'ALERT', alertKey: 'race-dup' }]);
  await Promise.all([processBatch(batchOf(body), context), processBatch(batchOf(body), context), processBatch(batchOf(body), context)]);
  const open = await openAlerts('race-dup');
  expect(open).toHaveLength(1);
  expect(open[0].eventCount).toBe(1);
  const log = await allLogEntries(client, open[0].id);
  expect(log).toHaveLength(1);
});

it('applies whole batches that race on the same keys, and their redeliveries, once each: one open alert per key', async () => {
  // Four invocations, each a batch over the same five keys (one event per key: one transaction for the batch), racing;
  // then the same four batches again, as redeliveries. Lost races and duplicates cancel a batch's transaction, and its
  // events are then applied one by one.
  const keys = Array.from({ length: 5 }, (_, k) => `race-batch-${k}`);
  const batches = [];
  for (let b = 0; b < 4; b++) batches.push(await accept(keys.map((alertKey) => ({ eventType: b === 2 ? 'ACCEPT' : 'ALERT', alertKey }))));
  const first = await Promise.all(batches.map((bodies) => processBatch(batchOf(...bodies), context)));
  const again = await Promise.all(batches.map((bodies) => processBatch(batchAt(2, ...bodies), context)));
  expect([...first, ...again].flatMap((r) => r.batchItemFailures)).toEqual([]);
  const records = await client.applied(batches.flat().map((b) => b.eventId));
  for (const key of keys) {
    const open = await openAlerts(key);
    expect(open).toHaveLength(1);
    const ofKey = records.filter((r) => r.alertKey === key);
    const alertEvents = ofKey.filter((r) => r.eventType === 'ALERT');
    expect(alertEvents.map((r) => r.outcome).sort()).toEqual(['APPENDED', 'APPENDED', 'CREATED']);
    expect(open[0].eventCount).toBe(3);
    // Each applied event left exactly one entry in the alert's log; the ACCEPT found the alert or found none.
    const log = await allLogEntries(client, open[0].id);
    const logged = log.map((e: any) => e.eventId).filter(Boolean);
    expect(new Set(logged).size).toBe(logged.length);
    const accept = ofKey.find((r) => r.eventType === 'ACCEPT');
    expect(['ACCEPTED', 'NO_OPEN_ALERT']).toContain(accept.outcome);
    expect(logged).toHaveLength(accept.outcome === 'ACCEPTED' ? 4 : 3);
  }
});
