// PagerDuty's own client library (@pagerduty/pdjs) pointed at Alertline by its host alone: pdjs speaks only HTTPS, so
// a TLS front with a throwaway certificate forwards to the local runtime, and pdjs runs in a child process that trusts
// that certificate (NODE_EXTRA_CA_CERTS) and verifies it as it would PagerDuty's.
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import pdAcknowledge from '../fixtures/pagerduty/acknowledge.json';
import pdResolve from '../fixtures/pagerduty/resolve.json';
import pdTrigger from '../fixtures/pagerduty/trigger.json';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

const ROOT = resolve(__dirname, '../..');

/**
 * The client's side, run with `node -e` from the repository (so that it requires the installed pdjs): one event() call,
 * nothing set but `server`; prints what pdjs hands its caller. It exits at once: pdjs leaves a 30 s timer behind.
 */
const PDJS_CALL = `
const { event } = require('@pagerduty/pdjs');
const [server, data] = [process.argv[1], JSON.parse(process.argv[2])];
const done = (answer) => { process.stdout.write(JSON.stringify(answer)); process.exit(0); };
event({ server, data }).then((r) => done({ status: r.status, data: r.data }), (e) => done({ error: String(e.code || e.message) }));
`;

interface ClientAnswer {
  status?: number;
  data?: Record<string, unknown>;
  error?: string;
}

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let routingKey: string;
let certDir: string;
let certFile: string;
let front: Server;
let server: string;
/** The requests the TLS front forwarded: method, path and User-Agent. */
const forwarded: string[] = [];

/** A key and a self-signed certificate for 127.0.0.1 and localhost, from the openssl CLI; the key never leaves memory. */
function makeCertificate(dir: string): { key: string; cert: string } {
  const [keyFile, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', cert, '-days', '1', '-subj', '/CN=localhost'].concat([
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]),
    { stdio: 'ignore' },
  );
  const key = readFileSync(keyFile, 'utf8');
  rmSync(keyFile);
  return { key, cert: readFileSync(cert, 'utf8') };
}

/** An HTTPS server that pipes every request to the runtime's HTTP port and its answer back, as a TLS terminator does. */
function startTlsFront(target: string, tls: { key: string; cert: string }): Promise<Server> {
  const front = createServer(tls, (req, res) => {
    forwarded.push(`${req.method} ${req.url} ${req.headers['user-agent']}`);
    const upstream = httpRequest(new URL(req.url!, target), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode!, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (error) => res.writeHead(502).end(String(error)));
    req.pipe(upstream);
  });
  return new Promise((ok) => front.listen(0, '127.0.0.1', () => ok(front)));
}

/** One pdjs event() in a child process; `trust` adds the front's certificate to the ones Node trusts (never turns checks off). */
function pdjsEvent(data: Record<string, unknown>, trust = true): Promise<ClientAnswer> {
  const { NODE_TLS_REJECT_UNAUTHORIZED: _never, NODE_EXTRA_CA_CERTS: _theirs, ...env } = process.env;
  return new Promise((ok, fail) => {
    execFile(
      process.execPath,
      ['-e', PDJS_CALL, server, JSON.stringify(data)],
      { cwd: ROOT, env: trust ? { ...env, NODE_EXTRA_CA_CERTS: certFile } : env, timeout: 30_000 },
      (error, stdout, stderr) => (error ? fail(new Error(`the pdjs client failed: ${error.message}\n${stderr}`)) : ok(JSON.parse(stdout))),
    );
  });
}

const withKey = (fixture: Record<string, unknown>) => ({ ...fixture, routing_key: routingKey });

/** The alert with this key once `holds` is true of it (events apply asynchronously after the 202). */
const alertWhen = (alertKey: string, holds: (alert: any) => boolean) =>
  waitFor(
    async () => {
      const alert = (await client.alerts(`alertKey=${encodeURIComponent(alertKey)}`)).body.items[0];
      return alert && holds(alert) ? alert : undefined;
    },
    { timeoutMs: 20_000, what: `the alert ${alertKey} to reach the expected state` },
  );

beforeAll(async () => {
  certDir = mkdtempSync(join(tmpdir(), 'alertline-pdjs-'));
  const tls = makeCertificate(certDir);
  certFile = join(certDir, 'cert.pem');
  rt = await startRuntimeProcess();
  client = clientFor(rt);
  routingKey = (await client.createSource()).integrationKey;
  front = await startTlsFront(rt.url, tls);
  server = `127.0.0.1:${(front.address() as AddressInfo).port}`;
});

afterAll(async () => {
  front?.closeAllConnections();
  await new Promise((ok) => (front ? front.close(ok) : ok(undefined)));
  await rt?.stop();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

describe('@pagerduty/pdjs with only its server changed', () => {
  it('verifies TLS as usual: without the certificate trusted, it refuses the host and sends nothing', async () => {
    const answer = await pdjsEvent(withKey(pdTrigger), false);
    expect(answer.error).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(forwarded).toEqual([]);
  });

  it("triggers with images and links: PagerDuty's answer, and an alert opened", async () => {
    const answer = await pdjsEvent(withKey(pdTrigger));
    expect(answer).toEqual({ status: 202, data: { status: 'success', message: 'Event processed', dedup_key: 'srv01/disk' } });
    expect(forwarded).toEqual([expect.stringMatching(/^POST \/v2\/enqueue pdjs\//)]);
    expect(await alertWhen('srv01/disk', () => true)).toMatchObject({
      status: 'PENDING',
      summary: 'DISK at 99% on srv01.example.com',
      priority: 'HIGH',
      images: [{ src: 'https://chart.example.com/disk.png', href: 'https://example.com/disk', alt: 'Disk usage of srv01' }],
      links: [
        { href: 'https://runbooks.example.com/disk', text: 'Runbook' },
        { href: 'https://monitoring.example.com', text: 'Sample Monitoring Service' },
      ],
      customDetails: expect.objectContaining({ source: 'srv01.example.com', severity: 'critical', component: 'mysql' }),
      eventCount: 1,
    });
  });

  it('acknowledges, then resolves, the same alert', async () => {
    const opened = await alertWhen('srv01/disk', () => true);
    const success = { status: 202, data: { status: 'success', message: 'Event processed', dedup_key: 'srv01/disk' } };

    expect(await pdjsEvent(withKey(pdAcknowledge))).toEqual(success);
    expect(await alertWhen('srv01/disk', (a) => a.status === 'ACCEPTED')).toMatchObject({ id: opened.id });

    expect(await pdjsEvent(withKey(pdResolve))).toEqual(success);
    expect(await alertWhen('srv01/disk', (a) => a.status === 'RESOLVED')).toMatchObject({ id: opened.id, eventCount: 1 });
  });

  it("gets PagerDuty's 400 for an invalid event", async () => {
    const { summary: _left, ...payload } = pdTrigger.payload;
    const answer = await pdjsEvent(withKey({ ...pdTrigger, dedup_key: 'srv02/disk', payload }));
    expect(answer).toEqual({
      status: 400,
      data: { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] },
    });
    expect((await client.alerts('alertKey=srv02%2Fdisk')).body.items).toEqual([]);
  });
});
