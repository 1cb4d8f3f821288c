// Heartbeat monitors on a real local runtime in this process, on a manual clock: management, pings, and the tick's check
// (overdue opens exactly one alert through the ordinary event path; the next ping resolves it).
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startTimedRuntime, type TimedRuntime } from '../support/timed-runtime';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

let rt: TimedRuntime;

// The escalator's timer really ticks (every second), as ESCALATION_TICK_SECONDS=1 would; the clock jumps instead of waiting.
beforeAll(async () => {
  rt = await startTimedRuntime({ escalationTickSeconds: 1 });
});

afterAll(async () => {
  await rt?.stop();
});

let unique = 0;

async function monitor(settings: Record<string, unknown> = {}) {
  const source = await rt.client.createSource();
  const res = await rt.client.request('POST', '/api/heartbeat-monitors', {
    body: { name: `nightly backup ${++unique}`, intervalSec: 60, graceSec: 0, alertSource: { id: source.id }, ...settings },
  });
  expect(res.status).toBe(201);
  return { source, monitor: res.body };
}

const ping = (key: string, method = 'GET') => rt.client.request(method, `/api/heartbeats/${key}`, { token: null });

const alertsOf = async (sourceId: string) => (await rt.client.alerts(`alertSourceId=${sourceId}`)).body.items;

/**
 * Waits until every event queued on the source so far was applied: a marker event goes after them in the source's
 * FIFO group, so an ALERT a tick sent is in the alerts once the marker's outcome is known (an assertion of "no
 * alert" right after a tick would otherwise pass before the ALERT is applied).
 */
async function settled(source: { apiKey: string }) {
  const [marker] = await rt.client.send({ apiKey: source.apiKey, eventType: 'COMMENT', alertKey: `marker-${++unique}`, summary: 'marker' });
  expect(marker.outcome).toBe('NO_OPEN_ALERT');
}

const monitorNow = async (id: string) => (await rt.client.request('GET', `/api/heartbeat-monitors/${id}`)).body;

async function waitForAlerts(sourceId: string, what: (alerts: any[]) => boolean, description: string) {
  return waitFor(
    async () => {
      const alerts = await alertsOf(sourceId);
      return what(alerts) ? alerts : undefined;
    },
    { timeoutMs: 20_000, what: description },
  );
}

it('creates, lists, reads, changes and deletes monitors (admin only), with a generated unguessable key', async () => {
  const { source, monitor: created } = await monitor({ graceSec: undefined });
  expect(created).toMatchObject({ intervalSec: 60, graceSec: 60, alertSource: { id: source.id }, status: 'UNKNOWN', lastPingAt: null });
  expect(created.key).toMatch(/^[A-Za-z0-9_-]{40,}$/);
  expect(created).not.toHaveProperty('checkAt');

  expect((await rt.client.request('GET', '/api/heartbeat-monitors', { token: null })).status).toBe(401);
  const list = await rt.client.request('GET', '/api/heartbeat-monitors?limit=100');
  expect(list.status).toBe(200);
  expect(list.body.items.map((m: any) => m.id)).toContain(created.id);

  const changed = await rt.client.request('PUT', `/api/heartbeat-monitors/${created.id}`, { body: { intervalSec: 3600 } });
  expect(changed.status).toBe(200);
  expect(changed.body).toMatchObject({ name: created.name, intervalSec: 3600, graceSec: 60, key: created.key });

  expect((await rt.client.request('DELETE', `/api/heartbeat-monitors/${created.id}`)).status).toBe(204);
  expect((await rt.client.request('GET', `/api/heartbeat-monitors/${created.id}`)).status).toBe(404);
  expect((await ping(created.key)).status).toBe(404);
});

it('refuses invalid settings with a 400 naming the field', async () => {
  const source = await rt.client.createSource();
  const post = (body: Record<string, unknown>) => rt.client.request('POST', '/api/heartbeat-monitors', { body });
  const valid = { name: 'cron', intervalSec: 300, alertSource: { id: source.id } };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...valid, intervalSec: 59 }, 'intervalSec'],
    [{ ...valid, intervalSec: 2_678_401 }, 'intervalSec'],
    [{ ...valid, intervalSec: 'often' }, 'intervalSec'],
    [{ ...valid, graceSec: -1 }, 'graceSec'],
    [{ ...valid, name: ' ' }, 'name'],
    [{ ...valid, alertSource: undefined }, 'alertSource'],
    [{ ...valid, alertSource: { id: 'no-such-source' } }, 'alertSource.id'],
  ];
  for (const [body, field] of cases) {
    const res = await post(body);
    expect({ field, status: res.status, code: res.body.code }).toEqual({ field, status: 400, code: 'VALIDATION_FAILED' });
    expect(res.body.errors.map((e: any) => e.path)).toContain(field);
  }
});

it('answers pings by GET, HEAD and POST without a token (202), and 404 for an unknown key', async () => {
  const { monitor: m } = await monitor({ intervalSec: 600 });
  const get = await ping(m.key, 'GET');
  expect(get).toMatchObject({ status: 202, body: { status: 'UP' } });
  const head = await ping(m.key, 'HEAD');
  expect(head.status).toBe(202);
  expect(head.body).toBeUndefined();
  expect(await ping(m.key, 'POST')).toMatchObject({ status: 202, body: { status: 'UP' } });
  const seen = await monitorNow(m.id);
  expect(seen.status).toBe('UP');
  expect(Date.parse(seen.lastPingAt)).toBe(rt.now());

  for (const method of ['GET', 'HEAD', 'POST']) expect((await ping(`al1${'x'.repeat(43)}`, method)).status).toBe(404);
});

it('a 60 s monitor without a ping opens one alert as soon as it is overdue, on the real ticker; the next ping resolves it', async () => {
  const { source, monitor: m } = await monitor({ intervalSec: 60, graceSec: 0 });
  const createdAt = Date.parse(m.createdAt);

  // Not yet due: nothing, however often the timer ticks.
  rt.advanceSeconds(59);
  await rt.runtime.tick();
  await settled(source);
  expect(await alertsOf(source.id)).toEqual([]);
  expect((await monitorNow(m.id)).status).toBe('UNKNOWN');

  // Overdue: the timer's next ticks (one a second) open it, well within 60 s.
  rt.advanceSeconds(2);
  const overdueSince = Date.now();
  const [alert] = await waitForAlerts(source.id, (alerts) => alerts.length === 1, 'the overdue heartbeat to open an alert');
  expect(Date.now() - overdueSince).toBeLessThan(60_000);
  expect(alert).toMatchObject({ alertKey: `heartbeat:${m.id}`, summary: `Heartbeat ${m.name} is overdue`, status: 'PENDING', eventCount: 1 });
  expect(Date.parse(alert.createdAt) - createdAt).toBeGreaterThanOrEqual(60_000);
  expect((await monitorNow(m.id)).status).toBe('OVERDUE');

  // Repeated ticks, hours later, open nothing more: the OVERDUE monitor has no check until a ping.
  for (let i = 0; i < 3; i++) {
    rt.advanceSeconds(3600);
    await rt.runtime.tick();
  }
  await settled(source);
  const still = await alertsOf(source.id);
  expect(still).toHaveLength(1);
  expect(still[0]).toMatchObject({ id: alert.id, eventCount: 1, status: 'PENDING' });

  // The next ping resolves it, through a RESOLVE event.
  expect((await ping(m.key, 'HEAD')).status).toBe(202);
  await waitForAlerts(source.id, (alerts) => alerts[0]?.status === 'RESOLVED', 'the ping to resolve the alert');
  const up = await monitorNow(m.id);
  expect(up).toMatchObject({ status: 'UP', lastPingAt: new Date(rt.now()).toISOString() });

  // Pinged in time from then on, it stays up; silent again, it opens a new alert (the old one is resolved).
  rt.advanceSeconds(50);
  expect((await ping(m.key)).status).toBe(202);
  rt.advanceSeconds(50);
  await rt.runtime.tick();
  await settled(source);
  expect(await alertsOf(source.id)).toHaveLength(1);
  rt.advanceSeconds(11);
  await rt.runtime.tick();
  const again = await waitForAlerts(source.id, (alerts) => alerts.length === 2, 'the second silence to open a second alert');
  expect(again.map((a) => a.status)).toEqual(['PENDING', 'RESOLVED']);
});

it('a deleted monitor never alerts: its pending check ends', async () => {
  const { source, monitor: m } = await monitor({ intervalSec: 60, graceSec: 0 });
  expect((await rt.client.request('DELETE', `/api/heartbeat-monitors/${m.id}`)).status).toBe(204);
  rt.advanceSeconds(120);
  await rt.runtime.tick();
  await rt.runtime.tick();
  await settled(source);
  expect(await alertsOf(source.id)).toEqual([]);
});

it("an OVERDUE monitor's alert is resolved on the source it was opened on, after a change of source, and by a DELETE", async () => {
  const { source, monitor: m } = await monitor({ intervalSec: 60, graceSec: 0 });
  const other = await rt.client.createSource();
  rt.advanceSeconds(61);
  await rt.runtime.tick();
  await waitForAlerts(source.id, (alerts) => alerts.length === 1, 'the overdue heartbeat to open an alert');
  expect((await rt.client.request('PUT', `/api/heartbeat-monitors/${m.id}`, { body: { alertSource: { id: other.id } } })).status).toBe(200);
  expect((await ping(m.key)).status).toBe(202);
  await waitForAlerts(source.id, (alerts) => alerts[0]?.status === 'RESOLVED', 'the ping to resolve the alert on its first source');

  // Silent again, its next alert is on the new source; deleting the OVERDUE monitor resolves that one.
  rt.advanceSeconds(61);
  await rt.runtime.tick();
  await waitForAlerts(other.id, (alerts) => alerts.length === 1, 'the second silence to open an alert on the new source');
  expect((await rt.client.request('DELETE', `/api/heartbeat-monitors/${m.id}`)).status).toBe(204);
  await waitForAlerts(other.id, (alerts) => alerts[0]?.status === 'RESOLVED', 'the DELETE to resolve the open alert');
});

it("the README's crontab line pings as printed (its command, with the runtime's URL and a monitor's key)", async () => {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const line = /```crontab\n(.+)\n```/.exec(readme)?.[1];
  expect(line).toMatch(/^\*\/5 \* \* \* \* curl -fsS -m 10 http:\/\/127\.0\.0\.1:8787\/api\/heartbeats\/<key>$/);
  const { monitor: m } = await monitor({ intervalSec: 300 });
  const command = line!.split(' ').slice(5).join(' ').replace('http://127.0.0.1:8787', rt.runtime.url).replace('<key>', m.key);
  const { stdout } = await promisify(execFile)('sh', ['-c', command]);
  expect(JSON.parse(stdout)).toEqual({ status: 'UP' });
  expect((await monitorNow(m.id)).status).toBe('UP');
});
