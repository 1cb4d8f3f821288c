// The first start's demo alert source and its escalation policy, made through the management API as a user would, so that a new user has an integration key and a curl that works as printed.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const DEMO_ROUTING_KEY = 'demo-team';

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

/** The demo policy: notify at once, no repeats. Found again by its routing key if an earlier start already made it. */
async function ensureDemoPolicy(api: Api): Promise<{ id: string }> {
  const settings = {
    name: 'Demo escalation policy',
    routingKey: DEMO_ROUTING_KEY,
    escalationRules: [{ escalationTimeout: 0 }],
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
 * Creates the demo source and its escalation policy on the first start (the runtime at `url` must be serving); later
 * starts find the source again, unless the user deleted it.
 */
export async function ensureDemoSource(dataDir: string, api: Api): Promise<DemoSource | undefined> {
  const marker = join(dataDir, 'demo-source.json');
  if (existsSync(marker)) {
    const { id } = JSON.parse(readFileSync(marker, 'utf8')) as { id: string };
    const found = await call(api, 'GET', `/api/alert-sources/${encodeURIComponent(id)}`);
    return found.status === 404 ? undefined : expectStatus<DemoSource>(found, 200, 'read the demo alert source');
  }
  const policy = await ensureDemoPolicy(api);
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
