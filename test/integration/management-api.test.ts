// The management and read API over HTTP: the admin token, alert sources, alert listings with filters and cursors, operator actions.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

describe('the admin token', () => {
  it.each([
    ['GET', '/api/alert-sources'],
    ['POST', '/api/alert-sources'],
    ['GET', '/api/alerts'],
    ['GET', '/api/alerts/some-id'],
    ['PUT', '/api/alerts/some-id/accept'],
    ['GET', '/api/events/some-id'],
  ])('guards %s %s: 401 without, with a malformed and with a wrong token', async (method, path) => {
    for (const headers of [{}, { authorization: 'Basic abc' }, { authorization: `Bearer ${rt.adminToken}x` }] as Record<string, string>[]) {
      const res = await client.request(method, path, { token: null, headers });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
      expect(JSON.stringify(res.body)).not.toContain(rt.adminToken);
    }
  });
});

describe('alert sources', () => {
  it('creates, reads, lists, updates and deletes an alert source', async () => {
    const created = await client.request('POST', '/api/alert-sources', { body: { name: 'Prometheus prod', integrationType: 'PROMETHEUS' } });
    expect(created.status).toBe(201);
    const source = created.body;
    expect(source).toMatchObject({
      id: expect.any(String),
      name: 'Prometheus prod',
      integrationType: 'PROMETHEUS',
      active: true,
      alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
      alertPriorityRule: 'HIGH',
      createdAt: expect.any(String),
    });
    expect(source.integrationKey).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(source.apiKey).toBe(source.integrationKey);

    expect((await client.request('GET', `/api/alert-sources/${source.id}`)).body).toEqual(source);
    const list = (await client.request('GET', '/api/alert-sources')).body;
    expect(list.map((s: any) => s.id)).toContain(source.id);

    const updated = await client.request('PUT', `/api/alert-sources/${source.id}`, { body: { name: 'Prometheus staging', active: false } });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({
      id: source.id,
      integrationKey: source.integrationKey,
      name: 'Prometheus staging',
      active: false,
      integrationType: 'PROMETHEUS',
    });
    expect(updated.body.updatedAt >= source.updatedAt).toBe(true);

    expect((await client.request('DELETE', `/api/alert-sources/${source.id}`)).status).toBe(204);
    expect((await client.request('GET', `/api/alert-sources/${source.id}`)).status).toBe(404);
    expect((await client.request('DELETE', `/api/alert-sources/${source.id}`)).status).toBe(404);
    const event = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'x' });
    expect(event.status).toBe(404);
  });

  it('refuses invalid settings with 400 naming the field, and ignores attempts to set the key', async () => {
    const bad = await client.request('POST', '/api/alert-sources', { body: { name: '', alertCreation: 'SOMETIMES' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors.map((e: any) => e.path).sort()).toEqual(['alertCreation', 'name']);
    const keyed = await client.request('POST', '/api/alert-sources', { body: { name: 'n', integrationKey: 'mine' } });
    expect(keyed.body.integrationKey).not.toBe('mine');
    const missing = await client.request('PUT', '/api/alert-sources/nope', { body: { name: 'x' } });
    expect(missing.status).toBe(404);
  });
});

describe('alerts', () => {
  let sourceA: { id: string; integrationKey: string };
  let sourceB: { id: string; integrationKey: string };
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    sourceA = await client.createSource();
    sourceB = await client.createSource();
    // A: k1..k5 (k1 accepted, k2 resolved); B: k1, k6.
    for (const k of ['k1', 'k2', 'k3', 'k4', 'k5']) {
      const [r] = await client.send({ apiKey: sourceA.integrationKey, eventType: 'ALERT', summary: `A ${k}`, alertKey: k });
      ids[`A-${k}`] = r.alertId;
    }
    for (const k of ['k1', 'k6']) {
      const [r] = await client.send({ apiKey: sourceB.integrationKey, eventType: 'ALERT', summary: `B ${k}`, alertKey: k });
      ids[`B-${k}`] = r.alertId;
    }
    await client.send(
      { apiKey: sourceA.integrationKey, eventType: 'ACCEPT', alertKey: 'k1' },
      { apiKey: sourceA.integrationKey, eventType: 'RESOLVE', alertKey: 'k2' },
    );
  });

  const idsOf = (items: any[]) => items.map((a) => a.id);

  it('lists an alert source newest first, page by page with nextCursor', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const res = await client.alerts(`alertSourceId=${sourceA.id}&limit=2${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...idsOf(res.body.items));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual(['k5', 'k4', 'k3', 'k2', 'k1'].map((k) => ids[`A-${k}`]));
  });

  it('filters by status (one or several), by alertKey across sources, and combines filters', async () => {
    const accepted = await client.alerts(`status=ACCEPTED&alertSourceId=${sourceA.id}`);
    expect(idsOf(accepted.body.items)).toEqual([ids['A-k1']]);
    const open = await client.alerts(`status=PENDING,ACCEPTED&alertSourceId=${sourceA.id}`);
    expect(idsOf(open.body.items)).toEqual(['k5', 'k4', 'k3', 'k1'].map((k) => ids[`A-${k}`]));
    const byKey = await client.alerts('alertKey=K1');
    expect(idsOf(byKey.body.items)).toEqual(expect.arrayContaining([ids['A-k1'], ids['B-k1']]));
    expect(byKey.body.items.every((a: any) => a.alertKey === 'k1')).toBe(true);
    const resolved = await client.alerts('status=RESOLVED');
    expect(idsOf(resolved.body.items)).toContain(ids['A-k2']);
    expect(resolved.body.items.every((a: any) => a.status === 'RESOLVED')).toBe(true);
    const all = await client.alerts('limit=100');
    expect(idsOf(all.body.items)).toEqual(expect.arrayContaining(Object.values(ids)));
  });

  it('answers 400 for a bad status, limit or cursor', async () => {
    for (const [query, path] of [
      ['status=OPEN', 'status'],
      ['limit=0', 'limit'],
      ['limit=abc', 'limit'],
      ['nextCursor=garbage', 'nextCursor'],
    ]) {
      const res = await client.request('GET', `/api/alerts?${query}`);
      expect(res.status).toBe(400);
      expect(res.body.errors[0].path).toBe(path);
    }
  });

  it('accepts and resolves through the API, logging it, and a later event opens a new alert', async () => {
    const id = ids['A-k3'];
    const accept = await client.request('PUT', `/api/alerts/${id}/accept`);
    expect(accept.body).toMatchObject({ status: 'ACCEPTED', acceptedAt: expect.any(String) });
    expect((await client.request('PUT', `/api/alerts/${id}/accept`)).status).toBe(200);
    const resolve = await client.request('PUT', `/api/alerts/${id}/resolve`);
    expect(resolve.body).toMatchObject({ status: 'RESOLVED', resolvedAt: expect.any(String) });
    expect((await client.request('PUT', `/api/alerts/${id}/accept`)).status).toBe(409);
    const log = (await client.request('GET', `/api/alerts/${id}/log-entries`)).body.items;
    expect(log.map((e: any) => e.type)).toEqual(['ALERT_RECEIVED', 'ACCEPTED', 'RESOLVED']);
    const [next] = await client.send({ apiKey: sourceA.integrationKey, eventType: 'ALERT', summary: 'again', alertKey: 'k3' });
    expect(next.outcome).toBe('CREATED');
    expect(next.alertId).not.toBe(id);
  });

  it('shows an event with its outcome and alert, and 404 for unknown ids and routes', async () => {
    const [record] = await client.send({ apiKey: sourceB.integrationKey, eventType: 'ALERT', summary: 'B k6 again', alertKey: 'k6' });
    const event = (await client.event(record.eventId)).body;
    expect(event).toEqual({
      eventId: record.eventId,
      alertSourceId: sourceB.id,
      eventType: 'ALERT',
      alertKey: 'k6',
      receivedAt: expect.any(String),
      processedAt: expect.any(String),
      outcome: 'APPENDED',
      alertId: ids['B-k6'],
    });
    expect((await client.event('01NOSUCHEVENT')).status).toBe(404);
    expect((await client.request('GET', '/api/alerts/nope')).status).toBe(404);
    expect((await client.request('GET', '/api/nothing-here')).status).toBe(404);
    expect((await client.request('DELETE', '/api/alerts')).status).toBe(405);
  });
});
