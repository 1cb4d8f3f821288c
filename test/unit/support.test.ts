// The pure helpers around the domain: validation primitives, ids, the alert source cache, bearer tokens, local routes.
import { SourceCache } from '../../lambdas/app/source-cache';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import { isHttpUrl, isPlainObject, jsonDepth } from '../../lambdas/domain/validation';
import { bearerToken, tokensMatch } from '../../lambdas/handlers/auth';
import { matchRoute } from '../../local/gateway';

type Ids = typeof import('../../lambdas/handlers/ids');

describe('jsonDepth', () => {
  it.each([1, 'x', true, null, undefined])('is 0 for the scalar %p', (value) => {
    expect(jsonDepth(value)).toBe(0);
  });

  it.each([
    [{}, 1],
    [[], 1],
    [{ a: 1, b: 'x' }, 1],
    [{ a: {} }, 2],
    [[[[]]], 3],
    [{ a: 1, b: { c: [1, { d: null }] } }, 4],
    [{ shallow: 1, deep: { x: { y: { z: {} } } }, other: [] }, 5],
  ])('measures %j as %i levels', (value, depth) => {
    expect(jsonDepth(value)).toBe(depth);
  });

  it('survives hostile nesting without overflowing the stack, reporting more than 32 levels', () => {
    let value: unknown = {};
    for (let i = 0; i < 100_000; i++) value = { a: value };
    expect(() => jsonDepth(value)).not.toThrow();
    expect(jsonDepth(value)).toBeGreaterThan(32);
  });
});

describe('isHttpUrl', () => {
  it.each(['https://example.com', 'http://example.com/a.png?x=1#y', 'HTTPS://EXAMPLE.COM/Path', 'https://127.0.0.1:8443/'])('accepts %p', (url) => {
    expect(isHttpUrl(url)).toBe(true);
  });

  it.each([
    '',
    'ftp://example.com',
    'javascript:alert(1)',
    'data:text/html,x',
    'file:///etc/passwd',
    '/relative/path',
    'example.com',
    'https://',
    'mailto:a@b.c',
  ])('rejects %p', (url) => {
    expect(isHttpUrl(url)).toBe(false);
  });
});

describe('isPlainObject', () => {
  it('is true for objects only', () => {
    expect(isPlainObject({})).toBe(true);
    expect(isPlainObject({ a: [1] })).toBe(true);
    expect(isPlainObject([])).toBe(false);
    expect(isPlainObject(null)).toBe(false);
    expect(isPlainObject(undefined)).toBe(false);
    expect(isPlainObject('{}')).toBe(false);
    expect(isPlainObject(3)).toBe(false);
  });
});

describe('ids', () => {
  const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  const ULID = /^[0-9A-HJKMNP-TV-Z]{26}$/;
  const timeOf = (id: string) => [...id.slice(0, 10)].reduce((t, c) => t * 32 + CROCKFORD.indexOf(c), 0);

  // The monotonic state is per module instance: each test gets a fresh one.
  let ids: Ids;
  beforeEach(() => {
    jest.isolateModules(() => {
      // isolateModules takes a synchronous loader: an import() would resolve after it returned, in the shared registry.

      ids = require('../../lambdas/handlers/ids') as Ids;
    });
  });

  const T = Date.UTC(2025, 5, 1, 12, 0, 0, 0);

  it('makes 26 Crockford base32 characters whose first 10 encode the time', () => {
    const id = ids.eventId(T);
    expect(id).toMatch(ULID);
    expect(timeOf(id)).toBe(T);
  });

  it('is strictly increasing for many ids in the same millisecond', () => {
    const made = Array.from({ length: 5000 }, () => ids.eventId(T));
    for (const id of made) expect(id).toMatch(ULID);
    for (let i = 1; i < made.length; i++) expect(made[i] > made[i - 1]).toBe(true);
    expect(new Set(made).size).toBe(made.length);
    expect(new Set(made.map(timeOf))).toEqual(new Set([T]));
  });

  it('sorts by time across milliseconds, whatever the random part', () => {
    const times = [T, T + 1, T + 2, T + 1000, T + 3_600_000, T + 86_400_000 * 365];
    const made = times.map((t) => ids.eventId(t));
    expect([...made].sort()).toEqual(made);
    expect(made.map(timeOf)).toEqual(times);
  });

  it('stays increasing when the clock steps back', () => {
    const later = ids.eventId(T + 5000);
    const after = ids.eventId(T);
    expect(after > later).toBe(true);
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const id = ids.eventId();
    expect(timeOf(id)).toBeGreaterThanOrEqual(before);
    expect(timeOf(id)).toBeLessThanOrEqual(Date.now());
  });

  it('makes integration keys of at least 32 URL-safe characters, different each time', () => {
    const keys = Array.from({ length: 200 }, () => ids.newIntegrationKey());
    for (const key of keys) expect(key).toMatch(/^[A-Za-z0-9_-]{32,}$/);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('makes random ids that differ each time', () => {
    const made = Array.from({ length: 200 }, () => ids.newId());
    expect(new Set(made).size).toBe(made.length);
  });
});

describe('SourceCache', () => {
  const source = (id: string): AlertSource => ({
    id,
    name: `source ${id}`,
    integrationKey: `key-${id}`,
    integrationType: 'API',
    active: true,
    alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
    alertPriorityRule: 'HIGH',
    createdAt: '2025-01-01T00:00:00.000Z',
    updatedAt: '2025-01-01T00:00:00.000Z',
  });

  let now: number;
  const clock = () => now;
  beforeEach(() => {
    now = 1_000_000;
  });

  it('serves a hit within the TTL without calling the loader', async () => {
    const cache = new SourceCache(1000, clock);
    const load = jest.fn(async () => source('1'));
    await expect(cache.get('k', load)).resolves.toEqual(source('1'));
    now += 999;
    await expect(cache.get('k', load)).resolves.toEqual(source('1'));
    expect(load).toHaveBeenCalledTimes(1);
    expect(load).toHaveBeenCalledWith('k');
  });

  it('reloads after the TTL and serves the fresh value', async () => {
    const cache = new SourceCache(1000, clock);
    const load = jest.fn().mockResolvedValueOnce(source('old')).mockResolvedValueOnce(source('new'));
    await cache.get('k', load);
    now += 1001;
    await expect(cache.get('k', load)).resolves.toEqual(source('new'));
    expect(load).toHaveBeenCalledTimes(2);
    // The fresh value is cached in turn.
    now += 500;
    await expect(cache.get('k', load)).resolves.toEqual(source('new'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('does not cache an unknown key, so a source created a moment later works at once', async () => {
    const cache = new SourceCache(60_000, clock);
    const load = jest.fn().mockResolvedValueOnce(undefined).mockResolvedValueOnce(source('1'));
    await expect(cache.get('k', load)).resolves.toBeUndefined();
    await expect(cache.get('k', load)).resolves.toEqual(source('1'));
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('forgets a source that is gone when it reloads', async () => {
    const cache = new SourceCache(1000, clock);
    const load = jest.fn().mockResolvedValueOnce(source('1')).mockResolvedValue(undefined);
    await cache.get('k', load);
    now += 2000;
    await expect(cache.get('k', load)).resolves.toBeUndefined();
    await expect(cache.get('k', load)).resolves.toBeUndefined();
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('keeps keys apart', async () => {
    const cache = new SourceCache(1000, clock);
    const load = jest.fn(async (key: string) => source(key));
    await expect(cache.get('a', load)).resolves.toEqual(source('a'));
    await expect(cache.get('b', load)).resolves.toEqual(source('b'));
    await expect(cache.get('a', load)).resolves.toEqual(source('a'));
    expect(load.mock.calls).toEqual([['a'], ['b']]);
  });

  it('with TTL 0 loads every time', async () => {
    const cache = new SourceCache(0, clock);
    const load = jest.fn(async () => source('1'));
    await cache.get('k', load);
    await cache.get('k', load);
    await cache.get('k', load);
    expect(load).toHaveBeenCalledTimes(3);
  });

  it('stays bounded: past maxEntries it starts over rather than growing', async () => {
    const cache = new SourceCache(60_000, clock, 2);
    const load = jest.fn(async (key: string) => source(key));
    await cache.get('a', load);
    await cache.get('b', load);
    await cache.get('c', load); // full: drops a and b
    await cache.get('c', load);
    await cache.get('a', load);
    expect(load.mock.calls).toEqual([['a'], ['b'], ['c'], ['a']]);
  });
});

describe('bearer tokens', () => {
  it.each([
    ['Bearer abc.def', 'abc.def'],
    ['bearer abc', 'abc'],
    ['BEARER abc', 'abc'],
    ['Bearer    spaced  ', 'spaced'],
  ])('reads %p as %p', (header, token) => {
    expect(bearerToken(header)).toBe(token);
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic dXNlcjpwYXNz', 'abc', 'Token abc', 'Bearer a b', 'xBearer abc'])('finds no token in %p', (header) => {
    expect(bearerToken(header)).toBeUndefined();
  });

  it('matches equal tokens only', () => {
    expect(tokensMatch('s3cret-token', 's3cret-token')).toBe(true);
    expect(tokensMatch('s3cret-token', 's3cret-tokeN')).toBe(false);
    expect(tokensMatch('s3cret', 's3cret-token')).toBe(false);
    expect(tokensMatch('', 's3cret-token')).toBe(false);
    expect(tokensMatch('ünïcode', 'ünïcode')).toBe(true);
  });
});

describe('local gateway routes (matchRoute)', () => {
  it.each([
    ['/api/events', 'POST /api/events'],
    ['/api/v1/events', 'POST /api/v1/events'],
    ['/api/events/', 'POST /api/events'],
  ])('POST %s goes to ingest with the body key', (path, routeKey) => {
    expect(matchRoute('POST', path)).toEqual({ handler: 'ingest', routeKey });
  });

  it.each([
    ['/api/events/abc123', 'POST /api/events/{id}', { id: 'abc123' }],
    ['/api/v1/events/abc123', 'POST /api/v1/events/{apiKey}', { apiKey: 'abc123' }],
    ['/api/events/a%20b%2Fc%3D', 'POST /api/events/{id}', { id: 'a b/c=' }],
    ['/api/events/%E0%A4%A', 'POST /api/events/{id}', { id: '%E0%A4%A' }],
  ])('POST %s goes to ingest with the path key', (path, routeKey, pathParameters) => {
    expect(matchRoute('POST', path)).toEqual({ handler: 'ingest', routeKey, pathParameters });
  });

  it.each([
    ['GET', '/api/events/01HZY0000000000000000000AA', 'GET /api/events/{id}', { id: '01HZY0000000000000000000AA' }],
    ['GET', '/api/v1/events/01HZY0000000000000000000AA', 'GET /api/v1/events/{apiKey}', { apiKey: '01HZY0000000000000000000AA' }],
    ['POST', '/api/alert-sources', 'POST /api/alert-sources', undefined],
    ['PUT', '/api/alerts/x/accept', 'PUT /api/alerts/{id}/accept', { id: 'x' }],
    ['DELETE', '/api/escalation-policies/ep-1', 'DELETE /api/escalation-policies/{id}', { id: 'ep-1' }],
  ])('%s %s goes to the api handler under its own route key', (method, path, routeKey, pathParameters) => {
    expect(matchRoute(method, path)).toEqual({ handler: 'api', routeKey, ...(pathParameters && { pathParameters }) });
  });

  it.each([
    ['GET', '/api/events', 'events'],
    ['POST', '/api/events/a/b/c', 'events/a/b/c'],
    ['DELETE', '/api/alerts', 'alerts'],
  ])("%s %s, no route, goes to the api handler's catch-all", (method, path, proxy) => {
    expect(matchRoute(method, path)).toEqual({ handler: 'api', routeKey: 'ANY /api/{proxy+}', pathParameters: { proxy } });
  });

  it.each(['/', '/health', '/api', '/apix/events', '/events', '/v1/api/events'])('%s is not routed', (path) => {
    expect(matchRoute('POST', path)).toBeUndefined();
    expect(matchRoute('GET', path)).toBeUndefined();
  });
});
