// The first start's demo alert source and its escalation policy (and, with DEMO_WEBHOOK_URL, a demo user it pages), made through the management API as a user would, so that a new user has an integration key and a curl that works as printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_ROUTING_KEY = 'demo-team';
export const DEMO_USER_NAME = { firstName: 'Demo', lastName: 'Oncall' } as const;

/** What the first start may add to the demo. */
export interface DemoOptions {
  /** DEMO_WEBHOOK_URL: a demo user with one WEBHOOK contact to it, named by the demo policy, so the demo alert pages it. */
  webhookUrl?: string;
}

/** What the banner needs of the demo source. */
export interface DemoSource {
  id: string;
  name: string;
  integrationKey: string;
}

interface Api {
  url: string;
  adminToken: string;
}

interface Answer {
  status: number;
  body: unknown;
}

async function call(api: Api, method: string, path: string, body?: unknown): Promise<Answer> {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${api.adminToken}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

/** The answer's body, as the API documents it for this status; any other status fails the start, saying why. */
function expectStatus<T>(answer: Answer, wanted: number, what: string): T {
  if (answer.status !== wanted) throw new Error(`could not ${what}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}

interface ListedUser {
  id: string;
  firstName: string;
  lastName: string;
  contacts: Array<{ type: string; target: string }>;
}

/**
 * The demo user with its one WEBHOOK contact. Found again (newest users first) when an earlier start made it but
 * stopped before the demo source, so that a start after an interrupted one makes no second user.
 */
async function ensureDemoUser(api: Api, webhookUrl: string): Promise<{ id: string }> {
  const listed = expectStatus<{ items: ListedUser[] }>(await call(api, 'GET', '/api/users'), 200, 'list users');
  const existing = listed.items.find(
    (user) =>
      user.firstName === DEMO_USER_NAME.firstName &&
      user.lastName === DEMO_USER_NAME.lastName &&
      user.contacts.some((contact) => contact.type === 'WEBHOOK' && contact.target === webhookUrl),
  );
  if (existing) return existing;
  const created = await call(api, 'POST', '/api/users', { ...DEMO_USER_NAME, contacts: [{ type: 'WEBHOOK', target: webhookUrl }] });
  return expectStatus(created, 201, 'create the demo user for DEMO_WEBHOOK_URL');
}

/** The demo policy: notify at once (the demo user, if any), no repeats. Found again by its routing key if an earlier start already made it. */
async function ensureDemoPolicy(api: Api, user?: { id: string }): Promise<{ id: string }> {
  const settings = {
    name: 'Demo escalation policy',
    routingKey: DEMO_ROUTING_KEY,
    escalationRules: [{ escalationTimeout: 0, ...(user ? { users: [{ id: user.id }] } : {}) }],
    repeating: false,
    frequency: 1,
  };
  const created = await call(api, 'POST', '/api/escalation-policies', settings);
  if ((created.body as { code?: string } | undefined)?.code !== 'ROUTING_KEY_TAKEN') return expectStatus(created, 201, 'create the demo escalation policy');
  const policies = expectStatus<Array<{ id: string; routingKey: string }>>(await call(api, 'GET', '/api/escalation-policies'), 200, 'list escalation policies');
  const existing = policies.find((policy) => policy.routingKey === DEMO_ROUTING_KEY);
  if (!existing) throw new Error('the demo routing key is taken, but no escalation policy holds it');
  return existing;
}

/**
 * Creates the demo source and its escalation policy on the first start (the runtime at `url` must be serving), and with
 * `options.webhookUrl` the demo user the policy names; later starts find the source again, unless the user deleted it,
 * and create nothing.
 */
export async function ensureDemoSource(dataDir: string, api: Api, options: DemoOptions = {}): Promise<DemoSource | undefined> {
  const marker = join(dataDir, 'demo-source.json');
  if (existsSync(marker)) {
    const { id } = JSON.parse(readFileSync(marker, 'utf8')) as { id: string };
    const found = await call(api, 'GET', `/api/alert-sources/${encodeURIComponent(id)}`);
    return found.status === 404 ? undefined : expectStatus<DemoSource>(found, 200, 'read the demo alert source');
  }
  const user = options.webhookUrl ? await ensureDemoUser(api, options.webhookUrl) : undefined;
  const policy = await ensureDemoPolicy(api, user);
  const source = expectStatus<DemoSource>(
    await call(api, 'POST', '/api/alert-sources', {
      name: 'Demo alert source',
      integrationType: 'API',
      active: true,
      escalationPolicy: { id: policy.id },
      alertCreation: 'ONE_OPEN_ALERT_ALLOWED',
      alertPriorityRule: 'HIGH',
    }),
    201,
    'create the demo alert source',
  );
  writeFileSync(marker, JSON.stringify({ id: source.id }));
  return source;
}
export function demoCurl(url: string, integrationKey: string): string {
  const body = JSON.stringify({
    apiKey: integrationKey,
    eventType: 'ALERT',
    summary: 'Hey, this is a test alert from the shell!',
    alertKey: 'demo-disk-full',
    details: 'Disk **/var** is 95% full on db-1',
    priority: 'HIGH',
    images: [{ src: 'https://example.com/graph.png', alt: 'disk usage' }],
    links: [{ href: 'https://example.com/runbooks/disk', text: 'Runbook' }],
    customDetails: { host: 'db-1', usage: { percent: 95 } },
  });
  return `curl -sS -X POST ${url}/api/events -H 'Content-Type: application/json' -d '${body}'`;
}
