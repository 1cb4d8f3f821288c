// Notifications end to end on the real local runtime: real HTTP and SMTP receivers get level 1, signed; retries keep one
// id; RESOLVED notices; action links; a name that resolves to loopback is never delivered to.
import dns from 'node:dns';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import type { Runtime, RuntimeOptions } from '../../local/runtime';
import type { clientFor } from '../support/client';
import { startInProcessRuntime, type InProcessRuntime } from '../support/in-process-runtime';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

type Client = ReturnType<typeof clientFor>;
interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: Buffer;
  body: any;
}

const SECRET = 'receiver-secret-0123456789';
/** The runtime's clock: real time until a test moves it (an expired link). */
let offsetMs = 0;
const clock = () => Date.now() + offsetMs;

/** The receiver's check of X-Alertline-Signature, run as the README prints it, so that the snippet stays right. */
function readmeVerifier(): (secret: string, header: string, rawBody: Buffer, nowSeconds: number) => boolean {
  const readme = readFileSync(join(__dirname, '../../README.md'), 'utf8');
  const snippet = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1]).find((code) => code.includes('function verifyAlertline'));
  if (!snippet) throw new Error('the README has no verifyAlertline snippet');
  // The README's own code, run as a reader would paste it (CommonJS: it requires node:crypto).
  return new Function('require', `${snippet}\nreturn verifyAlertline;`)(require);
}
const verifyAlertline = readmeVerifier();

/** A webhook receiver: under /flaky/ it answers 500 to the first copy of each notification id, else 200. */
async function startReceiver() {
  const received: Received[] = [];
  const seen = new Set<string>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const body = JSON.parse(raw.toString('utf8'));
      received.push({ path: req.url ?? '', headers: req.headers, raw, body });
      const id = String(req.headers['x-alertline-delivery']);
      const firstCopy = !seen.has(id);
      seen.add(id);
      res.writeHead(req.url?.startsWith('/flaky/') && firstCopy ? 500 : 200).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, received, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** An SMTP server that keeps every message as text. */
async function startSmtp() {
  const messages: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, done) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => (messages.push(Buffer.concat(chunks).toString('utf8')), done()));
    },
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return { server, messages, url: `smtp://127.0.0.1:${(server.server.address() as AddressInfo).port}` };
}

/** Undoes quoted-printable soft breaks and escapes, enough to read links and text in a message. */
const unQuote = (text: string) => text.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex) => String.fromCharCode(parseInt(hex, 16)));

const startTestRuntime = (settings: Partial<RuntimeOptions>) => startInProcessRuntime('notifications', { clock, ...settings });

/** A user with these contacts, a one-rule policy naming them, and a source of that priority using it. */
async function setUp(client: Client, contacts: unknown[], priority: 'HIGH' | 'LOW' = 'HIGH') {
  const user = await client.request('POST', '/api/users', { body: { firstName: 'Uma', lastName: 'Oncall', contacts } });
  expect(user.status).toBe(201);
  const policy = await client.request('POST', '/api/escalation-policies', {
    body: { name: `policy ${Math.random()}`, escalationRules: [{ escalationTimeout: 30, users: [{ id: user.body.id }] }] },
  });
  expect(policy.status).toBe(201);
  const source = await client.createSource({ alertPriorityRule: priority, escalationPolicy: { id: policy.body.id } });
  return { user: user.body, source };
}

/** Sends an ALERT and answers the id of the alert it created. */
async function raise(client: Client, source: { integrationKey: string }, summary: string): Promise<string> {
  const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary, alertKey: summary });
  expect(record.outcome).toBe('CREATED');
  return record.alertId;
}

/** `value` when `ok`, else undefined: a waitFor condition that answers what it waited for. */
const when = <T>(ok: boolean, value: T): T | undefined => (ok ? value : undefined);

const notificationsOf = async (client: Client, alertId: string) => {
  const res = await client.request('GET', `/api/alerts/${alertId}/notifications`);
  expect(res.status).toBe(200);
  return (Array.isArray(res.body) ? res.body : res.body.items) as any[];
};

const logOf = async (client: Client, alertId: string) => (await client.request('GET', `/api/alerts/${alertId}/log-entries?limit=100`)).body.items as any[];

describe('on a runtime that may deliver to local receivers', () => {
  let started: InProcessRuntime;
  let runtime: Runtime;
  let client: Client;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  const forAlert = (alertId: string) => receiver.received.filter((r) => r.body.alert?.id === alertId);

  beforeAll(async () => {
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    receiver = await startReceiver();
    smtp = await startSmtp();
    started = await startTestRuntime({ allowPrivateWebhookTargets: true, smtpUrl: smtp.url });
    ({ runtime, client } = started);
  });

  afterAll(async () => {
    await started?.stop();
    await new Promise((ok) => receiver?.server.close(ok));
    await new Promise<void>((ok) => (smtp ? smtp.server.close(() => ok()) : ok()));
  });

  const waitForDeliveries = (alertId: string, count: number, what: string) =>
    waitFor(() => when(forAlert(alertId).length >= count, forAlert(alertId)), { timeoutMs: 30_000, what });

  it.each(['HIGH', 'LOW'] as const)('delivers level 1 of a %s alert at once, signed with the contact secret', async (priority) => {
    const { user, source } = await setUp(client, [{ type: 'WEBHOOK', target: `${receiver.url}/ok/${priority}`, secret: SECRET }], priority);
    const alertId = await raise(client, source, `level one ${priority}`);
    const [delivery] = await waitForDeliveries(alertId, 1, `level 1 of the ${priority} alert at the receiver`);

    expect(delivery.body).toMatchObject({
      type: 'alert.notification',
      reason: 'ESCALATION',
      level: 1,
      alert: { id: alertId, priority, summary: `level one ${priority}`, url: `${runtime.url}/alerts/${alertId}` },
      user: { id: user.id, firstName: 'Uma', lastName: 'Oncall' },
    });
    expect(delivery.headers['x-alertline-delivery']).toBe(delivery.body.id);
    const signature = String(delivery.headers['x-alertline-signature']);
    const nowSeconds = Math.floor(clock() / 1000);
    expect(verifyAlertline(SECRET, signature, delivery.raw, nowSeconds)).toBe(true);
    expect(verifyAlertline(SECRET, signature, Buffer.from(delivery.raw.toString().replace('level one', 'level 0ne')), nowSeconds)).toBe(false);
    expect(verifyAlertline('another secret', signature, delivery.raw, nowSeconds)).toBe(false);

    const records = await waitFor(
      async () => {
        const list = await notificationsOf(client, alertId);
        return when(list.length === 1 && list[0].status === 'SENT', list);
      },
      { timeoutMs: 10_000, what: 'the notification recorded SENT' },
    );
    expect(records[0]).toMatchObject({
      id: delivery.body.id,
      alertId,
      userId: user.id,
      contactType: 'WEBHOOK',
      target: receiver.url,
      reason: 'ESCALATION',
      level: 1,
      attempts: 1,
    });
    expect(records[0].sentAt).toEqual(expect.any(String));
    expect((await client.request('GET', `/api/alerts/${alertId}`)).body).toMatchObject({ escalationLevel: 1 });
    expect((await logOf(client, alertId)).map((e) => e.text)).toContain('Notified Uma Oncall by webhook (level 1)');
  });

  it('retries a receiver that answered 500: the same id twice, one record SENT after 2 attempts', async () => {
    const { source } = await setUp(client, [{ type: 'WEBHOOK', target: `${receiver.url}/flaky/retry` }]);
    const alertId = await raise(client, source, 'flaky receiver');
    const copies = await waitForDeliveries(alertId, 2, 'the first copy and its retry');
    expect(new Set(copies.map((c) => c.body.id)).size).toBe(1);
    const [record] = await waitFor(
      async () => {
        const list = await notificationsOf(client, alertId);
        return when(list[0]?.status === 'SENT', list);
      },
      { timeoutMs: 10_000, what: 'the notification SENT' },
    );
    expect(record).toMatchObject({ status: 'SENT', attempts: 2, lastError: 'HTTP 500' });
    expect(await notificationsOf(client, alertId)).toHaveLength(1);
  });

  it('sends RESOLVED notices to those notified when the alert is resolved', async () => {
    const { user, source } = await setUp(client, [{ type: 'WEBHOOK', target: `${receiver.url}/ok/notice` }]);
    const alertId = await raise(client, source, 'resolve me');
    await waitForDeliveries(alertId, 1, 'level 1');
    expect((await client.request('PUT', `/api/alerts/${alertId}/resolve`)).status).toBe(200);
    const notice = await waitFor(() => forAlert(alertId).find((r) => r.body.reason === 'RESOLVED'), { timeoutMs: 15_000, what: 'the RESOLVED notice' });
    expect(notice.body).toMatchObject({ user: { id: user.id }, alert: { id: alertId, status: 'RESOLVED' } });
    const list = await waitFor(
      async () => {
        const all = await notificationsOf(client, alertId);
        return when(all.length === 2 && all.every((n) => n.status === 'SENT'), all);
      },
      { timeoutMs: 10_000, what: 'both notifications SENT' },
    );
    expect(list.map((n) => n.reason)).toEqual(['ESCALATION', 'RESOLVED']);
  });

  it('emails through SMTP_URL with the subject, the alert link and the action links', async () => {
    const { source } = await setUp(client, [{ type: 'EMAIL', target: 'uma@example.com' }]);
    const alertId = await raise(client, source, 'Disk full on db-1');
    const message = await waitFor(() => smtp.messages.map(unQuote).find((m) => m.includes(`/alerts/${alertId}`)), {
      timeoutMs: 30_000,
      what: 'the email at the SMTP server',
    });
    expect(message).toMatch(/^Subject: \[Alertline\] HIGH Disk full on db-1$/m);
    expect(message).toMatch(/^To: .*uma@example\.com/m);
    expect(message).toContain(`${runtime.url}/alerts/${alertId}`);
    expect(message.match(new RegExp(`${runtime.url}/api/actions/[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+`, 'g'))?.length).toBeGreaterThanOrEqual(2);
    const [record] = await notificationsOf(client, alertId);
    expect(record).toMatchObject({ contactType: 'EMAIL', target: 'uma@example.com' });
  });

  it('action links: GET changes nothing, POST accepts as the user, altered 401, expired 410', async () => {
    const { source } = await setUp(client, [{ type: 'WEBHOOK', target: `${receiver.url}/ok/links` }]);
    const alertId = await raise(client, source, 'accept by link');
    const [delivery] = await waitForDeliveries(alertId, 1, 'level 1 with its links');
    const { accept, resolve } = delivery.body.actions as { accept: string; resolve: string };
    expect(accept.startsWith(`${runtime.url}/api/actions/`)).toBe(true);

    const page = await fetch(accept);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<form method="post">');
    expect((await client.request('GET', `/api/alerts/${alertId}`)).body.status).toBe('PENDING');

    const token = resolve.slice(resolve.lastIndexOf('/') + 1);
    const altered = `${token.slice(0, 10)}${token[10] === 'A' ? 'B' : 'A'}${token.slice(11)}`;
    const refused = await fetch(`${runtime.url}/api/actions/${altered}`, { method: 'POST' });
    expect({ status: refused.status, code: ((await refused.json()) as any).code }).toEqual({ status: 401, code: 'INVALID_ACTION_LINK' });

    const done = await fetch(accept, { method: 'POST' });
    expect({ status: done.status, body: await done.json() }).toEqual({ status: 200, body: { alertId, action: 'accept', status: 'ACCEPTED' } });
    expect((await logOf(client, alertId)).map((e) => e.text)).toContain('Alert accepted by Uma Oncall via webhook link');

    offsetMs = 25 * 3600_000;
    try {
      const expired = await fetch(resolve, { method: 'POST' });
      expect({ status: expired.status, code: ((await expired.json()) as any).code }).toEqual({ status: 410, code: 'ACTION_LINK_EXPIRED' });
    } finally {
      offsetMs = 0;
    }
    expect((await client.request('GET', `/api/alerts/${alertId}`)).body.status).toBe('ACCEPTED');
  });
});

describe('on a runtime with outbound safety on', () => {
  let started: InProcessRuntime;
  let client: Client;
  const asked: string[] = [];

  beforeAll(async () => {
    // The machine's resolver, except that loopback.test answers 127.0.0.1, as a hostile DNS name would.
    const real = dns.lookup;
    jest.spyOn(dns, 'lookup').mockImplementation(((hostname: string, options: any, callback: any) => {
      asked.push(hostname);
      if (hostname !== 'loopback.test') return (real as any)(hostname, options, callback);
      const cb = typeof options === 'function' ? options : callback;
      return options?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4);
    }) as any);
    started = await startTestRuntime({ allowPrivateWebhookTargets: false });
    ({ client } = started);
  });

  afterAll(async () => {
    jest.restoreAllMocks();
    await started?.stop();
  });

  it('fails without retry a webhook whose host name resolves to loopback', async () => {
    const { source } = await setUp(client, [{ type: 'WEBHOOK', target: 'https://loopback.test/hook' }]);
    const alertId = await raise(client, source, 'resolves to loopback');
    const [record] = await waitFor(
      async () => {
        const list = await notificationsOf(client, alertId);
        return when(list[0]?.status === 'FAILED', list);
      },
      { timeoutMs: 30_000, what: 'the notification FAILED' },
    );
    expect(record).toMatchObject({ attempts: 1, lastError: 'refused: loopback.test resolves to a private address', target: 'https://loopback.test' });
    expect(asked).toContain('loopback.test');
    expect((await logOf(client, alertId)).map((e) => e.type)).toContain('NOTIFICATION_FAILED');
  });
});
