// The generic integrations route on the real local runtime over HTTP: each tool's recorded payload driven through the
// pipeline (alerts opened, appended, resolved), a payload accepted all together or not at all, and Idempotency-Key replay.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import amFiring from '../fixtures/alertmanager/firing.json';
import amResolved from '../fixtures/alertmanager/resolved.json';
import grafanaFiring from '../fixtures/grafana/firing.json';
import grafanaResolved from '../fixtures/grafana/resolved.json';
import pdAcknowledge from '../fixtures/pagerduty/acknowledge.json';
import pdResolve from '../fixtures/pagerduty/resolve.json';
import pdTrigger from '../fixtures/pagerduty/trigger.json';
import { clientFor } from '../support/client';
import { waitFor } from '../support/wait-for';

jest.setTimeout(90_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const post = (type: string, key: string, body: unknown, headers: Record<string, string> = {}, v1 = false) =>
  client.postEvent(body, `/api${v1 ? '/v1' : ''}/events/${type}/${encodeURIComponent(key)}`, headers);

/** The source's alert with this key once `holds` is true of it (events apply asynchronously after the 202). */
const alertWhen = (sourceId: string, alertKey: string, holds: (alert: any) => boolean = () => true) =>
  waitFor(
    async () => {
      const alert = (await client.alerts(`alertSourceId=${sourceId}&alertKey=${encodeURIComponent(alertKey)}`)).body.items[0];
      return alert && holds(alert) ? alert : undefined;
    },
    { timeoutMs: 20_000, what: `the alert ${alertKey} to reach the expected state` },
  );

/** Posts, expects 202 with one id per event, and waits until each event is applied; returns their outcomes. */
async function accepted(type: string, key: string, body: unknown, v1 = false): Promise<string[]> {
  const res = await post(type, key, body, {}, v1);
  expect([res.status, res.body.status]).toEqual([202, 'QUEUED']);
  const records = await client.applied(res.body.eventIds, 20_000);
  return records.map((r) => r.outcome);
}

describe('Alertmanager (webhook payload version 4)', () => {
  it('opens one alert per fingerprint, appends a repeated notification, and resolves with the resolved group', async () => {
    // A Prometheus source with the default rule (HIGH): the event's priority counts, so labels.severity decides.
    const source = await client.createSource({ integrationType: 'PROMETHEUS' });
    const res = await post('alertmanager', source.integrationKey, amFiring);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({ eventIds: [expect.any(String), expect.any(String)], alertKeys: ['a1b2c3d4e5f60718', '0f1e2d3c4b5a6978'], status: 'QUEUED' });
    expect(res.headers.get('x-ratelimit-limit')).toBe('1000');
    // Each event has its own record and outcome.
    const records = await client.applied(res.body.eventIds, 20_000);
    expect(records.map((r) => [r.eventId, r.outcome])).toEqual(res.body.eventIds.map((id: string) => [id, 'CREATED']));

    const first = await alertWhen(source.id, 'a1b2c3d4e5f60718');
    expect(first).toMatchObject({
      summary: 'Instance node-1.example.com:9100 down',
      details: 'node-1.example.com:9100 of job node has been down for more than 5 minutes.',
      priority: 'HIGH',
      links: [{ href: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1', text: 'Source' }],
      customDetails: { alertname: 'InstanceDown', instance: 'node-1.example.com:9100', job: 'node', severity: 'critical' },
    });
    expect(await alertWhen(source.id, '0f1e2d3c4b5a6978')).toMatchObject({ summary: 'InstanceDown on node-2.example.com:9100', priority: 'LOW' });

    // Alertmanager repeats a firing group every repeat_interval: the same fingerprints append (the v1 path too).
    expect(await accepted('alertmanager', source.integrationKey, amFiring, true)).toEqual(['APPENDED', 'APPENDED']);
    expect(await alertWhen(source.id, 'a1b2c3d4e5f60718')).toMatchObject({ id: first.id, eventCount: 2 });

    expect(await accepted('alertmanager', source.integrationKey, amResolved)).toEqual(['RESOLVED', 'RESOLVED']);
    expect(await alertWhen(source.id, 'a1b2c3d4e5f60718', (a) => a.status === 'RESOLVED')).toMatchObject({ id: first.id });
    await alertWhen(source.id, '0f1e2d3c4b5a6978', (a) => a.status === 'RESOLVED');
  });

  it('queues nothing of a payload whose second alert is invalid, naming that alert', async () => {
    const source = await client.createSource();
    const body = clone(amFiring);
    body.alerts[1].status = 'pending';
    const res = await post('alertmanager', source.integrationKey, body);
    expect([res.status, res.body.code, res.body.errors]).toEqual([
      400,
      'VALIDATION_FAILED',
      [{ path: 'alerts.1.status', message: 'must be one of firing, resolved' }],
    ]);
    // The source's events apply in order: once a later event is applied, anything queued before it would have been too.
    await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'marker', summary: 'after the refused payload' });
    expect((await client.alerts(`alertSourceId=${source.id}`)).body.items.map((a: any) => a.alertKey)).toEqual(['marker']);
  });

  it('replays the first answer to a repeated Idempotency-Key, and applies the payload once', async () => {
    const source = await client.createSource();
    const headers = { 'idempotency-key': 'am-group-1' };
    const first = await post('alertmanager', source.integrationKey, amFiring, headers);
    expect(first.status).toBe(202);
    const again = await post('alertmanager', source.integrationKey, amFiring, headers);
    expect([again.status, again.body, again.headers.get('idempotent-replayed')]).toEqual([202, first.body, 'true']);
    await client.applied(first.body.eventIds, 20_000);
    await client.send({ apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'a1b2c3d4e5f60718', summary: 'after' });
    const alerts = (await client.alerts(`alertSourceId=${source.id}`)).body.items;
    expect(alerts.map((a: any) => [a.alertKey, a.eventCount]).sort()).toEqual([
      ['0f1e2d3c4b5a6978', 1],
      ['a1b2c3d4e5f60718', 1],
    ]);
  });

  it('takes a payload within the rate limit as a whole, and refuses one that does not fit without queuing any of it', async () => {
    const source = await client.createSource({ rateLimitPerMinute: 3 });
    expect((await post('alertmanager', source.integrationKey, amFiring)).status).toBe(202);
    const refused = await post('alertmanager', source.integrationKey, amResolved);
    expect([refused.status, refused.body.code]).toEqual([429, 'RATE_LIMITED']);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // The third event of the minute still fits; once it is applied, a queued RESOLVE would have been too.
    await client.send({ apiKey: source.integrationKey, eventType: 'COMMENT', alertKey: 'a1b2c3d4e5f60718', summary: 'after' });
    const alerts = (await client.alerts(`alertSourceId=${source.id}`)).body.items;
    expect(alerts.map((a: any) => a.status)).toEqual(['PENDING', 'PENDING']);
  });

  it('answers 413 naming the limit, not a 429 no retry can pass, to a payload of more alerts than the source takes in a minute', async () => {
    const source = await client.createSource({ rateLimitPerMinute: 1 });
    const refused = await post('alertmanager', source.integrationKey, amFiring);
    expect([refused.status, refused.body.code, refused.headers.get('retry-after')]).toEqual([413, 'PAYLOAD_TOO_LARGE', null]);
    expect(refused.body.message).toContain('2 alerts');
    expect(refused.body.message).toContain('1 events per minute');
    // Nothing of the minute was spent: one event still fits.
    expect((await post('alertmanager', source.integrationKey, { ...amFiring, alerts: [amFiring.alerts[0]] })).status).toBe(202);
  });

  it('refuses a payload too large for one queue message with 413 before it spends the rate limit', async () => {
    const source = await client.createSource({ rateLimitPerMinute: 2 });
    // Astral characters are 4 bytes in the body and 12 in the queue's ASCII JSON, and a description is kept twice.
    const huge = clone(amFiring);
    for (const alert of huge.alerts) alert.annotations = { ...alert.annotations, description: '🔥'.repeat(30_000) };
    const refused = await post('alertmanager', source.integrationKey, huge);
    expect([refused.status, refused.body.code]).toEqual([413, 'PAYLOAD_TOO_LARGE']);
    expect(refused.body.message).toContain('queue message');
    // The two events of the minute are still there.
    expect(await accepted('alertmanager', source.integrationKey, amFiring)).toEqual(['CREATED', 'CREATED']);
  });
});

describe('Grafana (unified alerting webhook)', () => {
  it('opens an alert with its image, panel, dashboard and silence links, and resolves it', async () => {
    const source = await client.createSource({ integrationType: 'GRAFANA', alertPriorityRule: 'LOW' });
    expect(await accepted('grafana', source.integrationKey, grafanaFiring)).toEqual(['CREATED']);
    const alert = await alertWhen(source.id, '5d1c2f6a9e3b4a7c');
    expect(alert).toMatchObject({
      summary: 'CPU above 90% on web-1',
      priority: 'HIGH',
      images: [{ src: 'https://grafana.example.com/public/img/attachments/ZuXvbBX2pM3bWvYMDq2T.png' }],
      customDetails: {
        alertname: 'High CPU',
        severity: 'page',
        runbook_url: 'https://runbooks.example.com/high-cpu',
        valueString: expect.stringContaining('93.4'),
      },
    });
    expect(alert.links.map((l: any) => l.text)).toEqual(['Source', 'Panel', 'Dashboard', 'Silence']);
    expect(await accepted('grafana', source.integrationKey, grafanaResolved, true)).toEqual(['RESOLVED']);
    await alertWhen(source.id, '5d1c2f6a9e3b4a7c', (a) => a.status === 'RESOLVED');
  });

  it('names the Grafana field it refuses', async () => {
    const source = await client.createSource();
    const body = clone(grafanaFiring) as any;
    body.alerts[0].imageURL = 'attachments/x.png';
    const res = await post('grafana', source.integrationKey, body);
    expect([res.status, res.body.errors]).toEqual([400, [{ path: 'alerts.0.imageURL', message: 'must be an absolute http: or https: URL' }]]);
  });
});

describe('PagerDuty on the generic route', () => {
  it('triggers with images and links, acknowledges and resolves, answering as PagerDuty; the key is the path one', async () => {
    const source = await client.createSource();
    // The body's routing_key is the placeholder of the recorded payload: the path's key decides.
    const triggered = await post('pagerduty', source.integrationKey, pdTrigger);
    expect([triggered.status, triggered.body]).toEqual([202, { status: 'success', message: 'Event processed', dedup_key: 'srv01/disk' }]);
    const alert = await alertWhen(source.id, 'srv01/disk');
    expect(alert).toMatchObject({
      summary: 'DISK at 99% on srv01.example.com',
      priority: 'HIGH',
      images: [{ src: 'https://chart.example.com/disk.png', href: 'https://example.com/disk', alt: 'Disk usage of srv01' }],
      links: [
        { href: 'https://runbooks.example.com/disk', text: 'Runbook' },
        { href: 'https://monitoring.example.com', text: 'Sample Monitoring Service' },
      ],
      customDetails: { source: 'srv01.example.com', component: 'mysql', custom_details: { 'free space': '1%' } },
    });
    expect((await post('pagerduty', source.integrationKey, pdAcknowledge)).status).toBe(202);
    await alertWhen(source.id, 'srv01/disk', (a) => a.status === 'ACCEPTED');
    expect((await post('pagerduty', source.integrationKey, pdResolve, {}, true)).body).toEqual({
      status: 'success',
      message: 'Event processed',
      dedup_key: 'srv01/disk',
    });
    await alertWhen(source.id, 'srv01/disk', (a) => a.status === 'RESOLVED');
  });

  it("refuses in PagerDuty's shape", async () => {
    const source = await client.createSource();
    const body = clone(pdTrigger) as any;
    delete body.payload.summary;
    const res = await post('pagerduty', source.integrationKey, body);
    expect([res.status, res.body]).toEqual([
      400,
      { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] },
    ]);
    const unknown = await post('pagerduty', 'no-such-key', pdTrigger);
    expect([unknown.status, unknown.body.status]).toEqual([404, 'alert source not found']);
  });
});

describe('the generic route', () => {
  it('answers 404 INTEGRATION_TYPE_NOT_FOUND for an unknown type, and 404 ALERT_SOURCE_NOT_FOUND for an unknown key', async () => {
    const source = await client.createSource();
    const type = await post('nagios', source.integrationKey, amFiring);
    expect([type.status, type.body.code]).toEqual([404, 'INTEGRATION_TYPE_NOT_FOUND']);
    expect((await post('nagios', source.integrationKey, amFiring, {}, true)).body.code).toBe('INTEGRATION_TYPE_NOT_FOUND');
    const key = await post('alertmanager', 'no-such-key', amFiring);
    expect([key.status, key.body.code]).toEqual([404, 'ALERT_SOURCE_NOT_FOUND']);
  });
});
