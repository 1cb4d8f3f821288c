// Maintenance windows on a real local runtime in this process: management (400s naming the field), and the processor's
// rule: an ALERT of a covered source is SUPPRESSED (nothing opened or appended), ACCEPT/RESOLVE/COMMENT act as usual, and
// once the window is over an ALERT opens an alert again. Windows are judged by the event's receive time.
import { startTimedRuntime, type TimedRuntime } from '../support/timed-runtime';

jest.setTimeout(180_000);

let rt: TimedRuntime;

// No source cache: a window's change counts at the next event (the cache's TTL bounds it otherwise; see the README).
beforeAll(async () => {
  rt = await startTimedRuntime({ sourceCacheTtlMs: 0 });
});

afterAll(async () => {
  await rt?.stop();
});

const HOUR = 3600_000;
/** A time relative to the runtime's clock (which the test moves), as the events' receivedAt are. */
const at = (offsetMs: number) => new Date(rt.now() + offsetMs).toISOString();

async function window(body: Record<string, unknown>) {
  const res = await rt.client.request('POST', '/api/maintenance-windows', { body: { summary: 'Database upgrade', ...body } });
  expect(res.status).toBe(201);
  return res.body;
}

it('suppresses ALERT events while a window covers the source; ACCEPT, RESOLVE and COMMENT act; after it, an ALERT opens an alert', async () => {
  const [source, other] = [await rt.client.createSource(), await rt.client.createSource()];
  const alert = (alertKey: string, apiKey = source.apiKey) => ({ apiKey, eventType: 'ALERT', summary: 'db down', alertKey });
  const [opened] = await rt.client.send(alert('db'));
  expect(opened.outcome).toBe('CREATED');

  const w = await window({ start: at(-HOUR), end: at(HOUR), alertSources: [{ id: source.id }] });
  const during = await rt.client.send(
    alert('db'),
    alert('cache'),
    { apiKey: source.apiKey, eventType: 'COMMENT', alertKey: 'db', summary: 'upgrading' },
    { apiKey: source.apiKey, eventType: 'ACCEPT', alertKey: 'db' },
    alert('db', other.apiKey),
  );
  expect(during.map((e) => e.outcome)).toEqual(['SUPPRESSED', 'SUPPRESSED', 'COMMENTED', 'ACCEPTED', 'CREATED']);
  expect(during[0].alertId).toBeUndefined();
  const alerts = (await rt.client.alerts(`alertSourceId=${source.id}`)).body.items;
  expect(alerts).toHaveLength(1);
  expect(alerts[0]).toMatchObject({ id: opened.alertId, eventCount: 1, status: 'ACCEPTED' });

  const [resolved] = await rt.client.send({ apiKey: source.apiKey, eventType: 'RESOLVE', alertKey: 'db' });
  expect(resolved.outcome).toBe('RESOLVED');

  // Once the clock passes the window's end (exclusive), it no longer covers the source: the next ALERT opens an alert.
  rt.advanceSeconds((Date.parse(w.end) - rt.now()) / 1000 - 1);
  const [last] = await rt.client.send(alert('db'));
  expect(last.outcome).toBe('SUPPRESSED');
  rt.advanceSeconds(1);
  expect(rt.now()).toBe(Date.parse(w.end));
  const [after] = await rt.client.send(alert('db'));
  expect(after.outcome).toBe('CREATED');
});

it('a future window does not cover now, and a deleted one no longer covers', async () => {
  const source = await rt.client.createSource();
  await window({ start: at(HOUR), end: at(2 * HOUR), alertSources: [{ id: source.id }] });
  const current = await window({ start: at(-HOUR), end: at(HOUR), alertSources: [{ id: source.id }] });
  const [suppressed] = await rt.client.send({ apiKey: source.apiKey, eventType: 'ALERT', summary: 'x', alertKey: 'k' });
  expect(suppressed.outcome).toBe('SUPPRESSED');
  expect((await rt.client.request('DELETE', `/api/maintenance-windows/${current.id}`)).status).toBe(204);
  expect((await rt.client.request('GET', `/api/maintenance-windows/${current.id}`)).status).toBe(404);
  const [created] = await rt.client.send({ apiKey: source.apiKey, eventType: 'ALERT', summary: 'x', alertKey: 'k' });
  expect(created.outcome).toBe('CREATED');
});

it('lists, reads and changes windows (admin only)', async () => {
  const source = await rt.client.createSource();
  const w = await window({ start: '2031-01-01T08:00:00+01:00', end: '2031-01-01T10:00:00+01:00', alertSources: [{ id: source.id }, { id: source.id }] });
  expect(w).toMatchObject({ start: '2031-01-01T07:00:00.000Z', end: '2031-01-01T09:00:00.000Z', alertSources: [{ id: source.id }] });
  expect((await rt.client.request('GET', '/api/maintenance-windows', { token: null })).status).toBe(401);
  const list = await rt.client.request('GET', '/api/maintenance-windows?limit=100');
  expect(list.status).toBe(200);
  expect(list.body.items.map((x: any) => x.id)).toContain(w.id);
  const changed = await rt.client.request('PUT', `/api/maintenance-windows/${w.id}`, { body: { summary: 'Longer upgrade', end: '2031-01-01T12:00:00Z' } });
  expect(changed.body).toMatchObject({ summary: 'Longer upgrade', start: w.start, end: '2031-01-01T12:00:00.000Z' });
  expect((await rt.client.request('GET', `/api/maintenance-windows/${w.id}`)).body).toEqual(changed.body);
});

it('refuses invalid windows with a 400 naming the field', async () => {
  const source = await rt.client.createSource();
  const valid = { summary: 'upgrade', start: '2031-01-01T08:00:00Z', end: '2031-01-01T10:00:00Z', alertSources: [{ id: source.id }] };
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ ...valid, end: '2031-01-01T07:00:00Z' }, 'end'],
    [{ ...valid, end: valid.start }, 'end'],
    [{ ...valid, start: 'tomorrow' }, 'start'],
    [{ ...valid, start: '2031-01-01T08:00:00' }, 'start'],
    [{ ...valid, summary: '' }, 'summary'],
    [{ ...valid, alertSources: [] }, 'alertSources'],
    [{ ...valid, alertSources: [{ id: 'no-such-source' }] }, 'alertSources.0.id'],
  ];
  for (const [body, field] of cases) {
    const res = await rt.client.request('POST', '/api/maintenance-windows', { body });
    expect({ field, status: res.status }).toEqual({ field, status: 400 });
    expect(res.body.errors.map((e: any) => e.path)).toContain(field);
  }
});
