// Action links through the API handler on in-memory stores: GET shows and changes nothing, POST acts as the link's user, refusals.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { signActionToken } from '../../lambdas/domain/action-token';
import { createApiHandler } from '../../lambdas/handlers/api';
import { lambdaContext } from '../../local/lambda-context';
import { fixedHost, MemoryAlerts, MemoryEvents, MemoryPolicies, MemorySources, MemoryUsers } from './support/memory-stores';

const SECRET = 'action-secret-for-tests';
const NOW = Date.parse('2025-01-15T09:30:00.000Z');
const HOUR = 3600_000;

function setup() {
  const stores = {
    sources: new MemorySources(),
    policies: new MemoryPolicies(),
    users: new MemoryUsers(),
    alerts: new MemoryAlerts(),
    events: new MemoryEvents(),
  };
  let now = NOW;
  const handler = createApiHandler(
    { tableName: 'unused', adminToken: { token: 'admin-token' }, actionSecret: { value: SECRET } },
    { ...stores, host: fixedHost(), logger: new Logger({ logLevel: 'SILENT' }), clock: () => now },
  );
  stores.alerts.add({ id: 'alert-1', summary: 'Disk <b>full</b>' });
  const user = { id: 'user-1', firstName: 'Uma', lastName: 'Oncall', contacts: [], createdAt: 't', updatedAt: 't' };
  stores.users.items.set(user.id, user);
  /** A request without any Authorization header, as a browser or a mail client sends it. */
  async function call(method: 'GET' | 'POST', token: string) {
    const rawPath = `/api/actions/${token}`;
    const event = {
      version: '2.0',
      routeKey: `${method} /api/actions/{token}`,
      rawPath,
      rawQueryString: '',
      headers: method === 'POST' ? { 'content-type': 'application/x-www-form-urlencoded' } : {},
      pathParameters: { token },
      requestContext: { http: { method, path: rawPath }, routeKey: `${method} /api/actions/{token}` },
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = await handler(event, lambdaContext('api'));
    const type = String(res.headers?.['content-type']);
    return { status: res.statusCode, type, body: type.startsWith('application/json') ? JSON.parse(res.body ?? '') : res.body, headers: res.headers ?? {} };
  }
  const token = (action: 'accept' | 'resolve' = 'accept', userId = user.id) =>
    signActionToken(SECRET, { alertId: 'alert-1', action, userId, channel: 'WEBHOOK' }, NOW);
  return { ...stores, call, token, setNow: (ms: number) => (now = ms) };
}

describe('action links', () => {
  it('GET answers the confirm page, escaped, posting back to itself, and changes nothing', async () => {
    const t = setup();
    const page = await t.call('GET', t.token());
    expect(page.status).toBe(200);
    expect(page.type).toMatch(/^text\/html/);
    expect(page.body).toContain('<form method="post">');
    expect(page.body).toContain('Disk &lt;b&gt;full&lt;/b&gt;');
    expect(page.body).toContain('Uma Oncall');
    expect(page.headers).toMatchObject({ 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect((await t.alerts.get('alert-1'))?.status).toBe('PENDING');
    expect(t.alerts.log).toEqual([]);
  });

  it("POST accepts as the link's user, the log naming the user and the channel, without an admin token", async () => {
    const t = setup();
    const done = await t.call('POST', t.token());
    expect(done).toMatchObject({ status: 200, body: { alertId: 'alert-1', action: 'accept', status: 'ACCEPTED' } });
    expect(t.alerts.log.map(({ type, text }) => ({ type, text }))).toEqual([{ type: 'ACCEPTED', text: 'Alert accepted by Uma Oncall via webhook link' }]);
    // Once more: the alert is already accepted, nothing is logged again.
    expect(await t.call('POST', t.token())).toMatchObject({ status: 200, body: { status: 'ACCEPTED' } });
    expect(t.alerts.log).toHaveLength(1);
    expect(await t.call('POST', t.token('resolve'))).toMatchObject({ status: 200, body: { action: 'resolve', status: 'RESOLVED' } });
    expect(await t.call('POST', t.token('accept'))).toMatchObject({ status: 409, body: { code: 'INVALID_STATE' } });
  });

  it('refuses an altered or malformed token with 401 and an expired one with 410, changing nothing', async () => {
    const t = setup();
    const good = t.token();
    const [payload, signature] = good.split('.');
    const otherAlert = Buffer.from(Buffer.from(payload, 'base64url').toString().replace('alert-1', 'alert-2')).toString('base64url');
    for (const bad of [`${otherAlert}.${signature}`, `${payload}.${signature.slice(0, -2)}AA`, 'not-a-token', `${payload}.`]) {
      expect(await t.call('POST', bad)).toMatchObject({ status: 401, body: { code: 'INVALID_ACTION_LINK' } });
      expect(await t.call('GET', bad)).toMatchObject({ status: 401, type: expect.stringMatching(/^text\/html/) });
    }
    t.setNow(NOW + 24 * HOUR + 1000);
    expect(await t.call('POST', good)).toMatchObject({ status: 410, body: { code: 'ACTION_LINK_EXPIRED' } });
    expect(await t.call('GET', good)).toMatchObject({ status: 410, type: expect.stringMatching(/^text\/html/) });
    expect((await t.alerts.get('alert-1'))?.status).toBe('PENDING');
    expect(t.alerts.log).toEqual([]);
  });

  it('refuses the link of a deleted user with 410, and a link to a deleted alert with 404', async () => {
    const t = setup();
    expect(await t.call('POST', t.token('accept', 'user-gone'))).toMatchObject({ status: 410, body: { code: 'ACTION_LINK_EXPIRED' } });
    t.alerts.items.delete('alert-1');
    expect(await t.call('POST', t.token())).toMatchObject({ status: 404, body: { code: 'NOT_FOUND' } });
    expect(await t.call('GET', t.token())).toMatchObject({ status: 404, type: expect.stringMatching(/^text\/html/) });
  });
});
