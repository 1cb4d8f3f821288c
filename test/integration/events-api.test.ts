// The events API over HTTP on the local runtime: the documented curl, both URL forms, and every bad input of an event body (each a 4xx naming the field).
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let key: string;

beforeAll(async () => {
  // Alert source settings are cached by the ingest for SOURCE_CACHE_TTL_MS; shortened here so a re-enabled source is seen quickly.
  rt = await startRuntimeProcess({ env: { SOURCE_CACHE_TTL_MS: '1000' } });
  client = clientFor(rt);
  key = (await client.createSource()).integrationKey;
});
afterAll(() => rt?.stop());

describe('the demo printed at start', () => {
  it('prints a curl that answers 202 as printed, and the alert is visible within 2 seconds with every field as sent', async () => {
    const curl = /^\s*(curl -sS -X POST .*)$/m.exec(rt.output())![1];
    const { stdout } = await promisify(execFile)('sh', ['-c', curl]);
    const accepted = JSON.parse(stdout);
    expect(accepted).toEqual({ eventId: expect.any(String), alertKey: 'demo-disk-full', status: 'QUEUED' });

    const sent = JSON.parse(/-d '(.*)'$/.exec(curl)![1]);
    const started = Date.now();
    let alert: any;
    while (!alert && Date.now() - started < 2000) {
      alert = (await client.alerts('alertKey=demo-disk-full')).body.items[0];
      if (!alert) await new Promise((r) => setTimeout(r, 50));
    }
    expect(alert).toMatchObject({
      status: 'PENDING',
      summary: sent.summary,
      details: sent.details,
      images: sent.images,
      links: sent.links,
      customDetails: sent.customDetails,
      priority: 'HIGH',
      eventCount: 1,
    });
  });
});

describe('accepted events', () => {
  it('answers 202 with an eventId, the alertKey and QUEUED', async () => {
    const res = await client.postEvent({ apiKey: key, eventType: 'ALERT', summary: 'CPU high', alertKey: 'cpu-1' });
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ eventId: expect.stringMatching(/^[0-9A-Z]{26}$/), alertKey: 'cpu-1', status: 'QUEUED' });
  });

  it('generates an alertKey for an ALERT without one, which then resolves the alert', async () => {
    const res = await client.postEvent({ apiKey: key, eventType: 'ALERT', summary: 'no key given' });
    expect(res.status).toBe(202);
    const generated = res.body.alertKey;
    expect(generated).toMatch(/.{8,}/);
    const [resolve] = await client.send({ apiKey: key, eventType: 'RESOLVE', alertKey: generated });
    expect(resolve.outcome).toBe('RESOLVED');
  });

  it.each([
    ['/api/events', { integrationKey: 'KEY' }],
    ['/api/v1/events', { apiKey: 'KEY' }],
    ['/api/events/KEY', {}],
    ['/api/v1/events/KEY', {}],
  ])('takes the alert source from %s %j', async (path, keyFields) => {
    const fill = (o: Record<string, string>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.replace('KEY', key)]));
    const res = await client.postEvent({ ...fill(keyFields), eventType: 'ALERT', summary: 'via ' + path }, path.replace('KEY', key));
    expect(res.status).toBe(202);
    const [record] = await client.applied([res.body.eventId]);
    expect(record.outcome).toBe('CREATED');
  });

  it('accepts application/json with a charset and ignores unknown fields', async () => {
    const res = await client.postEvent({ apiKey: key, eventType: 'ALERT', summary: 'x', surprise: { a: 1 } }, '/api/events', {
      'content-type': 'application/json; charset=utf-8',
    });
    expect(res.status).toBe(202);
  });
});

describe('refused events', () => {
  const expectError = (res: { status: number; body: any }, status: number, code: string, path?: string) => {
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ status, code, message: expect.any(String) });
    if (path) expect(res.body.errors.map((e: any) => e.path)).toContain(path);
  };
  const alert = (fields: Record<string, unknown>) => ({ apiKey: key, eventType: 'ALERT', summary: 's', ...fields });

  it.each<[string, Record<string, unknown>, string]>([
    ['no eventType', { eventType: undefined }, 'eventType'],
    ['an unknown eventType', { eventType: 'EXPLODE' }, 'eventType'],
    ['an ALERT without summary', { summary: undefined }, 'summary'],
    ['a blank summary', { summary: '   ' }, 'summary'],
    ['a summary over 1024 characters', { summary: 'x'.repeat(1025) }, 'summary'],
    ['details over 64 KiB', { details: 'é'.repeat(33 * 1024) }, 'details'],
    ['an alertKey over 255 characters', { alertKey: 'k'.repeat(256) }, 'alertKey'],
    ['an unknown priority', { priority: 'URGENT' }, 'priority'],
    ['21 images', { images: Array.from({ length: 21 }, () => ({ src: 'https://x.test/a.png' })) }, 'images'],
    ['an image that is not http(s)', { images: [{ src: 'javascript:alert(1)' }] }, 'images.0.src'],
    ['a relative link', { links: [{ href: '/runbook' }] }, 'links.0.href'],
    ['21 links', { links: Array.from({ length: 21 }, () => ({ href: 'https://x.test' })) }, 'links'],
    ['customDetails that is an array', { customDetails: [1, 2] }, 'customDetails'],
    ['customDetails 33 levels deep', { customDetails: JSON.parse('{"a":'.repeat(33) + '1' + '}'.repeat(33)) }, 'customDetails'],
    ['a routingKey over 255 characters', { routingKey: 'r'.repeat(256) }, 'routingKey'],
    ['summary of the wrong type', { summary: 42 }, 'summary'],
  ])('400 for %s, naming the field', async (_name, fields, path) => {
    expectError(await client.postEvent(alert(fields)), 400, 'VALIDATION_FAILED', path);
  });

  it.each(['ACCEPT', 'RESOLVE', 'COMMENT'])('400 for %s without alertKey', async (eventType) => {
    expectError(await client.postEvent({ apiKey: key, eventType }), 400, 'VALIDATION_FAILED', 'alertKey');
  });

  it('400 naming apiKey when no key is given anywhere', async () => {
    expectError(await client.postEvent({ eventType: 'ALERT', summary: 's' }), 400, 'VALIDATION_FAILED', 'apiKey');
  });

  it('400 for a body that is not JSON, or not a JSON object', async () => {
    const headers = { 'content-type': 'application/json' };
    expectError(await client.request('POST', '/api/events', { raw: '{"eventType":', headers, token: null }), 400, 'INVALID_JSON');
    expectError(await client.request('POST', '/api/events', { raw: '[1,2]', headers, token: null }), 400, 'INVALID_BODY');
  });

  it('415 for another content type', async () => {
    const res = await client.request('POST', '/api/events', { raw: JSON.stringify(alert({})), headers: { 'content-type': 'text/plain' }, token: null });
    expectError(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('413 for a body over 256 KiB, even when valid', async () => {
    expectError(await client.postEvent(alert({ customDetails: { blob: 'x'.repeat(257 * 1024) } })), 413, 'PAYLOAD_TOO_LARGE');
  });

  it('404 for an unknown integration key, in the body or in the path', async () => {
    expectError(await client.postEvent(alert({ apiKey: 'al1-not-a-key' })), 404, 'ALERT_SOURCE_NOT_FOUND');
    expectError(await client.postEvent({ eventType: 'ALERT', summary: 's' }, '/api/events/al1-not-a-key'), 404, 'ALERT_SOURCE_NOT_FOUND');
  });

  it('403 for a disabled alert source, and 202 again once it is enabled (within the cache time)', async () => {
    const source = await client.createSource({ active: false });
    const event = { apiKey: source.integrationKey, eventType: 'ALERT', summary: 's' };
    expectError(await client.postEvent(event), 403, 'ALERT_SOURCE_DISABLED');
    expect((await client.request('PUT', `/api/alert-sources/${source.id}`, { body: { active: true } })).status).toBe(200);
    const deadline = Date.now() + 3000;
    let status = 0;
    while (status !== 202 && Date.now() < deadline) {
      status = (await client.postEvent(event)).status;
      if (status !== 202) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(202);
  });

  it('never answers 5xx to odd but harmless input', async () => {
    const odd = [
      alert({ summary: '\u0000\u0001 control \u001f chars', customDetails: JSON.parse('{"__proto__":{"polluted":true},"constructor":1}') }),
      alert({ summary: '\ud800 lone surrogate and emoji 🚨', alertKey: ' MiXeD ' }),
      alert({ details: null, images: null, links: [], customDetails: {} }),
    ];
    for (const body of odd) {
      const res = await client.postEvent(body);
      expect(res.status).toBe(202);
    }
    const res = await client.postEvent(odd[0]);
    const [record] = await client.applied([res.body.eventId]);
    expect(record.outcome).toMatch(/CREATED|APPENDED/);
    const stored = (await client.request('GET', `/api/alerts/${record.alertId}`)).body;
    expect(stored.customDetails).toEqual(JSON.parse('{"__proto__":{"polluted":true},"constructor":1}'));
    expect(({} as any).polluted).toBeUndefined();
  });
});
