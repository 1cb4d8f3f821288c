// autoResolutionTimeout on a real local runtime in this process, on a manual clock stepped by the test and runtime.tick():
// an idle open alert is resolved once the timeout passed since its last event, not before; an event in between postpones it.
import { allLogEntries } from '../support/log-entries';
import { startTimedRuntime, type TimedRuntime } from '../support/timed-runtime';
import { waitFor } from '../support/wait-for';

jest.setTimeout(180_000);

let rt: TimedRuntime;

beforeAll(async () => {
  rt = await startTimedRuntime();
});

afterAll(async () => {
  await rt?.stop();
});

let unique = 0;

const alertNow = async (id: string) => (await rt.client.request('GET', `/api/alerts/${id}`)).body;

async function openAlert(settings: Record<string, unknown>) {
  const source = await rt.client.createSource(settings);
  const alertKey = `disk-${++unique}`;
  const [record] = await rt.client.send({ apiKey: source.apiKey, eventType: 'ALERT', summary: 'Disk full', alertKey });
  expect(record.outcome).toBe('CREATED');
  return { source, alertKey, alert: await alertNow(record.alertId) };
}

async function tickAt(secondsLater: number) {
  rt.advanceSeconds(secondsLater);
  await rt.runtime.tick();
}

it('resolves an idle open alert once the timeout has passed, not before, with a log entry', async () => {
  const { source, alert } = await openAlert({ autoResolutionTimeout: 'PT5M' });
  expect(source.autoResolutionTimeout).toBe('PT5M');

  await tickAt(4 * 60 + 50);
  expect((await alertNow(alert.id)).status).toBe('PENDING');

  await tickAt(15);
  const resolved = await waitFor(async () => ((await alertNow(alert.id)).status === 'RESOLVED' ? alertNow(alert.id) : undefined), {
    timeoutMs: 10_000,
    what: 'the alert to be auto-resolved',
  });
  expect(Date.parse(resolved.resolvedAt)).toBe(rt.now());
  const log = await allLogEntries(rt.client, alert.id);
  expect(log.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'RESOLVED']);
  expect(log[1].text).toMatch(/auto-resolved after PT5M/);
});

it('an event applied in between postpones the resolution to the timeout after that event', async () => {
  const { source, alertKey, alert } = await openAlert({ autoResolutionTimeout: 'PT10M' });
  await tickAt(8 * 60);
  const [comment] = await rt.client.send({ apiKey: source.apiKey, eventType: 'COMMENT', alertKey, summary: 'still looking' });
  expect(comment.outcome).toBe('COMMENTED');
  const commentedAt = Date.parse((await alertNow(alert.id)).updatedAt);
  expect(commentedAt).toBe(rt.now());

  // Ten minutes after the alert's creation, but only two after the comment: still open.
  await tickAt(2 * 60 + 5);
  await rt.runtime.tick();
  expect((await alertNow(alert.id)).status).toBe('PENDING');

  await tickAt(8 * 60);
  await waitFor(async () => (await alertNow(alert.id)).status === 'RESOLVED', { timeoutMs: 10_000, what: 'the postponed auto-resolution' });
  expect(Date.parse((await alertNow(alert.id)).resolvedAt) - commentedAt).toBeGreaterThanOrEqual(10 * 60_000);
});

it('a timeout set on a source later resolves the open alerts it already had, idle for that long since their last event', async () => {
  const { source, alert } = await openAlert({});
  const accepted = await openAlert({});
  await tickAt(30 * 60);
  const put = await rt.client.request('PUT', `/api/alert-sources/${source.id}`, { body: { autoResolutionTimeout: 'PT10M' } });
  expect(put.status).toBe(200);
  await rt.runtime.tick();
  await waitFor(async () => (await alertNow(alert.id)).status === 'RESOLVED', { timeoutMs: 10_000, what: 'the older alert to be auto-resolved' });
  const log = await allLogEntries(rt.client, alert.id);
  expect(log.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'RESOLVED']);
  // Another source's alert is not touched.
  expect((await alertNow(accepted.alert.id)).status).toBe('PENDING');
});

it('leaves alerts of sources without the setting, and resolved alerts, alone', async () => {
  const { alert } = await openAlert({});
  const timed = await openAlert({ autoResolutionTimeout: 'PT1M' });
  expect((await rt.client.request('PUT', `/api/alerts/${timed.alert.id}/resolve`)).status).toBe(200);
  await tickAt(40 * 24 * 3600);
  expect((await alertNow(alert.id)).status).toBe('PENDING');
  const log = await allLogEntries(rt.client, timed.alert.id);
  expect(log.filter((e: any) => e.type === 'RESOLVED')).toHaveLength(1);
});

it('refuses an autoResolutionTimeout that is not an ISO-8601 duration from PT1M to P30D, naming the field', async () => {
  for (const value of ['PT30S', 'P31D', 'P1M', '5 minutes', 'PT', 60]) {
    const res = await rt.client.request('POST', '/api/alert-sources', { body: { name: 'timed', autoResolutionTimeout: value } });
    expect({ value, status: res.status }).toEqual({ value, status: 400 });
    expect(res.body.errors.map((e: any) => e.path)).toEqual(['autoResolutionTimeout']);
  }
  for (const value of ['PT1M', 'P30D', 'P1DT12H', 'PT4H']) {
    const res = await rt.client.request('POST', '/api/alert-sources', { body: { name: 'timed', autoResolutionTimeout: value } });
    expect({ value, status: res.status }).toEqual({ value, status: 201 });
  }
});

it('shows each alert source its integrationUrl: the events URL with its key in the path, which accepts events', async () => {
  const source = await rt.client.createSource();
  expect(source.integrationUrl).toBe(`${rt.runtime.url}/api/events/${source.apiKey}`);
  const res = await fetch(source.integrationUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{"eventType":"ALERT","summary":"via URL"}',
  });
  expect(res.status).toBe(202);
  const listed = (await rt.client.request('GET', '/api/alert-sources')).body.find((s: any) => s.id === source.id);
  expect(listed.integrationUrl).toBe(source.integrationUrl);
});
