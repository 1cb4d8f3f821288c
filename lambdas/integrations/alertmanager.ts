// Prometheus Alertmanager's webhook (payload version 4): its schema and its alerts as ordinary events, in order.
import * as z from 'zod';
import type { InboundAdapter } from './adapter';
import { alertEntrySchema, alertEvent, alertsSchema, optionalUrl, parseWith, toEvents } from './alert-webhook';

const TOOL = 'Alertmanager';

/** The group's own fields are read only for what they tell about the payload; each alert carries all it needs. */
export const alertmanagerSchema = z.looseObject({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  status: z.enum(['firing', 'resolved'], { error: 'must be one of firing, resolved' }).optional(),
  externalURL: optionalUrl,
  alerts: alertsSchema(alertEntrySchema),
});

export function createAlertmanagerAdapter(): InboundAdapter {
  return {
    type: 'alertmanager',
    parse: ({ body }) => {
      const payload = parseWith(TOOL, alertmanagerSchema, body);
      return {
        kind: 'events',
        events: toEvents(
          TOOL,
          payload.alerts.map((alert) => alertEvent(alert)),
        ),
      };
    },
  };
}
