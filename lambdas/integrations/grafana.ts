// Grafana's unified alerting webhook (Grafana 10+): Alertmanager's alerts[] plus Grafana's URLs, image and value string.
import * as z from 'zod';
import type { InboundAdapter } from './adapter';
import { alertEntrySchema, alertEvent, alertsSchema, cut, optionalUrl, parseWith, toEvents, type AlertEntry } from './alert-webhook';

const TOOL = 'Grafana';
/** The most of Grafana's valueString kept in customDetails. */
export const VALUE_STRING_CHARS = 4096;

const grafanaAlertSchema = alertEntrySchema.extend({
  silenceURL: optionalUrl,
  dashboardURL: optionalUrl,
  panelURL: optionalUrl,
  imageURL: optionalUrl,
  // Cut, not refused: the tool does not retry a 4xx, and the alert matters more than its values' full text.
  valueString: z
    .string({ error: 'must be a string' })
    .transform((v) => cut(v, VALUE_STRING_CHARS))
    .nullish(),
});
type GrafanaAlert = AlertEntry & z.output<typeof grafanaAlertSchema>;

export const grafanaSchema = z.looseObject({
  alerts: alertsSchema(grafanaAlertSchema),
  title: z.string({ error: 'must be a string' }).nullish(),
  message: z.string({ error: 'must be a string' }).nullish(),
  state: z.string({ error: 'must be a string' }).nullish(),
});

/** Grafana's links in the order a person wants them: the panel, the dashboard, then the silence form. */
function extrasOf(alert: GrafanaAlert) {
  const candidates = [
    { href: alert.panelURL, text: 'Panel' },
    { href: alert.dashboardURL, text: 'Dashboard' },
    { href: alert.silenceURL, text: 'Silence' },
  ];
  return {
    links: candidates.filter((link): link is { href: string; text: string } => link.href !== undefined),
    imageURL: alert.imageURL,
    customDetails: alert.valueString ? { valueString: alert.valueString } : undefined,
  };
}

export function createGrafanaAdapter(): InboundAdapter {
  return {
    type: 'grafana',
    parse: ({ body }) => {
      const payload = parseWith(TOOL, grafanaSchema, body);
      const events = toEvents(
        TOOL,
        payload.alerts.map((alert) => alertEvent(alert, extrasOf(alert))),
        () => ({ images: 'imageURL' }),
      );
      return { kind: 'events', events };
    },
  };
}
