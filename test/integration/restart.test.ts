// What survives a stop of `npm start`: alerts and open-alert matching after Ctrl-C, and accepted events after kill -9.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { eventId } from '../../lambdas/handlers/ids';
import { createDocumentClient } from '../../lambdas/store/client';
import { EventStore } from '../../lambdas/store/events';
import { clientFor } from '../support/client';

jest.setTimeout(120_000);

const running: RuntimeProcess[] = [];
const start = async (dataDir: string, env: Record<string, string> = {}) => {
  const rt = await startRuntimeProcess({ dataDir, adminToken: 'restart-test-token', env });
  running.push(rt);
  return rt;
};
afterAll(async () => {
  for (const rt of running) await rt.stop();
});

it('keeps alerts and open-alert matching across a Ctrl-C and a new start', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-restart-'));
  const first = await start(dataDir);
  let client = clientFor(first);
  const source = await client.createSource();
  const [created] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'before restart', alertKey: 'persist-1' });
  expect(await first.stop()).toBe(0);
  expect(first.output()).toContain('Stopped.');

  const second = await start(dataDir);
  client = clientFor(second);
  expect((await client.request('GET', `/api/alerts/${created.alertId}`)).body).toMatchObject({ summary: 'before restart', status: 'PENDING' });
  const [appended] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'after restart', alertKey: 'PERSIST-1' });
  expect(appended).toMatchObject({ outcome: 'APPENDED', alertId: created.alertId });
  // The demo source is created once, not on every start.
  const demos = (await client.request('GET', '/api/alert-sources')).body.filter((s: any) => s.name === 'Demo alert source');
  expect(demos).toHaveLength(1);
});

it('applies, in order and once, every event that got a 202 before kill -9', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-crash-'));
  // No pollers: the events are accepted and recorded but not applied when the process dies.
  const crashed = await start(dataDir, { POLLERS: '0' });
  let client = clientFor(crashed);
  const source = await client.createSource();
  const steps = ['ALERT', 'ALERT', 'ACCEPT', 'RESOLVE', 'ALERT'];
  const ids: string[] = [];
  for (const eventType of steps) {
    const res = await client.postEvent({ apiKey: source.integrationKey, eventType, alertKey: 'crash-1', summary: `${eventType} crash-1` });
    expect(res.status).toBe(202);
    ids.push(res.body.eventId);
  }
  expect((await client.event(ids[0])).body.outcome).toBe('QUEUED');
  await crashed.kill();

  const restarted = await start(dataDir);
  client = clientFor(restarted);
  expect(restarted.output()).toContain('Re-queued 5 accepted event(s)');
  const records = await client.applied(ids);
  expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'APPENDED', 'ACCEPTED', 'RESOLVED', 'CREATED']);
  const alerts = (await client.alerts(`alertKey=crash-1&alertSourceId=${source.id}`)).body.items;
  expect(alerts.map((a: any) => [a.status, a.eventCount])).toEqual([
    ['PENDING', 1],
    ['RESOLVED', 2],
  ]);

  // Applied now: a second kill -9 leaves them in the journal's file, and the next start finds their records.
  await restarted.kill();
  const again = await start(dataDir);
  expect(again.output()).not.toContain('Re-queued');
  expect((await clientFor(again).alerts(`alertKey=crash-1&alertSourceId=${source.id}`)).body.items).toHaveLength(2);
});

it('re-queues, at its first start, the QUEUED records a data folder of the version before the journal holds', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-upgrade-'));
  const older = await start(dataDir, { POLLERS: '0' });
  let client = clientFor(older);
  const source = await client.createSource();
  // Accepted as that version recorded them: QUEUED records with the payload in the table, nothing in the journal.
  const events: AcceptedEvent[] = ['ALERT', 'ALERT'].map((eventType, i) => ({
    eventId: eventId(),
    alertSourceId: source.id,
    receivedAt: new Date().toISOString(),
    eventType: eventType as AcceptedEvent['eventType'],
    alertKey: 'upgrade-1',
    summary: `accepted before the upgrade #${i}`,
    priority: 'HIGH',
  }));
  const db = createDocumentClient({ endpoint: older.info.dynamoDbEndpoint });
  const store = new EventStore({ db, tableName: older.info.tableName }, { recoverable: true });
  for (const event of events) await store.recordQueued(event);
  db.destroy();
  expect((await client.event(events[0].eventId)).body).toMatchObject({ outcome: 'QUEUED', alertKey: 'upgrade-1' });
  expect(await older.stop()).toBe(0);

  const upgraded = await start(dataDir);
  expect(upgraded.output()).toContain('Re-queued 2 accepted event(s)');
  client = clientFor(upgraded);
  const records = await client.applied(events.map((e) => e.eventId));
  expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'APPENDED']);
});
