// The API handler on in-memory stores: routing by API Gateway's route key or, under the catch-all, by path (every
// contract route has its handler), the admin token, and each use case's refusal as its status, code and message.
import { Logger } from '@aws-lambda-powertools/logger';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { MANAGEMENT_ALIASES, ROUTES, routeKey } from '../../lambdas/contract';
import { createApiHandler } from '../../lambdas/handlers/api';
import { Unavailable } from '../../lambdas/store/errors';
import { lambdaContext } from '../../local/lambda-context';
import { fixedHost, MemoryAlerts, MemoryEvents, MemoryPolicies, MemorySources, MemoryUsers } from './support/memory-stores';
import { memoryTimed } from './support/memory-timed';

const TOKEN = 'admin-token-for-tests';
const CATCH_ALL = 'ANY /api/{proxy+}';

function setup() {
  const stores = {
    sources: new MemorySources(),
    policies: new MemoryPolicies(),
    users: new MemoryUsers(),
    alerts: new MemoryAlerts(),
    events: new MemoryEvents(),
  };
  const logged: unknown[] = [];
  const logger = new Logger({ logLevel: 'SILENT' });
  jest.spyOn(logger, 'error').mockImplementation((...args: unknown[]) => void logged.push(args[1]));
  const host = fixedHost();
  const handler = createApiHandler(
    { tableName: 'unused', adminToken: { token: TOKEN }, actionSecret: { value: 'action-secret-for-tests' } },
    { ...stores, host, logger, timed: memoryTimed(stores.sources, host) },
  );
  /** A request as API Gateway hands it over: `key` is the route key it matched (the catch-all by default). */
  async function call(
    method: string,
    path: string,
    options: { key?: string; body?: unknown; token?: string | null; pathParameters?: Record<string, string> } = {},
  ) {
    const [rawPath, rawQueryString = ''] = path.split('?');
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (options.token !== null) headers.authorization = `Bearer ${options.token ?? TOKEN}`;
    const event = {
      version: '2.0',
      routeKey: options.key ?? CATCH_ALL,
      rawPath,
      rawQueryString,
      headers,
      queryStringParameters: rawQueryString ? Object.fromEntries(new URLSearchParams(rawQueryString)) : undefined,
      pathParameters: options.pathParameters ?? (options.key ? undefined : { proxy: rawPath.slice('/api/'.length) }),
      requestContext: { http: { method, path: rawPath }, routeKey: options.key ?? CATCH_ALL },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEventV2;
    const res = await handler(event, lambdaContext('api'));
    const isHtml = String(res.headers?.['content-type']).startsWith('text/html');
    return { status: res.statusCode, body: res.body ? (isHtml ? res.body : JSON.parse(res.body)) : undefined, headers: res.headers };
  }
  return { ...stores, call, logged };
}

const apiRoutes = ROUTES.filter((r) => r.function === 'api');
/** A concrete path for a template: every variable an id nothing has. */
const pathOf = (template: string) => template.replace(/\{\w+\}/g, 'missing');

describe('routing', () => {
  it.each(apiRoutes.map((r) => [routeKey(r)]))('%s has a handler, by its route key and under the catch-all', async (key) => {
    const { call } = setup();
    const [method, template] = key.split(' ');
    const body = method === 'POST' || method === 'PUT' ? {} : undefined;
    for (const options of [{ key, body }, { body }]) {
      const { status, body: answer } = await call(method, pathOf(template), options);
      // An action link's token is its credential: "missing" is no token.
      expect(template.startsWith('/api/actions/') ? [401] : [200, 400, 404]).toContain(status);
      if (status === 404) expect(answer.message).toMatch(/^(Alert|Alert source|Escalation policy|Event|User|Heartbeat monitor|Maintenance window) not found$/);
    }
  });

  it.each(MANAGEMENT_ALIASES.map((a) => [routeKey(a), a]))('the alias %s answers as its route', async (_key, alias) => {
    const { call, alerts, events } = setup();
    alerts.add({ id: 'missing' });
    events.items.set('missing', { eventId: 'missing', alertSourceId: 's', eventType: 'ALERT', alertKey: 'k', receivedAt: 't', outcome: 'QUEUED' });
    const [method] = routeKey(alias).split(' ');
    const path = pathOf(alias.path);
    const direct = await call(method, pathOf(alias.aliasOf.path), { key: routeKey(alias.aliasOf), body: method === 'GET' ? undefined : {} });
    const viaAlias = await call(method, path, { key: routeKey(alias), body: method === 'GET' ? undefined : {} });
    const viaCatchAll = await call(method, path, { body: method === 'GET' ? undefined : {} });
    for (const answer of [viaAlias, viaCatchAll])
      expect({ status: answer.status, code: answer.body?.code }).toEqual({ status: direct.status, code: direct.body?.code });
  });

  it('reads the path parameter under its route key and under the catch-all alike', async () => {
    const { call, alerts } = setup();
    alerts.add({ id: 'a 1' });
    const byKey = await call('GET', '/api/alerts/a%201', { key: 'GET /api/alerts/{id}', pathParameters: { id: 'a 1' } });
    const byPath = await call('GET', '/api/alerts/a%201');
    expect(byKey).toMatchObject({ status: 200, body: { id: 'a 1' } });
    expect(byPath).toMatchObject({ status: 200, body: { id: 'a 1' } });
  });

  it('answers 404 NOT_FOUND for no route and 405 METHOD_NOT_ALLOWED for a route of another method, both after the token', async () => {
    const { call } = setup();
    expect(await call('GET', '/api/nothing-here')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'No such route' } });
    expect(await call('PATCH', '/api/alerts/a1')).toMatchObject({
      status: 405,
      body: { code: 'METHOD_NOT_ALLOWED', message: 'PATCH is not allowed on this route' },
    });
    for (const path of ['/api/nothing-here', '/api/alerts/a1', '/api/alerts']) {
      expect(await call('DELETE', path, { token: null })).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
      expect(await call('GET', path, { token: 'wrong' })).toMatchObject({ status: 401, body: { code: 'UNAUTHORIZED' } });
    }
  });

  it('serves the OpenAPI document without a token, and only on its exact path', async () => {
    const { call } = setup();
    const doc = await call('GET', '/api/openapi.json', { token: null });
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toMatch(/^3\./);
    expect((await call('GET', '/api/openapiXjson', { token: null })).status).toBe(401);
    expect((await call('POST', '/api/openapi.json', { token: null })).status).toBe(401);
  });

  it('answers 400 INVALID_PATH for a malformed escape and 404 for an id longer than any id', async () => {
    const { call } = setup();
    for (const key of [undefined, 'GET /api/alerts/{id}']) {
      expect(await call('GET', '/api/alerts/%E0%A4%A', { key })).toMatchObject({ status: 400, body: { code: 'INVALID_PATH' } });
      expect(await call('GET', `/api/alerts/${'a'.repeat(256)}`, { key })).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'Not found' } });
    }
  });
});

describe('answers', () => {
  it('maps each refusal of a use case to its status, code, message and field errors', async () => {
    const { call } = setup();
    const policy = (await call('POST', '/api/escalation-policies', { body: { name: 'Ops', routingKey: 'db', escalationRules: [{ escalationTimeout: 0 }] } }))
      .body;
    const source = await call('POST', '/api/alert-sources', { body: { name: 'Grafana', escalationPolicy: { id: policy.id } } });
    expect(source).toMatchObject({ status: 201, headers: { location: `/api/alert-sources/${source.body.id}` }, body: { apiKey: source.body.integrationKey } });
    expect(await call('DELETE', `/api/escalation-policies/${policy.id}`)).toMatchObject({ status: 409, body: { status: 409, code: 'POLICY_IN_USE' } });
    expect(
      await call('POST', '/api/escalation-policies', { body: { name: 'Other', routingKey: 'db', escalationRules: [{ escalationTimeout: 0 }] } }),
    ).toMatchObject({
      status: 409,
      body: { code: 'ROUTING_KEY_TAKEN', errors: [{ path: 'routingKey' }] },
    });
    expect(await call('POST', '/api/alert-sources', { body: { name: 'x', escalationPolicy: { id: 'gone' } } })).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', errors: [{ path: 'escalationPolicy.id' }] },
    });
    expect(await call('GET', '/api/alert-sources/nope')).toMatchObject({ status: 404, body: { code: 'NOT_FOUND', message: 'Alert source not found' } });
    expect(await call('DELETE', `/api/alert-sources/${source.body.id}`)).toMatchObject({ status: 204 });
    expect(await call('GET', '/api/alerts?nextCursor=altered')).toMatchObject({
      status: 400,
      body: { code: 'INVALID_CURSOR', errors: [{ path: 'nextCursor' }] },
    });
    expect(await call('GET', '/api/alerts?limit=0&status=open')).toMatchObject({
      status: 400,
      body: { code: 'VALIDATION_FAILED', message: 'Invalid query parameters', errors: [{ path: 'status' }, { path: 'limit' }] },
    });
  });

  it('accepts an alert through PUT and refuses to accept a resolved one', async () => {
    const { call, alerts } = setup();
    alerts.add({ id: 'a1' });
    alerts.add({ id: 'a2', status: 'RESOLVED' });
    expect(await call('PUT', '/api/v1/alerts/a1/accept', { key: 'PUT /api/v1/alerts/{id}/accept' })).toMatchObject({
      status: 200,
      body: { status: 'ACCEPTED' },
    });
    expect(await call('PUT', '/api/alerts/a2/accept')).toMatchObject({
      status: 409,
      body: { code: 'INVALID_STATE', message: 'a resolved alert cannot be accepted' },
    });
  });

  it('answers 503 with Retry-After when the store is unavailable, and logs it', async () => {
    const { call, sources, logged } = setup();
    const outage = new Unavailable('timed out');
    sources.list = () => Promise.reject(outage);
    expect(await call('GET', '/api/alert-sources')).toMatchObject({ status: 503, headers: { 'retry-after': '1' }, body: { code: 'STORE_UNAVAILABLE' } });
    expect(logged).toEqual([outage]);
  });
});
