// PagerDuty's Events API v2 at POST /v2/enqueue on the real local runtime over HTTP: PagerDuty's answers, and events
// that open, append to, accept and resolve alerts exactly as ordinary events do.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(60_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
let routingKey: string;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
  routingKey = (await client.createSource()).integrationKey;
});
afterAll(() => rt?.stop());

const enqueue = (body: unknown, headers: Record<string, string> = {}) => client.postEvent(body, '/v2/enqueue', headers);
const trigger = (payload: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  enqueue({ routing_key: routingKey, event_action: 'trigger', payload: { source: 'db-1', severity: 'critical', ...payload }, ...extra });

/** The newest alert with this key once `holds` is true of it (events apply asynchronously after the 202). */
const alertWhen = (alertKey: string, holds: (alert: any) => boolean) =>
  waitFor(
    async () => {
      const alert = (await client.alerts(`alertKey=${encodeURIComponent(alertKey)}`)).body.items[0];
      return alert && holds(alert) ? alert : undefined;
    },
    { timeoutMs: 15_000, what: `the alert ${alertKey} to reach the expected state` },
  );

describe('a PagerDuty client pointed at Alertline', () => {
  it('opens an alert with a trigger, appends a repeat, accepts with acknowledge and resolves with resolve', async () => {
    const first = await trigger(
      { summary: 'Disk full on db-1', severity: 'warning', component: 'postgres', group: 'prod', class: 'disk', custom_details: { free: '0 B' } },
      {
        dedup_key: 'db-1/disk',
        links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
        client: 'Monitoring',
        client_url: 'https://monitoring.example.com/',
      },
    );
    expect([first.status, first.body]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'db-1/disk' }]);
    const opened = await alertWhen('db-1/disk', () => true);
    expect(opened).toMatchObject({
      status: 'PENDING',
      summary: 'Disk full on db-1',
      // The source has no priority rule, so the event's priority counts: warning is LOW.
      priority: 'LOW',
      customDetails: { source: 'db-1', severity: 'warning', component: 'postgres', group: 'prod', class: 'disk', custom_details: { free: '0 B' } },
      links: [
        { href: 'https://example.com/runbook', text: 'Runbook' },
        { href: 'https://monitoring.example.com/', text: 'Monitoring' },
      ],
      eventCount: 1,
    });

    expect((await trigger({ summary: 'Disk still full on db-1' }, { dedup_key: 'db-1/disk' })).status).toBe(202);
    const appended = await alertWhen('db-1/disk', (a) => a.eventCount === 2);
    expect(appended).toMatchObject({ id: opened.id, summary: 'Disk full on db-1', status: 'PENDING' });

    const ack = await enqueue({ routing_key: routingKey, event_action: 'acknowledge', dedup_key: 'db-1/disk' });
    expect([ack.status, ack.body]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'db-1/disk' }]);
    expect(await alertWhen('db-1/disk', (a) => a.status === 'ACCEPTED')).toMatchObject({ id: opened.id });

    const resolve = await enqueue({ routing_key: routingKey, event_action: 'resolve', dedup_key: 'db-1/disk' });
    expect(resolve.status).toBe(202);
    expect(await alertWhen('db-1/disk', (a) => a.status === 'RESOLVED')).toMatchObject({ id: opened.id, eventCount: 2 });
  });

  it('answers a generated dedup_key for a trigger without one, and it is the alert key', async () => {
    const res = await trigger({ summary: 'Backup job failed' });
    expect(res.status).toBe(202);
    const dedupKey: string = res.body.dedup_key;
    expect(dedupKey).toMatch(/.{8,}/);
    expect(await alertWhen(dedupKey, () => true)).toMatchObject({ alertKey: dedupKey, summary: 'Backup job failed', priority: 'HIGH' });

    expect((await enqueue({ routing_key: routingKey, event_action: 'resolve', dedup_key: dedupKey })).status).toBe(202);
    await alertWhen(dedupKey, (a) => a.status === 'RESOLVED');
  });

  it('honours Idempotency-Key as the events API does: a retry answers the first dedup_key again', async () => {
    const body = { routing_key: routingKey, event_action: 'trigger', payload: { summary: 'Retried', source: 'x', severity: 'info' } };
    const other = await enqueue(body);
    const headers = { 'Idempotency-Key': `pd-retry-${other.body.dedup_key}` };
    const [first, retry] = [await enqueue(body, headers), await enqueue(body, headers)];
    expect([first.status, retry.status]).toEqual([202, 202]);
    // Without the header the same body is another event with its own generated key; with it, the first answer again.
    expect(first.body.dedup_key).not.toBe(other.body.dedup_key);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });
});

describe("PagerDuty's refusals", () => {
  const invalid = (error: string) => ({ status: 'invalid event', message: 'Event object is invalid', errors: expect.arrayContaining([error]) });

  const payload = { summary: 's', source: 'x', severity: 'info' };
  it.each<[string, () => Record<string, unknown>, string]>([
    ['routing_key', () => ({ event_action: 'trigger', payload }), "'routing_key' is missing or blank"],
    ['event_action', () => ({ routing_key: routingKey, payload }), "'event_action' is missing or blank"],
    [
      'payload.summary',
      () => ({ routing_key: routingKey, event_action: 'trigger', payload: { source: 'x', severity: 'info' } }),
      "'payload.summary' is missing or blank",
    ],
  ])('answers 400 in PagerDuty shape for a missing %s', async (_field, body, error) => {
    const res = await enqueue(body());
    expect([res.status, res.body]).toEqual([400, invalid(error)]);
  });

  it('answers 400 in PagerDuty shape for a body that is not JSON', async () => {
    const res = await client.request('POST', '/v2/enqueue', { raw: '{"routing_key":', headers: { 'content-type': 'application/json' }, token: null });
    expect([res.status, res.body]).toEqual([400, invalid('The body is not valid JSON')]);
  });

  it('answers an unknown routing key with our 404 in PagerDuty shape', async () => {
    const res = await enqueue({
      routing_key: 'no-such-integration-key-at-all-00',
      event_action: 'trigger',
      payload: { summary: 's', source: 'x', severity: 'info' },
    });
    expect([res.status, res.body]).toEqual([
      404,
      { status: 'alert source not found', message: 'No alert source has this integration key', errors: ['No alert source has this integration key'] },
    ]);
  });

  it('answers a disabled alert source with our 403 in PagerDuty shape', async () => {
    const disabled = (await client.createSource({ active: false })).integrationKey;
    const res = await enqueue({ routing_key: disabled, event_action: 'resolve', dedup_key: 'k' });
    expect([res.status, res.body]).toEqual([
      403,
      { status: 'alert source disabled', message: 'This alert source is disabled', errors: ['This alert source is disabled'] },
    ]);
  });
});
