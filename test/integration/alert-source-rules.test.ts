// Alert source settings made real, over HTTP on the local runtime: grouping modes, priority rules, Idempotency-Key.
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { clientFor } from '../support/client';

jest.setTimeout(90_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

const alertOf = async (alertId: string) => (await client.request('GET', `/api/alerts/${alertId}`)).body;

describe('grouping modes', () => {
  it('ONE_PENDING_ALERT_ALLOWED: appends while pending, opens a second alert once accepted, and key events go to the newest', async () => {
    const { integrationKey: apiKey } = await client.createSource({ alertCreation: 'ONE_PENDING_ALERT_ALLOWED' });
    const ev = (eventType: string) => ({ apiKey, eventType, alertKey: 'disk', summary: `${eventType} disk` });
    const [first, appended, accepted, second, resolved, resolvedOlder, none] = await client.send(
      ev('ALERT'),
      ev('ALERT'),
      ev('ACCEPT'),
      ev('ALERT'),
      ev('RESOLVE'),
      ev('RESOLVE'),
      ev('RESOLVE'),
    );
    expect([first, appended, accepted, second, resolved, resolvedOlder, none].map((r) => r.outcome)).toEqual([
      'CREATED',
      'APPENDED',
      'ACCEPTED',
      'CREATED',
      'RESOLVED',
      'RESOLVED',
      'NO_OPEN_ALERT',
    ]);
    expect(second.alertId).not.toBe(first.alertId);
    expect(resolved.alertId).toBe(second.alertId);
    expect(resolvedOlder.alertId).toBe(first.alertId);
    expect((await alertOf(first.alertId)).eventCount).toBe(2);
  });

  it('ONE_ALERT_PER_EVENT (and its ilert alias ONE_ALERT_PER_EMAIL): every ALERT opens its own alert', async () => {
    const source = await client.createSource({ alertCreation: 'ONE_ALERT_PER_EMAIL' });
    expect(source.alertCreation).toBe('ONE_ALERT_PER_EVENT');
    const ev = { apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'mail', summary: 'mail' };
    const records = await client.send(ev, ev, ev);
    expect(records.map((r) => r.outcome)).toEqual(['CREATED', 'CREATED', 'CREATED']);
    expect(new Set(records.map((r) => r.alertId)).size).toBe(3);
    const [resolved] = await client.send({ ...ev, eventType: 'RESOLVE' });
    expect(resolved.alertId).toBe(records[2].alertId);
  });

  it('ONE_ALERT_GROUPED_PER_WINDOW: ALERTs of any key inside the window join the open alert', async () => {
    const source = await client.createSource({ alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT5M' });
    const ev = (alertKey: string) => ({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey, summary: `${alertKey} firing` });
    const [first, other, third] = await client.send(ev('cpu'), ev('memory'), ev('disk'));
    expect([first.outcome, other.outcome, third.outcome]).toEqual(['CREATED', 'APPENDED', 'APPENDED']);
    expect(new Set([first.alertId, other.alertId, third.alertId]).size).toBe(1);
    expect((await alertOf(first.alertId)).eventCount).toBe(3);
    // Once resolved, the next ALERT opens a new window.
    const [resolved, next] = await client.send({ ...ev('cpu'), eventType: 'RESOLVE' }, ev('net'));
    expect(resolved.outcome).toBe('RESOLVED');
    expect(next.outcome).toBe('CREATED');
  });

  it('refuses window grouping without a window, and an unknown window, naming the field', async () => {
    for (const settings of [
      { alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW' },
      { alertCreation: 'ONE_ALERT_GROUPED_PER_WINDOW', alertGroupingWindow: 'PT7M' },
    ]) {
      const res = await client.request('POST', '/api/alert-sources', { body: { name: 'w', ...settings } });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: any) => e.path)).toEqual(['alertGroupingWindow']);
    }
  });
});

describe('priority', () => {
  const priorityOf = async (settings: Record<string, unknown>, event: Record<string, unknown>) => {
    const source = await client.createSource(settings);
    const [record] = await client.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'p', ...event });
    return alertOf(record.alertId);
  };

  it.each<[string, Record<string, unknown>, Record<string, unknown>, string]>([
    ['rule HIGH lets event LOW win', { alertPriorityRule: 'HIGH' }, { priority: 'LOW' }, 'LOW'],
    ['rule LOW ignores event HIGH', { alertPriorityRule: 'LOW' }, { priority: 'HIGH' }, 'LOW'],
    ['GRAFANA with rule LOW takes event HIGH', { integrationType: 'GRAFANA', alertPriorityRule: 'LOW' }, { priority: 'HIGH' }, 'HIGH'],
    [
      'a template mapping critical to HIGH beats event LOW',
      {
        alertPriorityRule: 'LOW',
        priorityTemplate: { valueTemplate: { textTemplate: '{{ customDetails.severity }}' }, mappings: [{ value: 'critical', priority: 'HIGH' }] },
      },
      { priority: 'LOW', customDetails: { severity: 'Critical' } },
      'HIGH',
    ],
    [
      'support hours ignore the event priority: never in support, so LOW',
      { alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS', supportHours: { timezone: 'Pacific/Kiritimati', supportDays: {} } },
      { priority: 'HIGH' },
      'LOW',
    ],
  ])('%s', async (_name, settings, event, expected) => {
    const alert = await priorityOf(settings, event);
    expect(alert.priority).toBe(expected);
    expect(alert.priorityReason).toEqual(expect.any(String));
    const log = (await client.request('GET', `/api/alerts/${alert.id}/log-entries`)).body.items;
    expect(log[0].text).toContain(`priority ${expected}`);
  });

  it('support hours that cover every day and hour make the time decide HIGH', async () => {
    const allWeek = Object.fromEntries(
      ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'].map((d) => [d, { start: '00:00', end: '24:00' }]),
    );
    const alert = await priorityOf(
      { alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS', supportHours: { timezone: 'Europe/Berlin', supportDays: allWeek } },
      { priority: 'LOW' },
    );
    expect(alert).toMatchObject({ priority: 'HIGH', priorityReason: 'inside support hours' });
  });

  it('refuses a malformed time zone or time with 400 naming the field', async () => {
    const res = await client.request('POST', '/api/alert-sources', {
      body: {
        name: 'tz',
        alertPriorityRule: 'HIGH_DURING_SUPPORT_HOURS',
        supportHours: { timezone: 'Europe/Atlantis', supportDays: { MONDAY: { start: '9am', end: '17:00' } } },
      },
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((e: any) => e.path).sort()).toEqual(['supportHours.supportDays.MONDAY.start', 'supportHours.timezone']);
  });
});

describe('Idempotency-Key', () => {
  it('returns the first eventId for a repeat within 24 h and applies the event once', async () => {
    const source = await client.createSource();
    const event = { apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'idem-1', summary: 'once' };
    const first = await client.postEvent(event, '/api/events', { 'idempotency-key': 'deploy-42' });
    const again = await client.postEvent(event, '/api/events', { 'idempotency-key': 'deploy-42' });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body.eventId).toBe(first.body.eventId);
    const [record] = await client.applied([first.body.eventId]);
    expect((await alertOf(record.alertId)).eventCount).toBe(1);
  });

  it('gives two racing requests with one key the same eventId, and applies it once', async () => {
    const source = await client.createSource();
    const event = { apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'idem-race', summary: 'race' };
    const replies = await Promise.all(Array.from({ length: 6 }, () => client.postEvent(event, '/api/events', { 'idempotency-key': 'same-key' })));
    expect(replies.map((r) => r.status)).toEqual([202, 202, 202, 202, 202, 202]);
    expect(new Set(replies.map((r) => r.body.eventId)).size).toBe(1);
    await client.applied([replies[0].body.eventId]);
    const [settle] = await client.send({ ...event, eventType: 'COMMENT', summary: 'settled' });
    const alert = await alertOf(settle.alertId);
    expect(alert.eventCount).toBe(1);
  });

  it('treats the same key of another alert source as another event, and refuses a malformed key', async () => {
    const [a, b] = [await client.createSource(), await client.createSource()];
    const send = (apiKey: string) =>
      client.postEvent({ apiKey, eventType: 'ALERT', alertKey: 'k', summary: 's' }, '/api/events', { 'idempotency-key': 'shared' });
    const [ra, rb] = [await send(a.integrationKey), await send(b.integrationKey)];
    expect(ra.body.eventId).not.toBe(rb.body.eventId);
    const bad = await client.postEvent({ apiKey: a.integrationKey, eventType: 'ALERT', summary: 's' }, '/api/events', { 'idempotency-key': 'x'.repeat(256) });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('Idempotency-Key');
  });
});

describe('routing keys', () => {
  const policy = async (name: string, routingKey?: string) => {
    const res = await client.request('POST', '/api/escalation-policies', {
      body: { name, routingKey, escalationRules: [{ escalationTimeout: 0 }] },
    });
    expect(res.status).toBe(201);
    return res.body as { id: string };
  };

  it('takes the policy of the routing key for a new alert, the source policy otherwise, and never changes it on append', async () => {
    const dbTeam = await policy('DB team', `team-db-${Date.now()}`);
    const fallback = await policy('Default');
    const source = await client.createSource({ escalationPolicy: { id: fallback.id } });
    const routingKey = (await client.request('GET', `/api/escalation-policies/${dbTeam.id}`)).body.routingKey;
    const ev = (alertKey: string, extra: Record<string, unknown> = {}) => ({
      apiKey: source.integrationKey,
      eventType: 'ALERT',
      alertKey,
      summary: alertKey,
      ...extra,
    });

    const [routed, appended, plain, unknown] = await client.send(
      ev('db', { routingKey }),
      ev('db', { routingKey: 'no-such-team' }),
      ev('web'),
      ev('cache', { routingKey: 'no-such-team' }),
    );
    expect(appended).toMatchObject({ outcome: 'APPENDED', alertId: routed.alertId });
    expect((await alertOf(routed.alertId)).escalationPolicy).toEqual({ id: dbTeam.id });
    expect((await alertOf(plain.alertId)).escalationPolicy).toEqual({ id: fallback.id });
    expect((await alertOf(unknown.alertId)).escalationPolicy).toEqual({ id: fallback.id });

    // A routing key on an ACCEPT or RESOLVE does not move the alert either.
    await client.send({ ...ev('web', { routingKey }), eventType: 'ACCEPT' });
    expect((await alertOf(plain.alertId)).escalationPolicy).toEqual({ id: fallback.id });
  });
});

describe('rate limit per alert source', () => {
  it('answers 429 with Retry-After past the limit, while other sources keep getting 202', async () => {
    const flooded = await client.createSource({ rateLimitPerMinute: 5 });
    const calm = await client.createSource();
    const event = (apiKey: string) => ({ apiKey, eventType: 'ALERT', alertKey: 'flood', summary: 'flood' });
    // 12 events against 5 per minute: even if a minute boundary falls in between, at most 10 get through.
    const replies = [];
    for (let i = 0; i < 12; i++) replies.push(await client.postEvent(event(flooded.integrationKey)));
    const accepted = replies.filter((r) => r.status === 202);
    const limited = replies.filter((r) => r.status === 429);
    expect(accepted.length + limited.length).toBe(12);
    expect(accepted.length).toBeLessThanOrEqual(10);
    expect(accepted[0].headers.get('x-ratelimit-limit')).toBe('5');
    expect(Number(accepted[0].headers.get('x-ratelimit-remaining'))).toBeLessThan(5);
    const first429 = limited[0];
    expect(first429.body).toMatchObject({ status: 429, code: 'RATE_LIMITED' });
    const retryAfter = Number(first429.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(first429.headers.get('x-ratelimit-remaining')).toBe('0');

    const other = await client.postEvent(event(calm.integrationKey));
    expect(other.status).toBe(202);
    // Whatever was accepted is applied; nothing refused is.
    const records = await client.applied(accepted.map((r) => r.body.eventId));
    const alert = (await client.request('GET', `/api/alerts/${records[0].alertId}`)).body;
    expect(alert.eventCount).toBe(accepted.length);
  });
});
