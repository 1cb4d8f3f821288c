// A processor that dies between its write and its nudge to the notifier: the new alert's level-1 job is in the table
// (written in the same transaction as the alert), so the escalator's next tick finds it and pages, once.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { SQSRecord } from 'aws-lambda';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { lambdaContext } from '../../local/lambda-context';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { eventId } from '../../lambdas/handlers/ids';
import { asciiJson } from '../../lambdas/queue/event-queue';
import { createDocumentClient } from '../../lambdas/store/client';
import { EventStore } from '../../lambdas/store/events';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(120_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let db: ReturnType<typeof createDocumentClient>;
let receiver: Server;
const arrivals: Array<{ id: string; alertId: string; level: number }> = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const parsed = JSON.parse(body);
      arrivals.push({ id: parsed.id, alertId: parsed.alert.id, level: parsed.level });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((ok) => receiver.listen(0, '127.0.0.1', ok));
  rt = await startRuntimeProcess({ env: { ESCALATION_TICK_SECONDS: '2', ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' } });
  client = clientFor(rt);
  db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
  Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
});

afterAll(async () => {
  db?.destroy();
  await rt?.stop();
  await new Promise((ok) => receiver?.close(ok));
});

/** The message of an accepted event, as Lambda's FIFO poller hands it over. */
const record = (event: AcceptedEvent): SQSRecord => ({
  messageId: `m-${event.eventId}`,
  receiptHandle: `rh-${event.eventId}`,
  body: asciiJson(event),
  attributes: {
    ApproximateReceiveCount: '1',
    SentTimestamp: String(Date.parse(event.receivedAt)),
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

it('the tick pages level 1 of an alert whose processor never nudged the notifier, once', async () => {
  const port = (receiver.address() as AddressInfo).port;
  const user = await client.request('POST', '/api/users', {
    body: { firstName: 'Uma', lastName: 'Oncall', contacts: [{ type: 'WEBHOOK', target: `http://127.0.0.1:${port}/uma` }] },
  });
  const policy = await client.request('POST', '/api/escalation-policies', {
    body: { name: 'one rule', escalationRules: [{ escalationTimeout: 30, users: [{ id: user.body.id }] }] },
  });
  const source = await client.createSource({ escalationPolicy: { id: policy.body.id } });

  // Recorded QUEUED as ingest leaves it, but not sent to the runtime's queue: only this test's processor applies it.
  const event: AcceptedEvent = {
    eventId: eventId(),
    alertSourceId: source.id,
    receivedAt: new Date().toISOString(),
    eventType: 'ALERT',
    alertKey: 'nudge-lost',
    summary: 'the processor died before its nudge',
    priority: 'HIGH',
  };
  await new EventStore({ db, tableName: rt.info.tableName }, { recoverable: true }).recordQueued(event);
  // A processor without the notification queue: it writes the alert and its level-1 job, and nudges no one.
  const { createBatchProcessor } = require('../../lambdas/handlers/processor') as typeof import('../../lambdas/handlers/processor');
  const processBatch = createBatchProcessor({
    tableName: rt.info.tableName,
    dynamoDbEndpoint: rt.info.dynamoDbEndpoint,
    sourceCacheTtlMs: 0,
    maxReceiveCount: 5,
    singleWrites: true,
  });
  expect(await processBatch({ Records: [record(event)] }, lambdaContext('processor'))).toEqual({ batchItemFailures: [] });
  const [applied] = await client.applied([event.eventId]);
  expect(applied.outcome).toBe('CREATED');

  await waitFor(() => arrivals.some((a) => a.alertId === applied.alertId), { timeoutMs: 30_000, what: 'level 1, sent by the tick' });
  // A few more ticks change nothing: the job is done and gone.
  const settled = Date.now() + 5_000;
  await waitFor(() => Date.now() > settled, { timeoutMs: 10_000, intervalMs: 250, what: 'three more ticks' });
  expect(arrivals.filter((a) => a.alertId === applied.alertId)).toEqual([{ id: expect.any(String), alertId: applied.alertId, level: 1 }]);
  const notifications = (await client.request('GET', `/api/alerts/${applied.alertId}/notifications`)).body.items;
  expect(notifications.map((n: any) => [n.level, n.status, n.attempts])).toEqual([[1, 'SENT', 1]]);
});
