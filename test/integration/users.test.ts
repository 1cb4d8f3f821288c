// Users over HTTP on the local runtime: CRUD, secrets write-only, errors naming fields (refused targets too), policies naming users, USER_IN_USE, the v1 alias, ALLOW_PRIVATE_WEBHOOK_TARGETS.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(120_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;

beforeAll(async () => {
  // Explicitly off: whatever the environment running the tests says, this runtime applies the address rules.
  rt = await startRuntimeProcess({ env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'false' } });
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

const SECRET = 'a-webhook-secret-never-answered';
const WEBHOOK = { type: 'WEBHOOK', target: 'https://hooks.example.com/alertline', secret: SECRET, priorities: ['HIGH'] };
const EMAIL = { type: 'EMAIL', target: 'uma@example.com' };
const body = (fields: Record<string, unknown> = {}) => ({ firstName: 'Uma', lastName: 'Oncall', contacts: [WEBHOOK, EMAIL], ...fields });

async function createUser(fields: Record<string, unknown> = {}) {
  const res = await client.request('POST', '/api/users', { body: body(fields) });
  if (res.status !== 201) throw new Error(`could not create a user: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string } & Record<string, any>;
}

const createPolicy = (rules: unknown[]) =>
  client.request('POST', '/api/escalation-policies', { body: { name: `policy ${Math.random()}`, escalationRules: rules } });

describe('users', () => {
  it('creates, reads, lists, changes and deletes a user; answers show hasSecret, never the secret', async () => {
    const created = await client.request('POST', '/api/users', { body: body({ email: 'uma@example.com', timezone: 'Europe/Berlin' }) });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    expect(created.headers.get('location')).toBe(`/api/users/${id}`);
    expect(created.body).toEqual({
      id,
      firstName: 'Uma',
      lastName: 'Oncall',
      email: 'uma@example.com',
      timezone: 'Europe/Berlin',
      contacts: [
        { type: 'WEBHOOK', target: WEBHOOK.target, priorities: ['HIGH'], hasSecret: true },
        { type: 'EMAIL', target: EMAIL.target, priorities: ['HIGH', 'LOW'], hasSecret: false },
      ],
      createdAt: expect.any(String),
      updatedAt: created.body.createdAt,
    });

    const read = await client.request('GET', `/api/users/${id}`);
    expect(read).toMatchObject({ status: 200, body: created.body });

    // A PUT that repeats the contact without its secret keeps it; one with "secret": null removes it.
    const renamed = await client.request('PUT', `/api/users/${id}`, { body: { lastName: 'Renamed', contacts: [{ type: 'WEBHOOK', target: WEBHOOK.target }] } });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({ firstName: 'Uma', lastName: 'Renamed', email: 'uma@example.com', createdAt: created.body.createdAt });
    expect(renamed.body.contacts).toEqual([{ type: 'WEBHOOK', target: WEBHOOK.target, priorities: ['HIGH', 'LOW'], hasSecret: true }]);
    expect(renamed.body.updatedAt > created.body.updatedAt).toBe(true);
    const cleared = await client.request('PUT', `/api/users/${id}`, { body: { contacts: [{ type: 'WEBHOOK', target: WEBHOOK.target, secret: null }] } });
    expect(cleared.body.contacts[0].hasSecret).toBe(false);

    expect((await client.request('DELETE', `/api/users/${id}`)).status).toBe(204);
    for (const [method, extra] of [['GET'], ['PUT', { body: { lastName: 'X' } }], ['DELETE']] as const) {
      const res = await client.request(method, `/api/users/${id}`, extra ?? {});
      expect({ method, status: res.status, code: res.body.code }).toEqual({ method, status: 404, code: 'NOT_FOUND' });
    }
  });

  it('never answers a secret, in any answer', async () => {
    const user = await createUser();
    const answers = await Promise.all([
      client.request('GET', `/api/users/${user.id}`),
      client.request('GET', '/api/users?limit=100'),
      client.request('PUT', `/api/users/${user.id}`, { body: { firstName: 'Ann' } }),
      client.request('GET', `/api/v1/users/${user.id}`),
    ]);
    for (const res of answers) {
      expect(res.status).toBe(200);
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    expect(JSON.stringify(user)).not.toContain(SECRET);
  });

  it('lists users newest first, page by page, and refuses an altered cursor', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await createUser({ firstName: `Pager${i}` })).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.request('GET', `/api/users?limit=2${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((u: { id: string }) => u.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(seen.filter((id) => ids.includes(id))).toEqual([...ids].reverse());
    expect(new Set(seen).size).toBe(seen.length);

    const first = await client.request('GET', '/api/users?limit=1');
    const altered = `${first.body.nextCursor}x`;
    expect(await client.request('GET', `/api/users?nextCursor=${altered}`)).toMatchObject({ status: 400, body: { code: 'INVALID_CURSOR' } });
    expect(await client.request('GET', '/api/users?limit=0')).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED', errors: [{ path: 'limit' }] } });
  });

  it('answers 400 naming each invalid field', async () => {
    const res = await client.request('POST', '/api/users', {
      body: {
        lastName: '',
        timezone: 'Nowhere/Land',
        contacts: [
          { type: 'FAX', target: '1' },
          { ...EMAIL, priorities: [] },
        ],
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_FAILED');
    expect(res.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'contacts.0.type',
      'contacts.1.priorities',
      'firstName',
      'lastName',
      'timezone',
    ]);
    expect(await client.request('POST', '/api/users', { raw: '[]', headers: { 'content-type': 'application/json' } })).toMatchObject({
      status: 400,
      body: { code: 'INVALID_BODY' },
    });
  });

  it.each([
    'https://127.0.0.1',
    'https://10.0.0.1',
    'https://[::1]',
    'https://169.254.169.254',
    'https://[::ffff:127.0.0.1]',
    'https://localhost/x',
    'http://example.com/x',
  ])('refuses a contact targeting %s, on create and on change', async (target) => {
    const created = await client.request('POST', '/api/users', { body: body({ contacts: [EMAIL, { type: 'WEBHOOK', target }] }) });
    expect(created.status).toBe(400);
    expect(created.body.errors).toEqual([{ path: 'contacts.1.target', message: expect.stringMatching(/^must (not point at a loopback|be an https: URL)/) }]);
    const user = await createUser();
    const changed = await client.request('PUT', `/api/users/${user.id}`, { body: { contacts: [{ type: 'SLACK', target }] } });
    expect(changed).toMatchObject({ status: 400, body: { errors: [{ path: 'contacts.0.target' }] } });
    expect((await client.request('GET', `/api/users/${user.id}`)).body.contacts).toEqual(user.contacts);
  });

  it('is served under /api/v1/ as well, and only with the admin token', async () => {
    const created = await client.request('POST', '/api/v1/users', { body: body() });
    expect(created.status).toBe(201);
    expect((await client.request('GET', `/api/v1/users/${created.body.id}`)).body).toEqual(created.body);
    expect((await client.request('GET', '/api/users', { token: null })).status).toBe(401);
    expect((await client.request('GET', `/api/v1/users/${created.body.id}`, { token: 'wrong' })).status).toBe(401);
  });
});

describe('escalation rules name users', () => {
  it('refuses a policy naming an unknown user, naming the rule and the user', async () => {
    const known = await createUser();
    const res = await createPolicy([
      { escalationTimeout: 0, users: [{ id: known.id }] },
      { escalationTimeout: 5, users: [{ id: known.id }, { id: 'nobody' }] },
    ]);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({
      code: 'VALIDATION_FAILED',
      errors: [{ path: 'escalationRules.1.users.1.id', message: 'names no existing user: nobody' }],
    });

    const policy = await createPolicy([{ escalationTimeout: 0, users: [{ id: known.id }] }]);
    expect(policy.status).toBe(201);
    const changed = await client.request('PUT', `/api/escalation-policies/${policy.body.id}`, {
      body: { escalationRules: [{ escalationTimeout: 0, users: [{ id: 'ghost' }] }] },
    });
    expect(changed).toMatchObject({ status: 400, body: { errors: [{ path: 'escalationRules.0.users.0.id' }] } });
    expect((await client.request('GET', `/api/escalation-policies/${policy.body.id}`)).body.escalationRules).toEqual([
      { escalationTimeout: 0, users: [{ id: known.id }] },
    ]);
  });

  it('keeps a user a policy names: 409 USER_IN_USE until the policy no longer names it', async () => {
    const user = await createUser();
    const policy = await createPolicy([{ escalationTimeout: 0 }, { escalationTimeout: 10, users: [{ id: user.id }] }]);
    expect(policy.status).toBe(201);
    const refused = await client.request('DELETE', `/api/users/${user.id}`);
    expect(refused).toMatchObject({ status: 409, body: { code: 'USER_IN_USE' } });
    expect(refused.body.message).toContain(policy.body.id);
    expect((await client.request('GET', `/api/users/${user.id}`)).status).toBe(200);

    expect((await client.request('PUT', `/api/escalation-policies/${policy.body.id}`, { body: { escalationRules: [{ escalationTimeout: 0 }] } })).status).toBe(
      200,
    );
    expect((await client.request('DELETE', `/api/users/${user.id}`)).status).toBe(204);
  });
});

describe('ALLOW_PRIVATE_WEBHOOK_TARGETS=true', () => {
  it('allows http: and loopback targets (the same data, restarted with the setting)', async () => {
    const before = await createUser();
    await rt.stop();
    rt = await startRuntimeProcess({ dataDir: rt.dataDir, env: { ALLOW_PRIVATE_WEBHOOK_TARGETS: 'true' } });
    client = clientFor(rt);
    const res = await client.request('POST', '/api/users', {
      body: body({
        contacts: [
          { type: 'WEBHOOK', target: 'http://127.0.0.1:9/x' },
          { type: 'SLACK', target: 'https://[::1]/s' },
        ],
      }),
    });
    expect(res.status).toBe(201);
    expect(res.body.contacts.map((c: { target: string }) => c.target)).toEqual(['http://127.0.0.1:9/x', 'https://[::1]/s']);
    // Still refused: what is not a URL of an allowed scheme.
    expect((await client.request('POST', '/api/users', { body: body({ contacts: [{ type: 'WEBHOOK', target: 'ftp://127.0.0.1/x' }] }) })).status).toBe(400);
    expect((await client.request('GET', `/api/users/${before.id}`)).body).toEqual(before);
  });
});
