// The ALERT/ACCEPT/RESOLVE/COMMENT state machine end to end: HTTP in, the queue, the processor, alerts and outcomes out.
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let source: { id: string; integrationKey: string };

beforeAll(async () => {
  rt = await startRuntimeProcess({ env: { POLLERS: '4' } });
  client = clientFor(rt);
  source = await client.createSource();
});
afterAll(() => rt?.stop());

const ev = (eventType: string, alertKey: string, extra: Record<string, unknown> = {}) => ({
  apiKey: source.integrationKey,
  eventType,
  alertKey,
  ...(eventType === 'ALERT' ? { summary: `${alertKey} is down` } : {}),
  ...extra,
});
const alertsWithKey = async (alertKey: string, sourceId = source.id) =>
  (await client.alerts(`alertKey=${encodeURIComponent(alertKey)}&alertSourceId=${sourceId}`)).body.items;

it('groups two ALERTs of one key (trimmed, any case) into one alert with eventCount 2, keeping the first summary', async () => {
  const [first, second] = await client.send(ev('ALERT', 'db-1'), ev('ALERT', '  DB-1 ', { summary: 'again' }));
  expect(first).toMatchObject({ outcome: 'CREATED', alertId: expect.any(String) });
  expect(second).toMatchObject({ outcome: 'APPENDED', alertId: first.alertId });
  const alert = (await client.request('GET', `/api/alerts/${first.alertId}`)).body;
  expect(alert).toMatchObject({ status: 'PENDING', eventCount: 2, summary: 'db-1 is down', alertKey: 'db-1' });
  const log = (await client.request('GET', `/api/alerts/${first.alertId}/log-entries`)).body.items;
  expect(log.map((e: any) => [e.type, e.eventId])).toEqual([
    ['ALERT_RECEIVED', first.eventId],
    ['EVENT_APPENDED', second.eventId],
  ]);
});

it('accepts, reports a second accept, resolves, and opens a new alert for a later ALERT', async () => {
  const [created, accepted, again, resolved, reopened] = await client.send(
    ev('ALERT', 'web-7'),
    ev('ACCEPT', 'web-7'),
    ev('ACCEPT', 'WEB-7'),
    ev('RESOLVE', 'web-7', { summary: 'fixed by restart' }),
    ev('ALERT', 'web-7'),
  );
  expect([created, accepted, again, resolved, reopened].map((r) => r.outcome)).toEqual(['CREATED', 'ACCEPTED', 'ALREADY_ACCEPTED', 'RESOLVED', 'CREATED']);
  expect(new Set([created.alertId, accepted.alertId, again.alertId, resolved.alertId])).toEqual(new Set([created.alertId]));
  expect(reopened.alertId).not.toBe(created.alertId);

  const first = (await client.request('GET', `/api/alerts/${created.alertId}`)).body;
  expect(first).toMatchObject({ status: 'RESOLVED', acceptedAt: expect.any(String), resolvedAt: expect.any(String) });
  const alerts = await alertsWithKey('web-7');
  expect(alerts.map((a: any) => [a.id, a.status])).toEqual([
    [reopened.alertId, 'PENDING'],
    [created.alertId, 'RESOLVED'],
  ]);
  const log = (await client.request('GET', `/api/alerts/${created.alertId}/log-entries`)).body.items;
  expect(log.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'ACCEPTED', 'RESOLVED']);
  expect(log[2].text).toContain('fixed by restart');
});

it('reports NO_OPEN_ALERT for ACCEPT, RESOLVE and COMMENT without an open alert, and creates nothing', async () => {
  const records = await client.send(ev('ACCEPT', 'ghost'), ev('RESOLVE', 'ghost'), ev('COMMENT', 'ghost', { summary: 'anyone?' }));
  expect(records.map((r) => [r.outcome, r.alertId])).toEqual([
    ['NO_OPEN_ALERT', undefined],
    ['NO_OPEN_ALERT', undefined],
    ['NO_OPEN_ALERT', undefined],
  ]);
  expect(await alertsWithKey('ghost')).toEqual([]);
});

it('adds a COMMENT to the open alert log without changing its status or count', async () => {
  const [created, commented] = await client.send(ev('ALERT', 'q-1'), ev('COMMENT', 'q-1', { summary: 'looking into it' }));
  expect(commented).toMatchObject({ outcome: 'COMMENTED', alertId: created.alertId });
  const alert = (await client.request('GET', `/api/alerts/${created.alertId}`)).body;
  expect(alert).toMatchObject({ status: 'PENDING', eventCount: 1 });
  const log = (await client.request('GET', `/api/alerts/${created.alertId}/log-entries`)).body.items;
  expect(log[1]).toMatchObject({ type: 'COMMENT', text: 'looking into it', eventId: commented.eventId });
});

it('never lets the same alertKey of two alert sources meet', async () => {
  const other = await client.createSource();
  const [mine] = await client.send(ev('ALERT', 'shared-key'));
  const [theirs] = await client.send({ ...ev('ALERT', 'shared-key'), apiKey: other.integrationKey });
  expect(theirs.outcome).toBe('CREATED');
  expect(theirs.alertId).not.toBe(mine.alertId);
  const [resolvedTheirs] = await client.send({ ...ev('RESOLVE', 'shared-key'), apiKey: other.integrationKey });
  expect(resolvedTheirs.alertId).toBe(theirs.alertId);
  expect((await client.request('GET', `/api/alerts/${mine.alertId}`)).body.status).toBe('PENDING');
});

it('keeps the order of one source across several pollers, even for a burst posted concurrently in sequence', async () => {
  // 30 keys, each ALERT -> ACCEPT -> RESOLVE -> ALERT, interleaved; 4 pollers work the queue at once.
  const keys = Array.from({ length: 30 }, (_, i) => `burst-${i}`);
  const ids: string[][] = keys.map(() => []);
  for (const step of ['ALERT', 'ACCEPT', 'RESOLVE', 'ALERT']) {
    const replies = await Promise.all(keys.map((k) => client.postEvent(ev(step, k))));
    replies.forEach((r, i) => {
      expect(r.status).toBe(202);
      ids[i].push(r.body.eventId);
    });
  }
  for (const eventIds of ids) {
    const outcomes = (await client.applied(eventIds, 30_000)).map((r) => r.outcome);
    expect(outcomes).toEqual(['CREATED', 'ACCEPTED', 'RESOLVED', 'CREATED']);
  }
});

it('applies a message delivered twice only once', async () => {
  const [created] = await client.send(ev('ALERT', 'dup-1'));
  const res = await client.postEvent(ev('ALERT', 'dup-1'));
  const [appended] = await client.applied([res.body.eventId]);
  expect(appended.outcome).toBe('APPENDED');

  // Deliver the same event again, as SQS may (at-least-once): same body, a new deduplication id.
  const sqs = new SQSClient({ endpoint: rt.info.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  const original = {
    eventId: appended.eventId,
    alertSourceId: source.id,
    receivedAt: appended.receivedAt,
    eventType: 'ALERT',
    alertKey: 'dup-1',
    summary: 'dup-1 is down',
  };
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: rt.info.queueUrl,
      MessageBody: JSON.stringify(original),
      MessageGroupId: source.id,
      MessageDeduplicationId: `${appended.eventId}-again`,
    }),
  );
  // A later event of the same group is applied only after the duplicate (FIFO), so its outcome tells us the duplicate was processed.
  const [after] = await client.send(ev('COMMENT', 'dup-1', { summary: 'after the duplicate' }));
  expect(after.outcome).toBe('COMMENTED');
  sqs.destroy();

  const alert = (await client.request('GET', `/api/alerts/${created.alertId}`)).body;
  expect(alert.eventCount).toBe(2);
  const log = (await client.request('GET', `/api/alerts/${created.alertId}/log-entries`)).body.items;
  expect(log.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'EVENT_APPENDED', 'COMMENT']);
  expect((await client.event(appended.eventId)).body).toMatchObject({ outcome: 'APPENDED', processedAt: appended.processedAt });
});
