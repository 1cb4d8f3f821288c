// PagerDuty Events API v2: its body mapped to the ordinary event (SPEC section 9), and every refusal naming PagerDuty's field.
import { parsePagerDutyEvent, PagerDutyError, invalidPagerDutyEvent } from '../../lambdas/integrations/pagerduty';
import { HttpError } from '../../lambdas/handlers/http';

const KEY = 'R0ut1ngKeyOfThirtyTwoCharacters!';
const trigger = (payload: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  routing_key: KEY,
  event_action: 'trigger',
  payload: { summary: 'Disk full on db-1', source: 'db-1', severity: 'critical', ...payload },
  ...extra,
});

const errorsOf = (body: unknown) => {
  const parsed = parsePagerDutyEvent(body);
  if (parsed.ok) throw new Error('expected the body to be refused');
  return parsed.errors;
};

describe('the mapping of a PagerDuty event', () => {
  it('turns a full trigger into an ALERT with summary, priority, customDetails, images and links', () => {
    const parsed = parsePagerDutyEvent(
      trigger(
        { timestamp: '2026-12-01T05:00:00.000+00:00', component: 'postgres', group: 'prod', class: 'disk', custom_details: { free: '0 B' } },
        {
          dedup_key: ' db-1/disk ',
          images: [{ src: 'https://example.com/g.png', href: 'https://example.com/g', alt: 'graph' }],
          links: [{ href: 'https://example.com/runbook', text: 'Runbook' }],
          client: 'Monitoring',
          client_url: 'https://monitoring.example.com/',
        },
      ),
    );
    expect(parsed).toEqual({
      ok: true,
      integrationKey: KEY,
      input: expect.objectContaining({
        eventType: 'ALERT',
        alertKey: 'db-1/disk',
        summary: 'Disk full on db-1',
        priority: 'HIGH',
        images: [{ src: 'https://example.com/g.png', href: 'https://example.com/g', alt: 'graph' }],
        links: [
          { href: 'https://example.com/runbook', text: 'Runbook' },
          { href: 'https://monitoring.example.com/', text: 'Monitoring' },
        ],
        customDetails: {
          source: 'db-1',
          severity: 'critical',
          timestamp: '2026-12-01T05:00:00.000+00:00',
          component: 'postgres',
          group: 'prod',
          class: 'disk',
          custom_details: { free: '0 B' },
        },
      }),
    });
  });

  it.each([
    ['critical', 'HIGH'],
    ['error', 'HIGH'],
    ['warning', 'LOW'],
    ['info', 'LOW'],
  ])('maps severity %s to priority %s', (severity, priority) => {
    const parsed = parsePagerDutyEvent(trigger({ severity }));
    expect(parsed.ok && parsed.input.priority).toBe(priority);
  });

  it('leaves the alert key of a trigger without dedup_key to be generated', () => {
    const parsed = parsePagerDutyEvent(trigger());
    expect(parsed.ok && parsed.input.alertKey).toBeUndefined();
  });

  it.each([
    ['acknowledge', 'ACCEPT'],
    ['resolve', 'RESOLVE'],
  ])('maps %s to %s on the dedup_key, with no payload needed', (event_action, eventType) => {
    const parsed = parsePagerDutyEvent({ routing_key: KEY, event_action, dedup_key: 'db-1/disk' });
    expect(parsed).toEqual({ ok: true, integrationKey: KEY, input: expect.objectContaining({ eventType, alertKey: 'db-1/disk', summary: undefined }) });
  });
});

describe('a refused PagerDuty event', () => {
  it.each<[string, unknown, string]>([
    ['routing_key missing', { event_action: 'trigger', payload: trigger().payload }, "'routing_key' is missing or blank"],
    ['routing_key blank', { ...trigger(), routing_key: '  ' }, "'routing_key' is missing or blank"],
    ['routing_key too long', { ...trigger(), routing_key: 'k'.repeat(256) }, "'routing_key' must be at most 255 characters"],
    ['event_action missing', { routing_key: KEY, payload: trigger().payload }, "'event_action' is missing or blank"],
    ['event_action unknown', { ...trigger(), event_action: 'escalate' }, "'event_action' must be one of trigger, acknowledge, resolve"],
    ['payload missing', { routing_key: KEY, event_action: 'trigger' }, "'payload.summary' is missing or blank"],
    ['payload not an object', { ...trigger(), payload: 'disk full' }, "'payload' must be an object"],
    ['payload.summary missing', trigger({ summary: undefined }), "'payload.summary' is missing or blank"],
    ['payload.summary blank', trigger({ summary: ' ' }), "'payload.summary' is missing or blank"],
    ['payload.summary too long', trigger({ summary: 's'.repeat(1025) }), "'payload.summary' must be at most 1024 characters"],
    ['payload.source missing', trigger({ source: undefined }), "'payload.source' is missing or blank"],
    ['payload.severity missing', trigger({ severity: undefined }), "'payload.severity' is missing or blank"],
    ['payload.severity unknown', trigger({ severity: 'fatal' }), "'payload.severity' must be one of critical, error, warning, info"],
    ['payload.timestamp not a date', trigger({ timestamp: 'yesterday' }), "'payload.timestamp' must be an ISO 8601 date-time"],
    ['dedup_key too long', trigger({}, { dedup_key: 'd'.repeat(256) }), "'dedup_key' must be at most 255 characters"],
    ['dedup_key missing to acknowledge', { routing_key: KEY, event_action: 'acknowledge' }, "'dedup_key' is required to acknowledge"],
    ['dedup_key missing to resolve', { routing_key: KEY, event_action: 'resolve' }, "'dedup_key' is required to resolve"],
    ['images.0.src not a URL', trigger({}, { images: [{ src: 'javascript:alert(1)' }] }), "'images.0.src' must be an absolute http: or https: URL"],
    ['links.0.href missing', trigger({}, { links: [{ text: 'Runbook' }] }), "'links.0.href' is missing or blank"],
    ['client_url not a URL', trigger({}, { client_url: 'ftp://example.com' }), "'client_url' must be an absolute http: or https: URL"],
    [
      'links over 20 with client_url',
      trigger({}, { links: Array.from({ length: 20 }, () => ({ href: 'https://example.com/' })), client_url: 'https://example.com/' }),
      "'links' must have at most 20 items, client_url counted",
    ],
  ])('%s', (_case, body, message) => {
    expect(errorsOf(body)).toContain(message);
  });

  it('lists every problem, not only the first', () => {
    expect(errorsOf({ payload: {} })).toEqual(expect.arrayContaining(["'routing_key' is missing or blank", "'event_action' is missing or blank"]));
  });

  it('refuses a body that is not an object', () => {
    expect(errorsOf([trigger()])).toEqual(["'event' must be a JSON object"]);
  });
});

describe("PagerDuty's answers", () => {
  it('answers a refused body as PagerDuty does', () => {
    const res = invalidPagerDutyEvent(["'payload.summary' is missing or blank"]).toResponse();
    expect([res.statusCode, JSON.parse(res.body as string)]).toEqual([
      400,
      { status: 'invalid event', message: 'Event object is invalid', errors: ["'payload.summary' is missing or blank"] },
    ]);
  });

  it('keeps our status code and headers for other refusals, in PagerDuty shape', () => {
    const limited = new HttpError(429, 'RATE_LIMITED', 'This alert source accepts 1 events per minute; retry after 30 s');
    limited.headers = { 'retry-after': '30' };
    const res = new PagerDutyError(limited).toResponse();
    expect(res.statusCode).toBe(429);
    expect(res.headers).toMatchObject({ 'retry-after': '30' });
    expect(JSON.parse(res.body as string)).toEqual({
      status: 'throttle event',
      message: 'This alert source accepts 1 events per minute; retry after 30 s',
      errors: ['This alert source accepts 1 events per minute; retry after 30 s'],
    });
  });
});
