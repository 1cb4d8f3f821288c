// Escalation policies over HTTP: CRUD, validation, the unique routing key, policies in use, alert sources naming them or limiting the routing keys their events follow, the demo policy.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { createDocumentClient } from '../../lambdas/store/client';
import { EscalationPolicyStore } from '../../lambdas/store/escalation-policies';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

const unique = (prefix: string) => `${prefix}-${Math.random().toString(36).slice(2, 10)}`;
const RULES = [{ escalationTimeout: 0 }, { escalationTimeout: 15, schedules: [{ id: 's-1' }] }];

async function createPolicy(fields: Record<string, unknown> = {}) {
  const res = await client.request('POST', '/api/escalation-policies', { body: { name: unique('policy'), escalationRules: RULES, ...fields } });
  if (res.status !== 201) throw new Error(`could not create an escalation policy: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; routingKey?: string } & Record<string, any>;
}

const put = (id: string, body: unknown) => client.request('PUT', `/api/escalation-policies/${id}`, { body });
const post = (body: unknown) => client.request('POST', '/api/escalation-policies', { body });
const get = (id: string) => client.request('GET', `/api/escalation-policies/${id}`);
const del = (id: string) => client.request('DELETE', `/api/escalation-policies/${id}`);

it.each([
  ['GET', '/api/escalation-policies'],
  ['POST', '/api/escalation-policies'],
  ['GET', '/api/escalation-policies/some-id'],
  ['PUT', '/api/escalation-policies/some-id'],
  ['DELETE', '/api/escalation-policies/some-id'],
])('guards %s %s with the admin token: 401 without or with a wrong one', async (method, path) => {
  for (const headers of [{}, { authorization: `Bearer ${rt.adminToken}x` }] as Record<string, string>[]) {
    const body = method === 'GET' ? undefined : { name: 'x', escalationRules: RULES };
    const res = await client.request(method, path, { token: null, headers, body });
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
  }
});

it('creates, reads, lists newest first, updates and deletes a policy', async () => {
  const routingKey = unique('db-team');
  const created = await post({ name: 'Database team', routingKey: ` ${routingKey} `, escalationRules: RULES, repeating: true, frequency: 3, color: 'red' });
  expect(created.status).toBe(201);
  const policy = created.body;
  expect(policy).toEqual({
    id: expect.any(String),
    name: 'Database team',
    routingKey,
    escalationRules: RULES,
    repeating: true,
    frequency: 3,
    createdAt: expect.any(String),
    updatedAt: policy.createdAt,
  });
  expect(created.headers.get('location')).toBe(`/api/escalation-policies/${policy.id}`);
  expect((await get(policy.id)).body).toEqual(policy);

  const newer = await createPolicy();
  const list = (await client.request('GET', '/api/escalation-policies')).body.map((p: any) => p.id);
  expect(list.indexOf(newer.id)).toBeGreaterThanOrEqual(0);
  expect(list.indexOf(newer.id)).toBeLessThan(list.indexOf(policy.id));

  const updated = await put(policy.id, { name: 'Database team (EU)', escalationRules: [{ escalationTimeout: 525_600 }] });
  expect(updated.status).toBe(200);
  expect(updated.body).toMatchObject({ id: policy.id, name: 'Database team (EU)', routingKey, repeating: true, frequency: 3, createdAt: policy.createdAt });
  expect(updated.body.escalationRules).toEqual([{ escalationTimeout: 525_600 }]);
  expect(updated.body.updatedAt >= policy.updatedAt).toBe(true);
  expect((await get(policy.id)).body).toEqual(updated.body);

  expect((await del(policy.id)).status).toBe(204);
  expect((await get(policy.id)).status).toBe(404);
  expect((await del(policy.id)).status).toBe(404);
  expect((await put(policy.id, { name: 'x' })).status).toBe(404);
  // Deleting the policy freed its routing key.
  expect((await createPolicy({ routingKey })).routingKey).toBe(routingKey);
});

it('refuses invalid bodies with 400 naming every bad field, on create and on update', async () => {
  const bad = await post({ name: '', escalationRules: [{ escalationTimeout: -1 }, { escalationTimeout: 1.5 }], frequency: 10, repeating: 'no' });
  expect(bad.status).toBe(400);
  expect(bad.body).toMatchObject({ status: 400, code: 'VALIDATION_FAILED', message: expect.stringContaining('frequency') });
  expect(bad.body.errors).toEqual(
    expect.arrayContaining([
      { path: 'name', message: 'must not be empty' },
      { path: 'escalationRules.0.escalationTimeout', message: 'must be at least 0' },
      { path: 'escalationRules.1.escalationTimeout', message: 'must be an integer' },
      { path: 'frequency', message: 'must be at most 9' },
      { path: 'repeating', message: 'must be a boolean' },
    ]),
  );
  expect(bad.body.errors).toHaveLength(5);
  expect((await post({ name: 'no rules' })).body.errors).toEqual([{ path: 'escalationRules', message: 'is required' }]);
  expect((await post({ name: 'empty rules', escalationRules: [] })).body.errors[0].path).toBe('escalationRules');
  expect((await post([1, 2])).body.code).toBe('INVALID_BODY');

  const policy = await createPolicy({ frequency: 2 });
  const badUpdate = await put(policy.id, { escalationRules: [], frequency: 0 });
  expect(badUpdate.status).toBe(400);
  expect(badUpdate.body.errors.map((e: any) => e.path).sort()).toEqual(['escalationRules', 'frequency']);
  expect((await get(policy.id)).body).toEqual(policy);
});

it('keeps routing keys unique: 409 ROUTING_KEY_TAKEN on create and on update, the loser unchanged', async () => {
  const routingKey = unique('payments');
  const owner = await createPolicy({ routingKey });
  const clash = await post({ name: 'other', routingKey: `  ${routingKey}`, escalationRules: RULES });
  expect(clash.status).toBe(409);
  expect(clash.body).toMatchObject({ status: 409, code: 'ROUTING_KEY_TAKEN', errors: [{ path: 'routingKey', message: expect.any(String) }] });

  const other = await createPolicy({ routingKey: unique('other') });
  const clashOnUpdate = await put(other.id, { routingKey, name: 'renamed' });
  expect(clashOnUpdate.status).toBe(409);
  expect(clashOnUpdate.body).toMatchObject({ code: 'ROUTING_KEY_TAKEN', errors: [{ path: 'routingKey' }] });
  expect((await get(other.id)).body).toEqual(other);
  const withoutKey = await createPolicy();
  expect((await put(withoutKey.id, { routingKey })).status).toBe(409);
  expect((await get(owner.id)).body.routingKey).toBe(routingKey);
});

it('gives a routing key to exactly one of several policies created at once', async () => {
  const routingKey = unique('race');
  const results = await Promise.all(Array.from({ length: 6 }, (_, i) => post({ name: `racer ${i}`, routingKey, escalationRules: RULES })));
  expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409, 409]);
});

it('moves a routing key on update and frees the old one; null removes it', async () => {
  const [a, b] = [unique('a'), unique('b')];
  const policy = await createPolicy({ routingKey: a });
  const moved = await put(policy.id, { routingKey: b });
  expect(moved.status).toBe(200);
  expect(moved.body.routingKey).toBe(b);
  expect((await createPolicy({ routingKey: a })).routingKey).toBe(a);
  expect((await post({ name: 'x', routingKey: b, escalationRules: RULES })).status).toBe(409);
  // Same key, other fields: the policy keeps its claim.
  expect((await put(policy.id, { routingKey: b, frequency: 4 })).body).toMatchObject({ routingKey: b, frequency: 4 });
  expect((await post({ name: 'x', routingKey: b, escalationRules: RULES })).status).toBe(409);

  const cleared = await put(policy.id, { routingKey: null });
  expect(cleared.status).toBe(200);
  expect(cleared.body).not.toHaveProperty('routingKey');
  expect((await get(policy.id)).body).not.toHaveProperty('routingKey');
  expect((await createPolicy({ routingKey: b })).routingKey).toBe(b);
  // A policy without routing key can take one later.
  const c = unique('c');
  expect((await put(policy.id, { routingKey: c })).body.routingKey).toBe(c);
  expect((await post({ name: 'x', routingKey: c, escalationRules: RULES })).status).toBe(409);
});

it('lets alert sources name only existing policies, and refuses to delete a policy in use', async () => {
  const unknown = await client.request('POST', '/api/alert-sources', { body: { name: 'src', escalationPolicy: { id: 'no-such-policy' } } });
  expect(unknown.status).toBe(400);
  expect(unknown.body).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ path: 'escalationPolicy.id', message: expect.any(String) }] });

  const policy = await createPolicy({ routingKey: unique('in-use') });
  const source = await client.createSource({ escalationPolicy: { id: policy.id } });
  expect(source.escalationPolicy).toEqual({ id: policy.id });
  const badUpdate = await client.request('PUT', `/api/alert-sources/${source.id}`, { body: { escalationPolicy: { id: 'gone' } } });
  expect(badUpdate.status).toBe(400);
  expect(badUpdate.body.errors).toEqual([{ path: 'escalationPolicy.id', message: expect.any(String) }]);
  expect((await client.request('GET', `/api/alert-sources/${source.id}`)).body.escalationPolicy).toEqual({ id: policy.id });

  const inUse = await del(policy.id);
  expect(inUse.status).toBe(409);
  expect(inUse.body).toMatchObject({ status: 409, code: 'POLICY_IN_USE', message: expect.stringContaining(source.id) });
  expect((await get(policy.id)).status).toBe(200);

  const released = await client.request('PUT', `/api/alert-sources/${source.id}`, { body: { escalationPolicy: null } });
  expect(released.status).toBe(200);
  expect(released.body).not.toHaveProperty('escalationPolicy');
  expect((await del(policy.id)).status).toBe(204);
  expect((await createPolicy({ routingKey: policy.routingKey })).routingKey).toBe(policy.routingKey);
});

it('gives the demo alert source the demo escalation policy, which holds the routing key demo-team', async () => {
  const demo = (await client.request('GET', '/api/alert-sources')).body.find((s: any) => s.name === 'Demo alert source');
  expect(demo?.escalationPolicy?.id).toEqual(expect.any(String));
  const policy = (await get(demo.escalationPolicy.id)).body;
  expect(policy).toMatchObject({
    name: 'Demo escalation policy',
    routingKey: 'demo-team',
    escalationRules: [{ escalationTimeout: 0 }],
    repeating: false,
    frequency: 1,
  });
  expect((await post({ name: 'x', routingKey: 'demo-team', escalationRules: RULES })).status).toBe(409);
  expect((await del(policy.id)).body.code).toBe('POLICY_IN_USE');
});

it('finds a policy by routing key for the processor, and no longer by a key it gave up', async () => {
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true'; // as bin/local.ts does
  const db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
  const store = new EscalationPolicyStore({ db, tableName: rt.info.tableName });
  try {
    expect(await store.getByRoutingKey('demo-team')).toMatchObject({ name: 'Demo escalation policy', routingKey: 'demo-team' });
    expect(await store.getByRoutingKey(unique('nobody'))).toBeUndefined();
    const [a, b] = [unique('a'), unique('b')];
    const policy = await createPolicy({ routingKey: a });
    expect(await store.getByRoutingKey(a)).toEqual(policy);
    await put(policy.id, { routingKey: b });
    expect(await store.getByRoutingKey(a)).toBeUndefined();
    expect((await store.getByRoutingKey(b))?.id).toBe(policy.id);
    await del(policy.id);
    expect(await store.getByRoutingKey(b)).toBeUndefined();
  } finally {
    db.destroy();
  }
});

it("lets a source with allowedRoutingKeys follow only those routing keys; any other leaves the source's policy", async () => {
  const [teamAKey, teamBKey] = [unique('team-a'), unique('team-b')];
  const [teamA, teamB, own] = [await createPolicy({ routingKey: teamAKey }), await createPolicy({ routingKey: teamBKey }), await createPolicy()];
  const source = await client.createSource({ escalationPolicy: { id: own.id }, allowedRoutingKeys: [` ${teamAKey}`] });
  expect(source.allowedRoutingKeys).toEqual([teamAKey]);
  expect((await client.request('GET', `/api/alert-sources/${source.id}`)).body.allowedRoutingKeys).toEqual([teamAKey]);

  const alert = (alertKey: string, routingKey: string) => ({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey, summary: alertKey, routingKey });
  const [toB, toA] = await client.send(alert('b', teamBKey), alert('a', teamAKey));
  const policyOf = async (alertId: string) => (await client.request('GET', `/api/alerts/${alertId}`)).body.escalationPolicy;
  // team-b's policy holds that routing key, but this source may not route to it.
  expect(await policyOf(toB.alertId)).toEqual({ id: own.id });
  expect((await get(teamB.id)).body.routingKey).toBe(teamBKey);
  expect(await policyOf(toA.alertId)).toEqual({ id: teamA.id });

  const bad = await client.request('PUT', `/api/alert-sources/${source.id}`, { body: { allowedRoutingKeys: [teamAKey, ''] } });
  expect(bad.status).toBe(400);
  expect(bad.body.errors).toEqual([{ path: 'allowedRoutingKeys.1', message: 'must not be empty' }]);
});
