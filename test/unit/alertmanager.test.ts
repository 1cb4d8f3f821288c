// Alertmanager's webhook (payload version 4): its alerts mapped to ordinary events in order (SPEC section 9), and every
// malformed payload refused with a 400 naming Alertmanager's field.
import firing from '../fixtures/alertmanager/firing.json';
import resolved from '../fixtures/alertmanager/resolved.json';
import { HttpError } from '../../lambdas/handlers/http';
import type { Inbound } from '../../lambdas/integrations/adapter';
import { createAlertmanagerAdapter } from '../../lambdas/integrations/alertmanager';
import { MAX_INBOUND_EVENTS } from '../../lambdas/integrations/index';

const adapter = createAlertmanagerAdapter();
const eventsOf = (body: unknown) => {
  const inbound = adapter.parse({ body, headers: {} }) as Inbound;
  if (inbound.kind !== 'events') throw new Error('expected events');
  return inbound.events;
};
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
/** The fixture with its first alert changed by `change`. */
const withFirstAlert = (change: (alert: Record<string, unknown>) => void) => {
  const body = clone(firing) as unknown as { alerts: Array<Record<string, unknown>> };
  change(body.alerts[0]);
  return body;
};
const refusal = (body: unknown): HttpError => {
  try {
    eventsOf(body);
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('the mapping of an Alertmanager notification', () => {
  it('turns each alert of a firing group into an ALERT, in order, keyed by fingerprint', () => {
    const [first, second] = eventsOf(firing);
    expect(first).toEqual({
      eventType: 'ALERT',
      alertKey: 'a1b2c3d4e5f60718',
      summary: 'Instance node-1.example.com:9100 down',
      details: 'node-1.example.com:9100 of job node has been down for more than 5 minutes.',
      priority: 'HIGH',
      links: [{ href: 'http://prometheus.example.com:9090/graph?g0.expr=up+%3D%3D+0&g0.tab=1', text: 'Source' }],
      customDetails: {
        alertname: 'InstanceDown',
        instance: 'node-1.example.com:9100',
        job: 'node',
        severity: 'critical',
        summary: 'Instance node-1.example.com:9100 down',
        description: 'node-1.example.com:9100 of job node has been down for more than 5 minutes.',
      },
    });
    // No annotations.summary: alertname and instance; severity warning is LOW.
    expect(second).toMatchObject({ eventType: 'ALERT', alertKey: '0f1e2d3c4b5a6978', summary: 'InstanceDown on node-2.example.com:9100', priority: 'LOW' });
  });

  it('turns each alert of a resolved group into a RESOLVE of the same key', () => {
    expect(eventsOf(resolved).map((e) => [e.eventType, e.alertKey])).toEqual([
      ['RESOLVE', 'a1b2c3d4e5f60718'],
      ['RESOLVE', '0f1e2d3c4b5a6978'],
    ]);
  });

  it.each([
    ['critical', 'HIGH'],
    ['page', 'HIGH'],
    ['High', 'HIGH'],
    ['error', 'HIGH'],
    ['warning', 'LOW'],
    ['info', 'LOW'],
  ])('labels.severity %s is %s', (severity, priority) => {
    expect(eventsOf(withFirstAlert((a) => (a.labels = { alertname: 'X', severity })))[0].priority).toBe(priority);
  });

  it('is LOW without a severity label, and summarises by alertname alone without an instance', () => {
    const [event] = eventsOf(withFirstAlert((a) => ((a.labels = { alertname: 'Watchdog' }), (a.annotations = {}))));
    expect(event).toMatchObject({ priority: 'LOW', summary: 'Watchdog', details: undefined, customDetails: { alertname: 'Watchdog' } });
  });

  it('takes null annotations and an empty generatorURL (an alert posted to the API) as absent', () => {
    const [event] = eventsOf(withFirstAlert((a) => ((a.annotations = null), (a.generatorURL = ''))));
    expect(event).toMatchObject({ summary: 'InstanceDown on node-1.example.com:9100', links: undefined });
  });

  it('drops a generatorURL over 2048 characters rather than losing the alert (Alertmanager does not retry a 4xx)', () => {
    const long = `https://prometheus.example.com/graph?g0.expr=${'x'.repeat(2100)}`;
    const [event] = eventsOf(withFirstAlert((a) => (a.generatorURL = long)));
    expect(event).toMatchObject({ alertKey: 'a1b2c3d4e5f60718', links: undefined });
  });

  it('cuts a summary over 1024 characters rather than losing the alert', () => {
    const [event] = eventsOf(withFirstAlert((a) => (a.annotations = { summary: 'x'.repeat(5000) })));
    expect(event.summary).toHaveLength(1024);
  });
});

describe('a malformed Alertmanager payload', () => {
  it.each<[string, unknown, string, string]>([
    ['not an object', [1, 2], '(body)', 'must be an object'],
    ['another payload version', { ...clone(firing), version: '3' }, 'version', 'must be "4"'],
    ['no version', { ...clone(firing), version: undefined }, 'version', 'is required'],
    ['no alerts', { ...clone(firing), alerts: undefined }, 'alerts', 'is required'],
    ['alerts not an array', { ...clone(firing), alerts: {} }, 'alerts', 'must be an array'],
    ['an empty alerts', { ...clone(firing), alerts: [] }, 'alerts', 'at least 1'],
    ['an alert that is not an object', { ...clone(firing), alerts: ['x'] }, 'alerts.0', 'must be an object'],
    ['no status', withFirstAlert((a) => delete a.status), 'alerts.0.status', 'is required'],
    ['an unknown status', withFirstAlert((a) => (a.status = 'pending')), 'alerts.0.status', 'firing, resolved'],
    ['no labels', withFirstAlert((a) => delete a.labels), 'alerts.0.labels', 'is required'],
    ['a label that is not a string', withFirstAlert((a) => (a.labels = { alertname: 1 })), 'alerts.0.labels.alertname', 'must be a string'],
    ['annotations not an object', withFirstAlert((a) => (a.annotations = 'x')), 'alerts.0.annotations', 'must be an object of strings'],
    ['no fingerprint', withFirstAlert((a) => delete a.fingerprint), 'alerts.0.fingerprint', 'is required'],
    ['a blank fingerprint', withFirstAlert((a) => (a.fingerprint = ' ')), 'alerts.0.fingerprint', 'must not be empty'],
    ['a startsAt that is no date', withFirstAlert((a) => (a.startsAt = 'yesterday')), 'alerts.0.startsAt', 'RFC 3339'],
    ['an endsAt that is no date', withFirstAlert((a) => (a.endsAt = 42)), 'alerts.0.endsAt', 'must be a string'],
    ['a generatorURL that is no URL', withFirstAlert((a) => (a.generatorURL = 'prometheus:9090')), 'alerts.0.generatorURL', 'http'],
    ['a fingerprint over 255 characters', withFirstAlert((a) => (a.fingerprint = 'f'.repeat(300))), 'alerts.0.fingerprint', 'at most 255'],
  ])('%s: 400', (_what, body, path, message) => {
    const error = refusal(body);
    expect([error.status, error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(error.errors).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(error.message).toMatch(/^Invalid Alertmanager payload: /);
  });

  it('names the second alert when only it is invalid (the whole payload is refused)', () => {
    const body = clone(firing) as unknown as { alerts: Array<Record<string, unknown>> };
    body.alerts[1].status = 'unknown';
    expect(refusal(body).errors).toEqual([{ path: 'alerts.1.status', message: 'must be one of firing, resolved' }]);
  });

  it(`refuses more than ${MAX_INBOUND_EVENTS} alerts, naming alerts and max_alerts`, () => {
    const alerts = Array.from({ length: MAX_INBOUND_EVENTS + 1 }, (_, i) => ({ ...firing.alerts[0], fingerprint: `f${i}` }));
    expect(refusal({ ...clone(firing), alerts }).errors).toEqual([{ path: 'alerts', message: expect.stringContaining(`max_alerts to ${MAX_INBOUND_EVENTS}`) }]);
  });
});
