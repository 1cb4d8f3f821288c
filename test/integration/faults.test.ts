// Fault rehearsals on the local runtime: a crash between effect and acknowledgement, DynamoDB stopped under load,
// the queue unreachable, and kill -9 during a burst. Whatever got a 202 is applied exactly once.
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';
import { allLogEntries } from '../support/log-entries';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const running: RuntimeProcess[] = [];
const start = async (options: Parameters<typeof startRuntimeProcess>[0] = {}) => {
  const rt = await startRuntimeProcess(options);
  running.push(rt);
  return { rt, client: clientFor(rt) };
};
afterAll(async () => {
  for (const rt of running) await rt.stop();
});

/** Messages of the runtime's queue anywhere: waiting, delayed, or received and not yet deleted. */
async function messagesInQueue(rt: RuntimeProcess): Promise<number> {
  const sqs = new SQSClient({ endpoint: rt.info.sqsEndpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  try {
    const names = ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible', 'ApproximateNumberOfMessagesDelayed'] as const;
    const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: rt.info.queueUrl, AttributeNames: [...names] }));
    return names.reduce((n, name) => n + Number(Attributes?.[name] ?? 0), 0);
  } finally {
    sqs.destroy();
  }
}

/** Waits until the runtime has printed `notice` (it does once a SIGUSR2 took effect). */
const noticed = (rt: RuntimeProcess, notice: string) =>
  waitFor(() => rt.errors().includes(notice), { timeoutMs: 10_000, what: `the runtime's notice "${notice}"` });

/** Checks exactly-once on one key's applied events: outcomes follow the sequence and the alerts' counts and logs add up. */
async function expectExactlyOnce(client: ReturnType<typeof clientFor>, sourceId: string, alertKey: string, records: any[]) {
  const alerts = (await client.alerts(`alertKey=${alertKey}&alertSourceId=${sourceId}&limit=100`)).body.items;
  const grouped = records.filter((r) => r.outcome === 'CREATED' || r.outcome === 'APPENDED');
  expect(alerts.reduce((n: number, a: any) => n + a.eventCount, 0)).toBe(grouped.length);
  expect(alerts).toHaveLength(records.filter((r) => r.outcome === 'CREATED').length);
  for (const alert of alerts) {
    const log = await allLogEntries(client, alert.id);
    const eventIds = log.map((e: any) => e.eventId);
    expect(new Set(eventIds).size).toBe(eventIds.length);
  }
}

it('applies each event once when acknowledgements are lost after the effect (a crash between write and delete)', async () => {
  // Seeded, so that the drops fall the same way on every run: with seed 9 the first batch handled loses its
  // acknowledgement (there is always a drop to recover from), and no two in a row of the first 24 batches do.
  // Single writes, as in AWS: each lost acknowledgement is a redelivery that must find the event's record or its mark.
  const { rt, client } = await start({ env: { LOCAL_FAULT_LOSE_ACKS: '0.5', LOCAL_FAULT_SEED: '9', QUEUE_VISIBILITY_TIMEOUT: '1', SINGLE_WRITES: 'true' } });
  const source = await client.createSource();
  const steps = ['ALERT', 'ALERT', 'ACCEPT', 'ALERT', 'COMMENT', 'RESOLVE', 'ALERT', 'ALERT'];
  // Each lost acknowledgement holds the source's message group for a visibility timeout (1 s) before the redelivery
  // is seen as applied; eight events in one group can take well over 15 s on a loaded machine.
  const events = steps.map((eventType) => ({ apiKey: source.integrationKey, eventType, alertKey: 'ack-lost', summary: eventType }));
  const records = await client.sendWaiting(60_000, ...events);
  expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'APPENDED', 'ACCEPTED', 'APPENDED', 'COMMENTED', 'RESOLVED', 'CREATED', 'APPENDED']);
  // The unacknowledged messages come back after the visibility timeout and are deleted once seen as already applied:
  // the queue is empty only when every one of them was.
  let left = -1;
  await waitFor(async () => (left = await messagesInQueue(rt)) === 0, {
    timeoutMs: 60_000,
    intervalMs: 250,
    what: () => `the redelivered messages to leave the queue (${left} left)`,
  });
  expect(rt.errors()).toMatch(/fault: dropped the acknowledgement/);
  await expectExactlyOnce(client, source.id, 'ack-lost', records);
});

it('answers 503, never 202, while DynamoDB is down, and applies every 202 once it is back', async () => {
  // Failed processor attempts come back after 20 s: the five attempts (80 s between the first and the last) outlast the
  // engine's restart, even on a loaded machine where the JVM takes tens of seconds to come back. With 10 s, a CI run
  // whose engine came back late parked an event (its last attempt, before the store was back, left it QUEUED).
  const { rt, client } = await start({ env: { QUEUE_VISIBILITY_TIMEOUT: '20' } });
  const source = await client.createSource();
  const accepted: string[] = [];
  const statuses: number[] = [];
  const post = async (i: number) => {
    const res = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: `db-down-${i % 5}`, summary: `load ${i}` });
    statuses.push(res.status);
    if (res.status === 202) accepted.push(res.body.eventId);
    else expect(res.body).toMatchObject({ status: 503, code: 'STORE_UNAVAILABLE' });
  };
  let i = 0;
  for (; i < 20; i++) await Promise.all([post(2 * i), post(2 * i + 1)]);
  // Kill the engine under load; the runtime restarts it on the same data within seconds.
  const javaPid = Number(readFileSync(join(rt.dataDir, 'dynamodb.pid'), 'utf8'));
  process.kill(javaPid, 'SIGKILL');
  const until = Date.now() + 60_000;
  let sawRecovery = false;
  while (Date.now() < until) {
    await Promise.all([post(2 * i), post(2 * i + 1)]);
    i++;
    if (statuses.includes(503) && statuses[statuses.length - 1] === 202 && statuses[statuses.length - 2] === 202) {
      sawRecovery = true;
      break;
    }
    await sleep(50);
  }
  expect(statuses.every((s) => s === 202 || s === 503)).toBe(true);
  expect(statuses).toContain(503);
  expect(sawRecovery).toBe(true);
  expect(rt.errors()).toContain('DynamoDB Local exited unexpectedly');
  const records = await client.applied(accepted, 150_000);
  expect(records.every((r) => r.outcome === 'CREATED' || r.outcome === 'APPENDED')).toBe(true);
  for (let k = 0; k < 5; k++) {
    await expectExactlyOnce(
      client,
      source.id,
      `db-down-${k}`,
      records.filter((r) => r.alertKey === `db-down-${k}`),
    );
  }
});

it('answers 503 while the queue is unreachable and accepts nothing half-way', async () => {
  // A poller's long poll cut off by the outage may still take the next message on the server's side, as a lost
  // receive answer can in SQS: that message comes back after the visibility timeout, kept short here.
  const { rt, client } = await start({ env: { QUEUE_VISIBILITY_TIMEOUT: '2' } });
  const source = await client.createSource();
  rt.signal('SIGUSR2');
  await noticed(rt, 'fault: the queue is now unreachable');
  const refused = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'q-down', summary: 'queue down' });
  expect(refused.status).toBe(503);
  expect(refused.body).toMatchObject({ status: 503, code: 'QUEUE_UNAVAILABLE' });
  rt.signal('SIGUSR2');
  await noticed(rt, 'fault: the queue is now reachable again');
  const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'q-down', summary: 'queue back' });
  // The refused event was withdrawn: the first accepted one opens the alert, and it holds one event.
  expect(record.outcome).toBe('CREATED');
  expect((await client.request('GET', `/api/alerts/${record.alertId}`)).body.eventCount).toBe(1);
  const events = await allLogEntries(client, record.alertId);
  expect(events).toHaveLength(1);
  expect(rt.errors()).toContain('the queue is now unreachable');
});

it('applies exactly once every event that got a 202 when the whole runtime is killed -9 during a burst', async () => {
  // Single writes: a kill between an alert's write and its record leaves a mark, which the re-sent event finds.
  const first = await start({ adminToken: 'crash-token', env: { SINGLE_WRITES: 'true' } });
  const source = await first.client.createSource({ rateLimitPerMinute: 1000000 });
  const accepted: Array<{ eventId: string; alertKey: string }> = [];
  let killed = false;
  let finished = 0;
  const senders = Array.from({ length: 4 }, async (_, s) => {
    for (let i = 0; i < 60 && !killed; i++) {
      try {
        const alertKey = `burst-${s}`;
        const res = await first.client.postEvent({
          apiKey: source.integrationKey,
          eventType: i % 10 === 9 ? 'RESOLVE' : 'ALERT',
          alertKey,
          summary: `${s}/${i}`,
        });
        if (res.status === 202) accepted.push({ eventId: res.body.eventId, alertKey });
      } catch {
        return; // the connection died with the process
      }
    }
  }).map((sender) => sender.finally(() => finished++));
  // Senders that all stop short of 60 (every event refused) end the wait at once; the expectation then says so.
  await waitFor(() => accepted.length >= 60 || finished === 4, {
    timeoutMs: 120_000,
    intervalMs: 10,
    what: () => `60 accepted events before the kill (${accepted.length} so far)`,
  });
  expect(accepted.length).toBeGreaterThanOrEqual(60);
  killed = true;
  await first.rt.kill();
  await Promise.all(senders);

  const second = await start({ dataDir: first.rt.dataDir, adminToken: 'crash-token', env: { SINGLE_WRITES: 'true' } });
  const records = await second.client.applied(
    accepted.map((a) => a.eventId),
    90_000,
  );
  expect(records.every((r) => !['QUEUED', 'FAILED'].includes(r.outcome))).toBe(true);
  // Events recorded but never answered are recovered too and may still be in flight: a last event of the same
  // source (one FIFO group, queued after the recovered ones) settles them all before the counts are compared.
  await second.client.send({ apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'settle', summary: 'settle' });
  for (let s = 0; s < 4; s++) {
    const alertKey = `burst-${s}`;
    // Events recorded but never answered may also have been applied: compare with every event of the key the runtime knows.
    const alerts = (await second.client.alerts(`alertKey=${alertKey}&alertSourceId=${source.id}&limit=100`)).body.items;
    for (const alert of alerts) {
      const log = await allLogEntries(second.client, alert.id);
      const grouped = log.filter((e: any) => e.type === 'ALERT_RECEIVED' || e.type === 'EVENT_APPENDED');
      expect(grouped).toHaveLength(alert.eventCount);
      expect(new Set(log.map((e: any) => e.eventId)).size).toBe(log.length);
    }
    const mine = records.filter((r) => r.alertKey === alertKey && (r.outcome === 'CREATED' || r.outcome === 'APPENDED'));
    const logged = new Set<string>();
    for (const alert of alerts) for (const e of await allLogEntries(second.client, alert.id)) logged.add(e.eventId);
    for (const r of mine) expect(logged.has(r.eventId)).toBe(true);
  }
});
