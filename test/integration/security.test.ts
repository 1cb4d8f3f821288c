// Security of the HTTP API on the local runtime: the admin token guards every management route (compared in constant time), an integration key reaches only its own alert source, errors never echo a secret, event bodies pollute no prototype.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
/** Source A and source B (the victim), and resources of B that the refused requests aim at. */
let a: { id: string; integrationKey: string };
let b: { id: string; integrationKey: string };
let victim: { policyId: string; alertId: string; eventId: string };
/** Resources the requests with the right token may change or delete, so that the victim stays as it was. */
let spare: { sourceId: string; policyId: string; acceptAlertId: string; resolveAlertId: string };

async function alertOf(integrationKey: string, alertKey: string) {
  const [record] = await client.send({ apiKey: integrationKey, eventType: 'ALERT', summary: `alert ${alertKey}`, alertKey });
  return record as { eventId: string; alertId: string };
}

beforeAll(async () => {
  rt = await startRuntimeProcess({ env: { SOURCE_CACHE_TTL_MS: '1000' } });
  client = clientFor(rt);
  const policy = await client.request('POST', '/api/escalation-policies', {
    body: { name: 'victim policy', escalationRules: [{ escalationTimeout: 0 }] },
  });
  const sparePolicy = await client.request('POST', '/api/escalation-policies', { body: { name: 'spare policy', escalationRules: [{ escalationTimeout: 5 }] } });
  a = await client.createSource({ name: 'source A' });
  b = await client.createSource({ name: 'source B', escalationPolicy: { id: policy.body.id } });
  const spareSource = await client.createSource({ name: 'spare source' });
  const shared = await alertOf(b.integrationKey, 'shared-key');
  victim = { policyId: policy.body.id, alertId: shared.alertId, eventId: shared.eventId };
  spare = {
    sourceId: spareSource.id,
    policyId: sparePolicy.body.id,
    acceptAlertId: (await alertOf(a.integrationKey, 'spare-accept')).alertId,
    resolveAlertId: (await alertOf(a.integrationKey, 'spare-resolve')).alertId,
  };
}, 120_000);
afterAll(() => rt?.stop());

/** Everything that must never appear in an answer that was not asked for it. */
const secrets = () => ({ adminToken: rt.adminToken, keyA: a.integrationKey, keyB: b.integrationKey });

async function call(
  method: string,
  path: string,
  options: { authorization?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> } = {},
) {
  const headers: Record<string, string> = { ...options.headers };
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  let body = options.raw;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const res = await fetch(`${rt.url}${path}`, { method, headers, body });
  const text = await res.text();
  return {
    status: res.status,
    text,
    headers: Object.fromEntries(res.headers),
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return undefined;
      }
    })(),
  };
}

/** The names of the secrets an answer contains (headers included): none expected. */
function echoed(answer: { text: string; headers: Record<string, string> }, extra: Record<string, string> = {}): string[] {
  const all = `${answer.text}\n${JSON.stringify(answer.headers)}`;
  return Object.entries({ ...secrets(), ...extra })
    .filter(([, secret]) => all.includes(secret))
    .map(([name]) => name);
}

interface Route {
  method: string;
  path: () => string;
  body?: unknown;
  /** The same route on a spare resource, for the request with the right token (default: the route itself). */
  control?: () => string;
  controlBody?: unknown;
}

const ROUTES: Route[] = [
  { method: 'GET', path: () => '/api/alert-sources' },
  { method: 'POST', path: () => '/api/alert-sources', body: { name: 'created by an intruder' }, controlBody: { name: 'created with the token' } },
  { method: 'GET', path: () => `/api/alert-sources/${b.id}` },
  {
    method: 'PUT',
    path: () => `/api/alert-sources/${b.id}`,
    body: { active: false, name: 'renamed by an intruder' },
    control: () => `/api/alert-sources/${spare.sourceId}`,
  },
  { method: 'DELETE', path: () => `/api/alert-sources/${b.id}`, control: () => `/api/alert-sources/${spare.sourceId}` },
  { method: 'GET', path: () => '/api/escalation-policies' },
  {
    method: 'POST',
    path: () => '/api/escalation-policies',
    body: { name: 'created by an intruder', escalationRules: [{ escalationTimeout: 0 }] },
    controlBody: { name: 'created with the token', escalationRules: [{ escalationTimeout: 0 }] },
  },
  { method: 'GET', path: () => `/api/escalation-policies/${victim.policyId}` },
  {
    method: 'PUT',
    path: () => `/api/escalation-policies/${victim.policyId}`,
    body: { name: 'renamed by an intruder' },
    control: () => `/api/escalation-policies/${spare.policyId}`,
  },
  { method: 'DELETE', path: () => `/api/escalation-policies/${victim.policyId}`, control: () => `/api/escalation-policies/${spare.policyId}` },
  { method: 'GET', path: () => '/api/alerts' },
  { method: 'GET', path: () => `/api/alerts?alertSourceId=${b.id}&status=PENDING,ACCEPTED&limit=10` },
  { method: 'GET', path: () => `/api/alerts/${victim.alertId}` },
  { method: 'GET', path: () => `/api/alerts/${victim.alertId}/log-entries` },
  { method: 'PUT', path: () => `/api/alerts/${victim.alertId}/accept`, control: () => `/api/alerts/${spare.acceptAlertId}/accept` },
  { method: 'PUT', path: () => `/api/alerts/${victim.alertId}/resolve`, control: () => `/api/alerts/${spare.resolveAlertId}/resolve` },
  { method: 'GET', path: () => `/api/events/${victim.eventId}` },
  { method: 'GET', path: () => '/api/v1/alerts' },
  { method: 'PUT', path: () => `/api/v1/alerts/${victim.alertId}/resolve`, control: () => `/api/v1/alerts/${spare.resolveAlertId}/resolve` },
  // Unknown management routes answer 401 too: no route discovery without the token.
  { method: 'GET', path: () => '/api/no-such-route' },
  { method: 'DELETE', path: () => '/api/events' },
];

/** A character of the token's alphabet (base64url) other than c. */
const other = (c: string) => (c === 'A' ? 'B' : 'A');

function badAuthorizations(): [string, string | undefined][] {
  const token = rt.adminToken;
  let sameLength: string;
  do sameLength = randomBytes(token.length).toString('base64url').slice(0, token.length);
  while (sameLength === token);
  const swapped = [...token].map((c) => (c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase())).join('');
  return [
    ['no Authorization header', undefined],
    ['Basic xyz', 'Basic xyz'],
    ['Basic with the token as password', `Basic ${Buffer.from(`admin:${token}`).toString('base64')}`],
    ['Bearer alone', 'Bearer'],
    ['a wrong token of the right length', `Bearer ${sameLength}`],
    ['the token with its first character changed', `Bearer ${other(token[0])}${token.slice(1)}`],
    ['the token with its last character changed', `Bearer ${token.slice(0, -1)}${other(token.at(-1)!)}`],
    ['the token without its last character', `Bearer ${token.slice(0, -1)}`],
    ['the token with an extra character', `Bearer ${token}x`],
    ['the token, a space and more', `Bearer ${token} x`],
    ['the token twice', `Bearer ${token} ${token}`],
    ['the token in swapped case', `Bearer ${swapped}`],
    ['the token without a scheme', token],
    ['the token under another scheme', `Token ${token}`],
    ['Bearer glued to the token', `Bearer${token}`],
    ["source A's integration key", `Bearer ${a.integrationKey}`],
    ["source B's integration key", `Bearer ${b.integrationKey}`],
  ];
}

describe('the admin token guards every management route', () => {
  it.each(ROUTES.map((r) => [r.method, r.path.toString().replace(/^\(\) => /, ''), r] as const))(
    '%s %s: 401 to a missing, malformed or wrong token; not 401 to the right one, whatever the scheme case',
    async (_m, _p, route) => {
      for (const [what, authorization] of badAuthorizations()) {
        const res = await call(route.method, route.path(), { authorization, body: route.body });
        const sent: Record<string, string> = authorization && authorization.length > 12 ? { sent: authorization.replace(/^\S+ /, '') } : {};
        expect({ what, status: res.status, body: res.json, echoed: echoed(res, sent) }).toEqual({
          what,
          status: 401,
          body: { status: 401, code: 'UNAUTHORIZED', message: expect.any(String) },
          echoed: [],
        });
      }
      // The right token opens the route (on a spare resource where it changes something): the 401s above were the token's doing.
      const scheme = route.method === 'GET' ? 'bearer' : 'BEARER';
      const res = await call(route.method, (route.control ?? route.path)(), {
        authorization: `${scheme} ${rt.adminToken}`,
        body: route.controlBody ?? route.body,
      });
      expect(res.status).not.toBe(401);
      expect(res.status).toBeLessThan(500);
    },
  );

  it('the refused requests changed nothing', async () => {
    const source = await client.request('GET', `/api/alert-sources/${b.id}`);
    expect(source.body).toMatchObject({ name: 'source B', active: true });
    const policy = await client.request('GET', `/api/escalation-policies/${victim.policyId}`);
    expect(policy.body.name).toBe('victim policy');
    const alert = await client.request('GET', `/api/alerts/${victim.alertId}`);
    expect(alert.body).toMatchObject({ status: 'PENDING', eventCount: 1 });
    const names = (await client.request('GET', '/api/alert-sources')).body.map((s: { name: string }) => s.name);
    expect(names).not.toContain('created by an intruder');
    const policies = (await client.request('GET', '/api/escalation-policies')).body.map((p: { name: string }) => p.name);
    expect(policies).not.toContain('created by an intruder');
  });

  it('takes the same time for a wrong token of the right length as for the right one (medians, within noise)', async () => {
    // A route that does no I/O after the token check (404: no such route), so what differs is the check alone.
    const path = '/api/timing-probe';
    const token = rt.adminToken;
    const variants = {
      right: `Bearer ${token}`,
      wrongFirst: `Bearer ${other(token[0])}${token.slice(1)}`,
      wrongLast: `Bearer ${token.slice(0, -1)}${other(token.at(-1)!)}`,
      wrongRandom: `Bearer ${randomBytes(token.length).toString('base64url').slice(0, token.length)}`,
    };
    const time = async (authorization: string) => {
      const started = performance.now();
      const res = await fetch(`${rt.url}${path}`, { headers: { authorization } });
      await res.text();
      return { ms: performance.now() - started, status: res.status };
    };
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
    let verdict: Record<string, unknown> = {};
    // A loaded CI machine can be noisy for a moment: a difference must show in each of three measurements to count.
    for (let attempt = 0; attempt < 3; attempt++) {
      const samples: Record<string, number[]> = { right: [], wrongFirst: [], wrongLast: [], wrongRandom: [] };
      for (let i = 0; i < 20; i++) for (const auth of Object.values(variants)) await time(auth); // warm-up
      const names = Object.keys(variants) as (keyof typeof variants)[];
      for (let i = 0; i < 200; i++) {
        for (let j = 0; j < names.length; j++) {
          const name = names[(i + j) % names.length]; // interleaved, in a rotating order
          const { ms, status } = await time(variants[name]);
          expect(status).toBe(name === 'right' ? 404 : 401);
          samples[name].push(ms);
        }
      }
      const medians = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
      const bound = Math.max(2, 0.3 * median(Object.values(samples).flat()));
      const spread = Math.max(...Object.values(medians)) - Math.min(...Object.values(medians));
      verdict = { medians, bound, withinNoise: spread < bound };
      console.log(`token timing, attempt ${attempt + 1}: ${JSON.stringify(verdict)}`);
      if (spread < bound) break;
    }
    expect(verdict.withinNoise).toBe(true);
  });
});

describe('an integration key reaches only its own alert source', () => {
  it("events with source A's key never touch source B's alert of the same alert key, whatever the URL form", async () => {
    const alertBefore = (await client.request('GET', `/api/alerts/${victim.alertId}`)).body;
    const logBefore = (await client.request('GET', `/api/alerts/${victim.alertId}/log-entries`)).body;
    expect(alertBefore).toMatchObject({ alertSourceId: b.id, alertKey: 'shared-key', status: 'PENDING', eventCount: 1 });

    const keyA = a.integrationKey;
    const sent = [
      [{ apiKey: keyA, eventType: 'ACCEPT', alertKey: 'shared-key' }, '/api/events'],
      [{ eventType: 'COMMENT', alertKey: 'SHARED-KEY', summary: 'from A' }, `/api/events/${keyA}`],
      // The path names the source; B's key in the body does not make it B's event.
      [{ apiKey: b.integrationKey, eventType: 'ALERT', summary: 'from A', alertKey: ' shared-key ' }, `/api/v1/events/${keyA}`],
      [{ integrationKey: keyA, eventType: 'ACCEPT', alertKey: 'shared-key' }, '/api/v1/events'],
      [{ apiKey: keyA, integrationKey: b.integrationKey, eventType: 'RESOLVE', alertKey: 'Shared-Key' }, '/api/events'],
    ] as const;
    const ids: string[] = [];
    for (const [body, path] of sent) {
      const res = await client.postEvent(body, path);
      expect(res.status).toBe(202);
      ids.push(res.body.eventId);
    }
    const records = await client.applied(ids);
    expect(records.map((r) => r.outcome)).toEqual(['NO_OPEN_ALERT', 'NO_OPEN_ALERT', 'CREATED', 'ACCEPTED', 'RESOLVED']);
    for (const record of records) {
      expect(record.alertSourceId).toBe(a.id);
      expect(record.alertId).not.toBe(victim.alertId);
    }
    const created = (await client.request('GET', `/api/alerts/${records[2].alertId}`)).body;
    expect(created).toMatchObject({ alertSourceId: a.id, status: 'RESOLVED' });

    expect((await client.request('GET', `/api/alerts/${victim.alertId}`)).body).toEqual(alertBefore);
    expect((await client.request('GET', `/api/alerts/${victim.alertId}/log-entries`)).body).toEqual(logBefore);
  });

  it('a key that differs from a real one by case, a prefix or a suffix names no alert source', async () => {
    const key = a.integrationKey;
    for (const variant of [key.toUpperCase(), key.toLowerCase(), key.slice(0, -1), `${key}x`, `x${key}`]) {
      if (variant === key) continue;
      expect((await client.postEvent({ apiKey: variant, eventType: 'ALERT', summary: 'variant' })).status).toBe(404);
      expect((await client.postEvent({ eventType: 'ALERT', summary: 'variant' }, `/api/events/${encodeURIComponent(variant)}`)).status).toBe(404);
    }
  });

  it("a deleted alert source's key stops working (within the source cache time)", async () => {
    const gone = await client.createSource({ name: 'to be deleted' });
    expect((await client.postEvent({ apiKey: gone.integrationKey, eventType: 'ALERT', summary: 'before' })).status).toBe(202);
    expect((await client.request('DELETE', `/api/alert-sources/${gone.id}`)).status).toBe(204);
    const deadline = Date.now() + 5000;
    let status = 202;
    while (status === 202 && Date.now() < deadline) {
      status = (await client.postEvent({ apiKey: gone.integrationKey, eventType: 'ALERT', summary: 'after' })).status;
      if (status === 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(404);
  });
});

describe('error answers never echo a secret', () => {
  let disabledKey: string;
  let limitedKey: string;
  beforeAll(async () => {
    disabledKey = (await client.createSource({ name: 'disabled', active: false })).integrationKey;
    limitedKey = (await client.createSource({ name: 'limited', rateLimitPerMinute: 1 })).integrationKey;
  });

  const json = { 'content-type': 'application/json' };
  const cases: [
    string,
    number,
    () => { method?: string; path: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string>; sent: string },
  ][] = [
    [
      'an unknown key in the body',
      404,
      () => ({ path: '/api/events', body: { apiKey: `${a.integrationKey}x`, eventType: 'ALERT', summary: 's' }, sent: `${a.integrationKey}x` }),
    ],
    [
      'an unknown key in the path',
      404,
      () => ({ path: `/api/events/${a.integrationKey}x`, body: { eventType: 'ALERT', summary: 's' }, sent: `${a.integrationKey}x` }),
    ],
    [
      'an unknown key in the v1 path',
      404,
      () => ({ path: `/api/v1/events/${a.integrationKey}y`, body: { eventType: 'ALERT', summary: 's' }, sent: `${a.integrationKey}y` }),
    ],
    [
      'a key over 255 characters',
      400,
      () => ({ path: '/api/events', body: { apiKey: a.integrationKey + 'k'.repeat(300), eventType: 'ALERT', summary: 's' }, sent: a.integrationKey }),
    ],
    [
      'an integrationKey over 255 characters',
      400,
      () => ({ path: '/api/events', body: { integrationKey: a.integrationKey.repeat(8), eventType: 'ALERT', summary: 's' }, sent: a.integrationKey }),
    ],
    [
      'a key inside an object',
      400,
      () => ({ path: '/api/events', body: { apiKey: { key: a.integrationKey }, eventType: 'ALERT', summary: 's' }, sent: a.integrationKey }),
    ],
    [
      'a key inside an array',
      400,
      () => ({ path: '/api/events', body: { apiKey: [a.integrationKey], eventType: 'ALERT', summary: 's' }, sent: a.integrationKey }),
    ],
    [
      'a valid key and every other field invalid, holding the key',
      400,
      () => ({
        path: '/api/events',
        body: {
          apiKey: a.integrationKey,
          eventType: a.integrationKey,
          priority: a.integrationKey,
          summary: a.integrationKey.repeat(40),
          alertKey: a.integrationKey.repeat(10),
          routingKey: a.integrationKey.repeat(10),
          details: 5,
          customDetails: a.integrationKey,
          images: [{ src: a.integrationKey }],
          links: [{ href: `javascript:${a.integrationKey}` }],
        },
        sent: a.integrationKey,
      }),
    ],
    ['a valid key and no eventType', 400, () => ({ path: '/api/events', body: { apiKey: a.integrationKey }, sent: a.integrationKey })],
    [
      'a key in the path and invalid JSON',
      400,
      () => ({ path: `/api/events/${a.integrationKey}`, raw: `{"apiKey":"${a.integrationKey}"`, headers: json, sent: a.integrationKey }),
    ],
    [
      'a key in the path and a JSON array',
      400,
      () => ({ path: `/api/events/${a.integrationKey}`, raw: `["${a.integrationKey}"]`, headers: json, sent: a.integrationKey }),
    ],
    [
      'a key in the path and text/plain',
      415,
      () => ({
        path: `/api/events/${a.integrationKey}`,
        raw: `{"apiKey":"${a.integrationKey}"}`,
        headers: { 'content-type': 'text/plain' },
        sent: a.integrationKey,
      }),
    ],
    [
      'a key in the path and 300 KiB',
      413,
      () => ({
        path: `/api/events/${a.integrationKey}`,
        body: { apiKey: a.integrationKey, eventType: 'ALERT', summary: 's', customDetails: { pad: a.integrationKey.repeat(7000) } },
        sent: a.integrationKey,
      }),
    ],
    [
      'a key in the query string only',
      400,
      () => ({ path: `/api/events?apiKey=${a.integrationKey}`, body: { eventType: 'ALERT', summary: 's' }, sent: a.integrationKey }),
    ],
    [
      'an Idempotency-Key holding the key',
      400,
      () => ({
        path: '/api/events',
        body: { apiKey: a.integrationKey, eventType: 'ALERT', summary: 's' },
        headers: { 'idempotency-key': `${a.integrationKey} x` },
        sent: a.integrationKey,
      }),
    ],
    ['a disabled alert source', 403, () => ({ path: '/api/events', body: { apiKey: disabledKey, eventType: 'ALERT', summary: 's' }, sent: disabledKey })],
    [
      'a management request without the token, to a path holding a key',
      401,
      () => ({ method: 'GET', path: `/api/events/${b.integrationKey}`, sent: b.integrationKey }),
    ],
    [
      'an alert source with a name over 255 characters holding the token',
      400,
      () => ({
        path: '/api/alert-sources',
        headers: { authorization: `Bearer ${rt.adminToken}` },
        body: { name: rt.adminToken.repeat(12) },
        sent: rt.adminToken,
      }),
    ],
    [
      'an alert source with a key as its integration type',
      400,
      () => ({
        path: '/api/alert-sources',
        headers: { authorization: `Bearer ${rt.adminToken}` },
        body: { name: 'n', integrationType: a.integrationKey, alertCreation: a.integrationKey },
        sent: a.integrationKey,
      }),
    ],
  ];

  it.each(cases)('%s: %i without the secret', async (_what, status, make) => {
    const { method = 'POST', path, body, raw, headers, sent } = make();
    const res = await call(method, path, { body, raw, headers });
    expect({ status: res.status, code: typeof res.json?.code, echoed: echoed(res, { sent }) }).toEqual({ status, code: 'string', echoed: [] });
  });

  it('a rate-limited source: 429 without the key', async () => {
    const event = { apiKey: limitedKey, eventType: 'ALERT', summary: 's' };
    expect((await client.postEvent(event)).status).toBe(202);
    const res = await call('POST', '/api/events', { body: event });
    expect({ status: res.status, echoed: echoed(res, { limitedKey }) }).toEqual({ status: 429, echoed: [] });
  });

  it('the management API does not echo a key or the token put in an unknown path', async () => {
    // Only the admin sees these answers; but error texts end up in logs, proxies and tickets, so they should not carry secrets.
    const auth = { authorization: `Bearer ${rt.adminToken}` };
    const answers = [
      await call('GET', `/api/alert-sources/${a.id}/${a.integrationKey}`, auth),
      await call('DELETE', `/api/events/${a.integrationKey}`, auth),
      await call('GET', `/api/${rt.adminToken}`, auth),
    ];
    expect(answers.map((r) => ({ status: r.status, echoed: echoed(r) }))).toEqual([
      { status: 404, echoed: [] },
      { status: 405, echoed: [] },
      { status: 404, echoed: [] },
    ]);
  });
});

describe('event bodies pollute no prototype', () => {
  it('__proto__, constructor and prototype keys are data: the server reads later bodies and settings without inherited values', async () => {
    const payload = `{"polluted":"yes","apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"polluted","name":"polluted","active":false,"integrationType":"GRAFANA","alertPriorityRule":"LOW","rateLimitPerMinute":1}`;
    const bodies = [
      `{"__proto__":${payload},"apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"top-level __proto__"}`,
      `{"constructor":{"prototype":${payload}},"apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"top-level constructor.prototype"}`,
      `{"apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"customDetails","alertKey":"proto-own-keys","customDetails":{"__proto__":${payload},"constructor":{"prototype":${payload}},"prototype":${payload}}}`,
      `{"apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"images","images":[{"src":"https://example.com/a.png","__proto__":${payload}}],"links":[{"href":"https://example.com","constructor":{"prototype":${payload}}}]}`,
      `{"apiKey":"${a.integrationKey}","eventType":"ALERT","summary":"duplicate","__proto__":{"a":1},"__proto__":${payload}}`,
    ];
    const ids: string[] = [];
    for (const raw of bodies) {
      const res = await client.request('POST', '/api/events', { raw, headers: { 'content-type': 'application/json' }, token: null });
      expect(res.status).toBe(202);
      ids.push(res.body.eventId);
    }
    const records = await client.applied(ids);
    expect(records.map((r) => r.outcome)).toEqual(records.map(() => expect.stringMatching(/^(CREATED|APPENDED)$/)));

    // Stored and read back as own keys.
    const alert = JSON.parse(
      await fetch(`${rt.url}/api/alerts/${records[2].alertId}`, { headers: { authorization: `Bearer ${rt.adminToken}` } }).then((r) => r.text()),
    );
    expect(Object.keys(alert.customDetails)).toEqual(['__proto__', 'constructor', 'prototype']);
    expect(Object.getPrototypeOf(alert.customDetails)).toBe(Object.prototype);
    expect(alert.customDetails.__proto__).toEqual(JSON.parse(payload));

    // Had the server's Object.prototype gained these fields, each of these would have been accepted or changed.
    const noKey = await client.postEvent({ eventType: 'ALERT', summary: 'no key' });
    expect(noKey.status).toBe(400);
    const noType = await client.postEvent({ apiKey: a.integrationKey });
    expect(noType.status).toBe(400);
    expect((await client.request('POST', '/api/alert-sources', { body: {} })).status).toBe(400);
    const fresh = await client.createSource({ name: 'after pollution attempts' });
    expect(fresh).toMatchObject({ integrationType: 'API', active: true, alertPriorityRule: 'HIGH', rateLimitPerMinute: 1000 });
    expect(fresh).not.toHaveProperty('polluted');
    const later = await client.send({ apiKey: fresh.integrationKey, eventType: 'ALERT', summary: 'after' });
    expect((await client.request('GET', `/api/alerts/${later[0].alertId}`)).body).toMatchObject({ priority: 'HIGH', customDetails: {} });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
