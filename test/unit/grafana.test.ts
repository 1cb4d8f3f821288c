// Grafana's unified alerting webhook (Grafana 10+): its alerts mapped to ordinary events with Grafana's links, image and
// value string (SPEC section 9), and every malformed payload refused with a 400 naming Grafana's field.
import firing from '../fixtures/grafana/firing.json';
import resolved from '../fixtures/grafana/resolved.json';
import { HttpError } from '../../lambdas/handlers/http';
import type { Inbound } from '../../lambdas/integrations/adapter';
import { createGrafanaAdapter } from '../../lambdas/integrations/grafana';

const adapter = createGrafanaAdapter();
const eventsOf = (body: unknown) => {
  const inbound = adapter.parse({ body, headers: {} }) as Inbound;
  if (inbound.kind !== 'events') throw new Error('expected events');
  return inbound.events;
};
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;
const withAlert = (change: (alert: Record<string, unknown>) => void) => {
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

describe('the mapping of a Grafana notification', () => {
  it('turns a firing alert into an ALERT with the panel, dashboard and silence links, the image and the value string', () => {
    expect(eventsOf(firing)).toEqual([
      {
        eventType: 'ALERT',
        alertKey: '5d1c2f6a9e3b4a7c',
        summary: 'CPU above 90% on web-1',
        details: 'CPU usage has been above 90% for 5 minutes.',
        priority: 'HIGH',
        links: [
          { href: 'https://grafana.example.com/alerting/grafana/cdz8wjvm6qbk0c/view?orgId=1', text: 'Source' },
          { href: 'https://grafana.example.com/d/rYdddlPWk?orgId=1&viewPanel=3', text: 'Panel' },
          { href: 'https://grafana.example.com/d/rYdddlPWk?orgId=1', text: 'Dashboard' },
          {
            href: 'https://grafana.example.com/alerting/silence/new?alertmanager=grafana&matcher=alertname%3DHigh+CPU&matcher=instance%3Dweb-1&orgId=1',
            text: 'Silence',
          },
        ],
        images: [{ src: 'https://grafana.example.com/public/img/attachments/ZuXvbBX2pM3bWvYMDq2T.png' }],
        customDetails: {
          alertname: 'High CPU',
          grafana_folder: 'Infrastructure',
          instance: 'web-1',
          severity: 'page',
          summary: 'CPU above 90% on web-1',
          description: 'CPU usage has been above 90% for 5 minutes.',
          runbook_url: 'https://runbooks.example.com/high-cpu',
          valueString: "[ var='B' labels={instance=web-1} value=93.4 ], [ var='C' labels={instance=web-1} value=1 ]",
        },
      },
    ]);
  });

  it('turns a resolved alert into a RESOLVE of the same fingerprint', () => {
    expect(eventsOf(resolved)).toEqual([expect.objectContaining({ eventType: 'RESOLVE', alertKey: '5d1c2f6a9e3b4a7c', images: undefined })]);
  });

  it('takes empty URLs (Grafana sends "" where there is none) as absent', () => {
    const [event] = eventsOf(withAlert((a) => Object.assign(a, { silenceURL: '', dashboardURL: '', panelURL: '', imageURL: '', generatorURL: '' })));
    expect(event).toMatchObject({ links: undefined, images: undefined });
  });

  it('drops links over 2048 characters and keeps the others, rather than losing the alert (Grafana does not retry a 4xx)', () => {
    const long = (base: string) => `${base}&var-host=${'h'.repeat(2100)}`;
    const [event] = eventsOf(
      withAlert((a) =>
        Object.assign(a, { generatorURL: long(String(a.generatorURL)), panelURL: long(String(a.panelURL)), silenceURL: long(String(a.silenceURL)) }),
      ),
    );
    expect(event.links).toEqual([{ href: 'https://grafana.example.com/d/rYdddlPWk?orgId=1', text: 'Dashboard' }]);
  });

  it('cuts a valueString over 4096 characters rather than losing the alert', () => {
    const [event] = eventsOf(withAlert((a) => (a.valueString = `[ var='B' value=${'9'.repeat(6000)} ]`)));
    const valueString = String(event.customDetails?.valueString);
    expect(valueString).toHaveLength(4096);
    expect(valueString.startsWith("[ var='B' value=999")).toBe(true);
  });
});

describe('a malformed Grafana payload', () => {
  it.each<[string, unknown, string, string]>([
    ['no alerts', { ...clone(firing), alerts: undefined }, 'alerts', 'is required'],
    ['an alert without status', withAlert((a) => delete a.status), 'alerts.0.status', 'is required'],
    ['an alert in an unknown status', withAlert((a) => (a.status = 'alerting')), 'alerts.0.status', 'firing, resolved'],
    ['an alert without fingerprint', withAlert((a) => delete a.fingerprint), 'alerts.0.fingerprint', 'is required'],
    ['labels that are not an object', withAlert((a) => (a.labels = ['x'])), 'alerts.0.labels', 'must be an object'],
    ['an imageURL that is no URL', withAlert((a) => (a.imageURL = 'attachments/x.png')), 'alerts.0.imageURL', 'http'],
    ['a panelURL that is no URL', withAlert((a) => (a.panelURL = 'javascript:alert(1)')), 'alerts.0.panelURL', 'http'],
    ['a dashboardURL that is not a string', withAlert((a) => (a.dashboardURL = 3)), 'alerts.0.dashboardURL', 'must be a string'],
    ['a silenceURL that is no URL', withAlert((a) => (a.silenceURL = '/alerting/silence/new')), 'alerts.0.silenceURL', 'http'],
    ['a valueString that is not a string', withAlert((a) => (a.valueString = 93.4)), 'alerts.0.valueString', 'must be a string'],
    ['a startsAt that is no date', withAlert((a) => (a.startsAt = '30/11/2026')), 'alerts.0.startsAt', 'RFC 3339'],
    ['a title that is not a string', { ...clone(firing), title: 1 }, 'title', 'must be a string'],
  ])('%s: 400', (_what, body, path, message) => {
    const error = refusal(body);
    expect([error.status, error.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(error.errors).toContainEqual({ path, message: expect.stringContaining(message) });
    expect(error.message).toMatch(/^Invalid Grafana payload: /);
  });
});
