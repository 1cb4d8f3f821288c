// Alert sources: the settings an integration's events are judged by, and the schema of the management API's bodies.
import { z } from 'zod';

export const INTEGRATION_TYPES = [
  'API', 'GRAFANA', 'SERVICENOW', 'PROMETHEUS', 'DATADOG', 'CLOUDWATCH', 'NAGIOS', 'ZABBIX', 'ICINGA',
  'UPTIMEROBOT', 'PINGDOM', 'SENTRY', 'NEWRELIC', 'DYNATRACE', 'SPLUNK', 'EMAIL', 'WEBHOOK',
] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const ALERT_CREATION_MODES = [
  'ONE_OPEN_ALERT_ALLOWED', 'ONE_PENDING_ALERT_ALLOWED', 'ONE_ALERT_PER_EVENT', 'ONE_ALERT_GROUPED_PER_WINDOW',
] as const;
export type AlertCreation = (typeof ALERT_CREATION_MODES)[number];

export const ALERT_PRIORITY_RULES = ['HIGH', 'LOW', 'HIGH_DURING_SUPPORT_HOURS', 'LOW_DURING_SUPPORT_HOURS'] as const;
export type AlertPriorityRule = (typeof ALERT_PRIORITY_RULES)[number];

export interface AlertSource {
  id: string;
  name: string;
  integrationKey: string;
  integrationType: IntegrationType;
  active: boolean;
  escalationPolicy?: { id: string };
  alertCreation: AlertCreation;
  alertPriorityRule: AlertPriorityRule;
  createdAt: string;
  updatedAt: string;
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** The settings a client may write; id, integrationKey and timestamps are the server's. */
export const alertSourceSettingsSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  integrationType: oneOf(INTEGRATION_TYPES).default('API'),
  active: z.boolean({ error: 'must be true or false' }).default(true),
  escalationPolicy: z.object({ id: z.string().min(1, 'must not be empty') }).nullish().transform((v) => v ?? undefined),
  alertCreation: z
    .preprocess((v) => (v === 'ONE_ALERT_PER_EMAIL' ? 'ONE_ALERT_PER_EVENT' : v), oneOf(ALERT_CREATION_MODES))
    .default('ONE_OPEN_ALERT_ALLOWED'),
  alertPriorityRule: oneOf(ALERT_PRIORITY_RULES).default('HIGH'),
});
export type AlertSourceSettings = z.output<typeof alertSourceSettingsSchema>;

/** PUT merges the given fields over the stored source, then validates the whole as on create. */
export function mergeSettings(current: AlertSource, patch: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, integrationKey: _k, apiKey: _a, createdAt: _c, updatedAt: _u, ...settings } = { ...current, apiKey: undefined };
  return { ...settings, ...patch };
}
