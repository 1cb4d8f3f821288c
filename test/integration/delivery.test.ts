// Delivery against real receivers in this process: a webhook/Slack HTTP server, an SMTP server, an SES-shaped endpoint, and refused targets.
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, LookupFunction } from 'node:net';
import { SMTPServer, type SMTPServerDataStream } from 'smtp-server';
import type { Contact } from '../../lambdas/domain/user';
import { EMAIL_NOT_CONFIGURED, sesMailer, smtpMailer } from '../../lambdas/notify/email';
import type { NotificationView } from '../../lambdas/notify/messages';
import { createSenders } from '../../lambdas/notify/senders';
import { verifySignature } from '../../lambdas/notify/signature';

const VIEW: NotificationView = {
  id: 'n0123456789abcdef012345678',
  reason: 'ESCALATION',
  level: 1,
  alert: {
    id: '01JALERT0000000000000000AA',
    alertSourceId: '01JSOURCE000000000000000SS',
    alertKey: 'disk/db-1',
    summary: 'Disk <full> & db-1',
    details: 'only <2%> left',
    status: 'PENDING',
    priority: 'HIGH',
    createdAt: '2026-12-01T10:00:00.000Z',
    images: [],
    links: [{ href: 'https://runbooks.example.com/disk', text: 'Runbook' }],
    customDetails: { host: 'db-1' },
  },
  alertUrl: 'http://127.0.0.1:3000/alerts/01JALERT0000000000000000AA',
  user: { id: '01JUSER00000000000000000UU', firstName: 'Uma', lastName: 'Oncall' },
  actions: { accept: 'http://127.0.0.1:3000/api/actions/acc.tok', resolve: 'http://127.0.0.1:3000/api/actions/res.tok' },
};

const SECRET = 'receiver-shared-secret';
const NOW_MS = Date.parse('2026-12-01T10:00:05Z');

interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A webhook receiver: the path says how it answers, every request and connection is recorded. */
async function startReceiver() {
  const requests: Received[] = [];
  let connections = 0;
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      requests.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (req.url === '/slow') return; // never answers: the sender's timeout must end the attempt
      const redirect = req.url === '/redirect';
      const status = redirect ? 302 : Number(/^\/status\/(\d{3})$/.exec(req.url ?? '')?.[1] ?? 200);
      res.writeHead(status, redirect ? { location: '/status/200' } : {}).end('answer');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The slow path's request is still open; it must not hold the close.
        server.closeAllConnections();
      }),
  };
}

const webhook = (target: string, secret?: string): Contact => ({ type: 'WEBHOOK', target, secret, priorities: ['HIGH', 'LOW'] });

describe('webhook and Slack delivery', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const senders = createSenders({ allowPrivateTargets: true, timeoutMs: 500, now: () => NOW_MS });

  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  it('POSTs the webhook body with the delivery id and a signature the receiver verifies', async () => {
    await expect(senders.send(webhook(receiver.url('/status/200'), SECRET), VIEW)).resolves.toEqual({ ok: true });
    const got = receiver.requests.at(-1)!;
    expect(got.headers['content-type']).toBe('application/json');
    expect(got.headers['x-alertline-delivery']).toBe(VIEW.id);
    const header = String(got.headers['x-alertline-signature']);
    expect(header).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, header, got.body, 300, NOW_MS / 1000)).toBe(true);
    expect(verifySignature(SECRET, header, got.body.replace('Disk', 'Disc'), 300, NOW_MS / 1000)).toBe(false);
    expect(JSON.parse(got.body)).toMatchObject({ type: 'alert.notification', id: VIEW.id, reason: 'ESCALATION', level: 1, alert: { url: VIEW.alertUrl } });
  });

  it('sends no signature without a secret', async () => {
    await expect(senders.send(webhook(receiver.url('/status/204')), VIEW)).resolves.toEqual({ ok: true });
    expect(receiver.requests.at(-1)!.headers).not.toHaveProperty('x-alertline-signature');
  });

  it.each([
    [500, true],
    [503, true],
    [408, true],
    [429, true],
    [400, false],
    [404, false],
    [410, false],
  ])('classifies an answer %i as retryable: %p', async (status, retryable) => {
    await expect(senders.send(webhook(receiver.url(`/status/${status}`)), VIEW)).resolves.toEqual({ ok: false, retryable, error: `HTTP ${status}` });
  });

  it('does not follow a redirect and does not retry it', async () => {
    const before = receiver.requests.length;
    await expect(senders.send(webhook(receiver.url('/redirect')), VIEW)).resolves.toEqual({
      ok: false,
      retryable: false,
      error: 'HTTP 302: redirects are not followed',
    });
    expect(receiver.requests.slice(before).map((r) => r.path)).toEqual(['/redirect']);
  });

  it('ends a slow attempt at the timeout, as retryable', async () => {
    const started = Date.now();
    await expect(senders.send(webhook(receiver.url('/slow')), VIEW)).resolves.toEqual({ ok: false, retryable: true, error: 'timed out after 0.5 s' });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('treats a refused connection as retryable, and names neither path nor query', async () => {
    const closed = await startReceiver();
    await closed.close();
    const result = await senders.send(webhook(`http://127.0.0.1:${closed.port}/hook/secret-path?token=abc`), VIEW);
    expect(result).toEqual({ ok: false, retryable: true, error: 'network error (ECONNREFUSED)' });
  });

  it('posts a Slack incoming-webhook message: text and blocks with priority, summary, link and action buttons', async () => {
    const slack: Contact = { type: 'SLACK', target: receiver.url('/status/200'), priorities: ['HIGH'] };
    await expect(senders.send(slack, VIEW)).resolves.toEqual({ ok: true });
    const body = JSON.parse(receiver.requests.at(-1)!.body);
    expect(body.text).toBe('[HIGH] Disk <full> & db-1');
    expect(body.blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(body.blocks[0].text.text).toContain(`<${VIEW.alertUrl}|View alert>`);
    expect(body.blocks[0].text.text).toContain('Disk &lt;full&gt; &amp; db-1');
    expect(body.blocks[1].elements.map((e: any) => e.url)).toEqual([VIEW.actions.accept, VIEW.actions.resolve]);
  });
});

describe('outbound safety at send time', () => {
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  beforeAll(async () => {
    receiver = await startReceiver();
  });
  afterAll(() => receiver.close());

  /** A resolver that answers every name with the given addresses, and counts its calls. */
  function fakeDns(...addresses: string[]) {
    const calls: string[] = [];
    const lookup: LookupFunction = (hostname, options, callback) => {
      calls.push(hostname);
      const answers = addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
      if (options.all) callback(null, answers);
      else callback(null, answers[0].address, answers[0].family);
    };
    return { lookup, calls };
  }

  it('refuses a name that resolves to 127.0.0.1 without connecting, and does not retry', async () => {
    const dns = fakeDns('127.0.0.1');
    const senders = createSenders({ allowPrivateTargets: false, lookup: dns.lookup });
    const before = receiver.connections();
    const result = await senders.send(webhook(`https://hooks.example.test:${receiver.port}/status/200`), VIEW);
    expect(result).toEqual({ ok: false, retryable: false, error: 'refused: hooks.example.test resolves to a private address' });
    expect(dns.calls).toEqual(['hooks.example.test']);
    expect(receiver.connections()).toBe(before);
  });

  it('refuses a name with one private answer among public ones (DNS rebinding)', async () => {
    const dns = fakeDns('93.184.216.34', '::1');
    const senders = createSenders({ allowPrivateTargets: false, lookup: dns.lookup });
    const result = await senders.send({ type: 'SLACK', target: 'https://hooks.example.test/services/x', priorities: ['HIGH'] }, VIEW);
    expect(result).toEqual({ ok: false, retryable: false, error: 'refused: hooks.example.test resolves to a private address' });
  });

  it('connects to the address the lookup answered, when private targets are allowed', async () => {
    const dns = fakeDns('127.0.0.1');
    const senders = createSenders({ allowPrivateTargets: true, lookup: dns.lookup });
    await expect(senders.send(webhook(`http://hooks.example.test:${receiver.port}/status/200`), VIEW)).resolves.toEqual({ ok: true });
    expect(receiver.requests.at(-1)!.headers.host).toBe(`hooks.example.test:${receiver.port}`);
  });

  it.each([
    'https://10.0.0.1/hook',
    'https://127.0.0.1/hook',
    'https://[::1]/hook',
    'https://169.254.169.254/latest',
    'https://localhost/hook',
    'http://hooks.example.com/',
  ])('refuses %s before any connection or lookup', async (target) => {
    const dns = fakeDns('93.184.216.34');
    const senders = createSenders({ allowPrivateTargets: false, lookup: dns.lookup });
    const result = await senders.send(webhook(target), VIEW);
    expect(result).toMatchObject({ ok: false, retryable: false, error: expect.stringMatching(/^refused: target must/) });
    expect(dns.calls).toEqual([]);
  });
});

/** Undoes quoted-printable (soft line breaks and =XX) so that assertions read the message as its reader would. */
const decodeQuotedPrintable = (raw: string) =>
  raw.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));

describe('email delivery', () => {
  const messages: Array<{ from: string; to: string[]; raw: string }> = [];
  let port: number;
  let server: SMTPServer;

  beforeAll(async () => {
    server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, callback) {
        const code = /^(\d{3})@/.exec(address.address)?.[1];
        if (!code) return callback();
        callback(Object.assign(new Error(`refused with ${code}`), { responseCode: Number(code) }));
      },
      onData(stream: SMTPServerDataStream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          messages.push({
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            to: session.envelope.rcptTo.map((r) => r.address),
            raw: Buffer.concat(chunks).toString('utf8'),
          });
          callback();
        });
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const emailContact = (to: string): Contact => ({ type: 'EMAIL', target: to, priorities: ['HIGH'] });
  const sendersWith = (url: string) => createSenders({ allowPrivateTargets: false, mailer: smtpMailer(url, 'alertline@example.com', 2000) });

  it('delivers subject, alert link and action links, with the HTML escaped', async () => {
    await expect(sendersWith(`smtp://127.0.0.1:${port}`).send(emailContact('uma@example.com'), VIEW)).resolves.toEqual({ ok: true });
    const mail = messages.at(-1)!;
    expect(mail.from).toBe('alertline@example.com');
    expect(mail.to).toEqual(['uma@example.com']);
    const raw = decodeQuotedPrintable(mail.raw);
    expect(raw).toMatch(/^Subject: \[Alertline\] HIGH Disk <full> & db-1\r?$/m);
    expect(raw).toContain('Content-Type: text/plain');
    expect(raw).toContain('Content-Type: text/html');
    for (const link of [VIEW.alertUrl, VIEW.actions.accept, VIEW.actions.resolve]) expect(raw).toContain(`href="${link}"`);
    expect(raw).toContain('Disk &lt;full&gt; &amp; db-1');
    expect(raw).toContain('only &lt;2%&gt; left');
  });

  it('fails for good on a 5xx reply and retries a 4xx reply', async () => {
    const senders = sendersWith(`smtp://127.0.0.1:${port}`);
    await expect(senders.send(emailContact('550@example.com'), VIEW)).resolves.toEqual({ ok: false, retryable: false, error: 'mail refused (SMTP 550)' });
    await expect(senders.send(emailContact('451@example.com'), VIEW)).resolves.toEqual({ ok: false, retryable: true, error: 'mail refused (SMTP 451)' });
  });

  it('retries when the mail server is unreachable, without naming its credentials', async () => {
    const closed = new SMTPServer({ logger: false });
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.server.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await sendersWith(`smtp://user:hunter2@127.0.0.1:${closedPort}`).send(emailContact('uma@example.com'), VIEW);
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(JSON.stringify(result)).not.toContain('hunter2');
  });

  it('fails at once with a clear error when no mailer is configured', async () => {
    await expect(createSenders({ allowPrivateTargets: false }).send(emailContact('uma@example.com'), VIEW)).resolves.toEqual({
      ok: false,
      retryable: false,
      error: EMAIL_NOT_CONFIGURED,
    });
  });
});

describe('SES mailer', () => {
  let server: Server;
  let port: number;
  const requests: Array<{ path: string; body: any }> = [];
  let answer: { status: number; headers: Record<string, string>; body: string } = { status: 200, headers: {}, body: '{"MessageId":"m-1"}' };

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        requests.push({ path: req.url ?? '', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
        res.writeHead(answer.status, { 'content-type': 'application/json', ...answer.headers }).end(answer.body);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const client = () =>
    new SESv2Client({
      region: 'eu-west-1',
      endpoint: `http://127.0.0.1:${port}`,
      maxAttempts: 1,
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test' },
    });
  const send = () =>
    createSenders({ allowPrivateTargets: false, mailer: sesMailer(client(), 'alerts@example.com') }).send(
      { type: 'EMAIL', target: 'uma@example.com', priorities: ['HIGH'] },
      VIEW,
    );

  it('sends simple content from the configured sender', async () => {
    answer = { status: 200, headers: {}, body: '{"MessageId":"m-1"}' };
    await expect(send()).resolves.toEqual({ ok: true });
    const { path, body } = requests.at(-1)!;
    expect(path).toBe('/v2/email/outbound-emails');
    expect(body).toMatchObject({
      FromEmailAddress: 'alerts@example.com',
      Destination: { ToAddresses: ['uma@example.com'] },
      Content: { Simple: { Subject: { Data: '[Alertline] HIGH Disk <full> & db-1' } } },
    });
    expect(body.Content.Simple.Body.Html.Data).toContain(VIEW.actions.accept);
  });

  it('fails for good on a rejected message and retries throttling', async () => {
    answer = { status: 400, headers: { 'x-amzn-errortype': 'MessageRejected' }, body: '{"message":"Email address is not verified."}' };
    await expect(send()).resolves.toEqual({ ok: false, retryable: false, error: 'mail not sent (SES MessageRejected, HTTP 400)' });
    answer = { status: 429, headers: { 'x-amzn-errortype': 'TooManyRequestsException' }, body: '{"message":"slow down"}' };
    await expect(send()).resolves.toMatchObject({ ok: false, retryable: true });
  });
});
