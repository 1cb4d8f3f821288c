// Paging of alerts and of an alert's log: bounded pages, every entry once in order, and cursors that only continue their own query.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(180_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let source: { id: string; integrationKey: string };
/** The chatty alert: ALERT, 60 COMMENTs, accepted through the API, 60 COMMENTs, resolved through the API. */
let chatty: { id: string; eventIds: string[] };
let quiet: { id: string };

const COMMENTS_EACH_SIDE = 60;
const TOTAL_ENTRIES = 1 + COMMENTS_EACH_SIDE + 1 + COMMENTS_EACH_SIDE + 1;

const comment = (alertKey: string, i: number) => ({
  apiKey: source.integrationKey,
  eventType: 'COMMENT',
  alertKey,
  summary: `comment ${String(i).padStart(3, '0')} `.padEnd(1000, 'x'),
});

const logPage = (alertId: string, query = '') => client.request('GET', `/api/alerts/${alertId}/log-entries${query ? `?${query}` : ''}`);

/** Every page of a listing at the given page size, asserting each page's bound. */
async function walk(path: string, limit: number) {
  const pages: any[][] = [];
  let cursor: string | undefined;
  do {
    const res = await client.request(
      'GET',
      `${path}${path.includes('?') ? '&' : '?'}limit=${limit}${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    expect(res.status).toBe(200);
    expect(res.body.items.length).toBeLessThanOrEqual(limit);
    pages.push(res.body.items);
    cursor = res.body.nextCursor;
    expect(pages.length).toBeLessThanOrEqual(TOTAL_ENTRIES);
  } while (cursor);
  return pages;
}

const base64Json = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

beforeAll(async () => {
  rt = await startRuntimeProcess({ env: { POLLERS: '2' } });
  client = clientFor(rt);
  source = await client.createSource();
  const [created] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'chatty', summary: 'chatty is down' });
  const before = await client.sendWaiting(60_000, ...Array.from({ length: COMMENTS_EACH_SIDE }, (_, i) => comment('chatty', i)));
  expect((await client.request('PUT', `/api/alerts/${created.alertId}/accept`)).status).toBe(200);
  const after = await client.sendWaiting(60_000, ...Array.from({ length: COMMENTS_EACH_SIDE }, (_, i) => comment('chatty', COMMENTS_EACH_SIDE + i)));
  expect((await client.request('PUT', `/api/alerts/${created.alertId}/resolve`)).status).toBe(200);
  expect([...before, ...after].every((r) => r.outcome === 'COMMENTED')).toBe(true);
  chatty = { id: created.alertId, eventIds: [created, ...before, ...after].map((r) => r.eventId) };
  const [other] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'quiet', summary: 'quiet is down' });
  await client.send(
    { apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'quiet', summary: 'one' },
    { apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'quiet', summary: 'two' },
  );
  quiet = { id: other.alertId };
});
afterAll(() => rt?.stop());

describe('log entries are paged', () => {
  it('answers limit=5 with 5 entries, a cursor and a small body', async () => {
    const res = await logPage(chatty.id, 'limit=5');
    expect(res.status).toBe(200);
    expect(res.body.items).toHaveLength(5);
    expect(res.body.nextCursor).toEqual(expect.any(String));
    expect(res.body.items[0]).toMatchObject({ type: 'ALERT_RECEIVED', alertId: chatty.id, eventId: chatty.eventIds[0] });
    expect(JSON.stringify(res.body).length).toBeLessThan(10_000);
  });

  it('answers 50 entries by default and at most 100', async () => {
    const first = await logPage(chatty.id);
    expect(first.body.items).toHaveLength(50);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    expect((await logPage(chatty.id, 'limit=100')).body.items).toHaveLength(100);
  });

  it.each([1, 7, 50, 100])('walks every entry once, oldest first, across events and operator entries (limit=%p)', async (limit) => {
    const pages = await walk(`/api/alerts/${chatty.id}/log-entries`, limit);
    const entries = pages.flat();
    expect(pages.slice(0, -1).every((p) => p.length === limit)).toBe(true);
    expect(entries).toHaveLength(TOTAL_ENTRIES);
    expect(new Set(entries.map((e) => e.id)).size).toBe(TOTAL_ENTRIES);
    expect(entries.map((e) => e.createdAt)).toEqual([...entries.map((e) => e.createdAt)].sort());
    expect(entries.map((e) => e.type)).toEqual([
      'ALERT_RECEIVED',
      ...Array(COMMENTS_EACH_SIDE).fill('COMMENT'),
      'ACCEPTED',
      ...Array(COMMENTS_EACH_SIDE).fill('COMMENT'),
      'RESOLVED',
    ]);
    expect(entries.filter((e) => e.eventId).map((e) => e.eventId)).toEqual(chatty.eventIds);
  });

  it('stops a page of large entries at about 1 MiB, well under the 6 MB a Lambda may answer', async () => {
    const heavy = (i: number) => ({ apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'heavy', details: `${i} `.padEnd(60_000, 'y') });
    const [created] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'heavy', summary: 'heavy' });
    await client.sendWaiting(60_000, ...Array.from({ length: 24 }, (_, i) => heavy(i)));
    const first = await logPage(created.alertId, 'limit=100');
    expect(first.status).toBe(200);
    expect(first.body.items.length).toBeGreaterThan(1);
    expect(first.body.items.length).toBeLessThan(25);
    expect(JSON.stringify(first.body).length).toBeLessThanOrEqual(1024 * 1024 + 1000);
    expect(first.body.nextCursor).toEqual(expect.any(String));
    const entries = (await walk(`/api/alerts/${created.alertId}/log-entries`, 100)).flat();
    expect(entries.map((e) => e.text.split(' ')[0])).toEqual(['Alert', ...Array.from({ length: 24 }, (_, i) => String(i))]);
  });

  it('answers a short log in one page without a cursor', async () => {
    const res = await logPage(quiet.id);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: [expect.objectContaining({ type: 'ALERT_RECEIVED' }), expect.objectContaining({ text: 'one' }), expect.objectContaining({ text: 'two' })],
    });
  });

  it.each(['0', '101', '2.5', 'abc', '-1'])('refuses limit=%p with 400 naming limit', async (limit) => {
    const res = await logPage(chatty.id, `limit=${limit}`);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [expect.objectContaining({ path: 'limit' })] });
  });
});

describe('a cursor only continues the query it came from', () => {
  /** Cursors that are not this server's, shaped like DynamoDB keys (what cursors used to carry) or not shaped at all. */
  const forged = (): Array<[string, string]> => [
    ['a key of another partition', base64Json({ i: 'gsi1', k: { gsi1pk: 'SOURCES', gsi1sk: '2025-01-01T00:00:00.000Z#x', pk: 'SOURCE#x', sk: 'SOURCE' } })],
    ['a key missing its index attributes', base64Json({ i: 'gsi1', k: { pk: 'ALERT#x', sk: 'ALERT' } })],
    [
      'a key with extra attributes',
      base64Json({ i: 'gsi1', k: { gsi1pk: 'ALERTS', gsi1sk: '2025-01-01T00:00:00.000Z#x', pk: 'ALERT#x', sk: 'ALERT', extra: 'x' } }),
    ],
    ['a log key of another alert', base64Json({ i: 'gsi2', k: { gsi2pk: `LOG#${quiet.id}`, gsi2sk: 'x', pk: 'EVENT#x', sk: 'EVENT' } })],
    ['numbers instead of strings', base64Json({ i: 'gsi1', k: { gsi1pk: 1, gsi1sk: 2, pk: 3, sk: 4 } })],
    ['empty key values', base64Json({ i: 'gsi1', k: { gsi1pk: 'ALERTS', gsi1sk: '', pk: '', sk: '' } })],
    ['not base64', '!!not a cursor!!'],
    ['base64 of no JSON', Buffer.from('hello').toString('base64url')],
    ['JSON null', base64Json(null)],
    ['huge', base64Json({ i: 'gsi1', k: { gsi1pk: 'ALERTS', gsi1sk: 'x'.repeat(6000), pk: 'ALERT#x', sk: 'ALERT' } })],
  ];

  /** A real cursor with each string inside it replaced. */
  const altered = (cursor: string, replace: (value: string) => string) =>
    base64Json(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'), (_k, v) => (typeof v === 'string' ? replace(v) : v)));

  const expectInvalidCursor = (res: { status: number; body: any }) => {
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ code: 'INVALID_CURSOR', errors: [expect.objectContaining({ path: 'nextCursor' })] });
  };

  const listings = () => [
    ['/api/alerts', '/api/alerts?limit=1'],
    ['/log-entries', `/api/alerts/${chatty.id}/log-entries?limit=1`],
  ];

  it('forged cursors answer 400 INVALID_CURSOR on both listings', async () => {
    for (const [, path] of listings()) {
      for (const [kind, cursor] of forged()) {
        const res = await client.request('GET', `${path}&nextCursor=${encodeURIComponent(cursor)}`);
        expect({ path, kind, status: res.status, code: res.body?.code }).toEqual({ path, kind, status: 400, code: 'INVALID_CURSOR' });
        expectInvalidCursor(res);
      }
    }
  });

  it('a real cursor with its contents altered answers 400 INVALID_CURSOR on both listings', async () => {
    for (const [, path] of listings()) {
      const cursor = (await client.request('GET', path)).body.nextCursor as string;
      expect(cursor).toEqual(expect.any(String));
      for (const replace of [(v: string) => `${v}x`, (v: string) => v.replace(/[0-9a-f]/, (c) => (c === '0' ? '1' : '0')), () => '', () => 'ALERTS']) {
        expectInvalidCursor(await client.request('GET', `${path}&nextCursor=${encodeURIComponent(altered(cursor, replace))}`));
      }
      expectInvalidCursor(await client.request('GET', `${path}&nextCursor=${encodeURIComponent(`${cursor}AAAA`)}`));
    }
  });

  it('a cursor reused under other filters, another alert or another listing answers 400', async () => {
    await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'pending-two', summary: 'second pending' });
    const pending = (await client.alerts('status=PENDING&limit=1')).body.nextCursor as string;
    expect(pending).toEqual(expect.any(String));
    expect((await client.alerts(`status=PENDING&limit=3&nextCursor=${encodeURIComponent(pending)}`)).status).toBe(200);
    for (const other of ['status=RESOLVED', 'status=PENDING,ACCEPTED', `alertSourceId=${source.id}`, 'alertKey=quiet', '']) {
      expectInvalidCursor(await client.alerts(`${other}&limit=1&nextCursor=${encodeURIComponent(pending)}`));
    }
    const chattyLog = (await logPage(chatty.id, 'limit=1')).body.nextCursor as string;
    expectInvalidCursor(await logPage(quiet.id, `limit=1&nextCursor=${encodeURIComponent(chattyLog)}`));
    expectInvalidCursor(await client.alerts(`limit=1&nextCursor=${encodeURIComponent(chattyLog)}`));
    const allAlerts = (await client.alerts('limit=1')).body.nextCursor as string;
    expectInvalidCursor(await logPage(chatty.id, `limit=1&nextCursor=${encodeURIComponent(allAlerts)}`));
  });

  it('walks every alert once under each filter, newest first', async () => {
    const all = (await walk('/api/alerts', 100)).flat();
    for (const limit of [1, 2]) {
      const paged = (await walk('/api/alerts', limit)).flat();
      expect(paged.map((a) => a.id)).toEqual(all.map((a) => a.id));
    }
    const resolved = (await walk('/api/alerts?status=RESOLVED', 1)).flat();
    expect(resolved.map((a) => a.id)).toEqual([chatty.id]);
    const pending = (await walk(`/api/alerts?status=PENDING&alertSourceId=${source.id}`, 1)).flat();
    expect(pending.map((a) => a.id)).toEqual(all.filter((a) => a.status === 'PENDING').map((a) => a.id));
  });
});
