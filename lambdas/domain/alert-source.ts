// Alert sources: the settings an integration's events are judged by, and the schema of the management API's bodies.
import * as z from 'zod';
import { isAutoResolutionTimeout } from './auto-resolution';

export const INTEGRATION_TYPES = [
  'API',
  'GRAFANA',
  'SERVICENOW',
  'PROMETHEUS',
  'DATADOG',
  'CLOUDWATCH',
  'NAGIOS',
  'ZABBIX',
  'ICINGA',
  'UPTIMEROBOT',
  'PINGDOM',
  'SENTRY',
  'NEWRELIC',
  'DYNATRACE',
  'SPLUNK',
  'EMAIL',
  'WEBHOOK',
] as const;
export type IntegrationType = (typeof INTEGRATION_TYPES)[number];

export const ALERT_CREATION_MODES = ['ONE_OPEN_ALERT_ALLOWED', 'ONE_PENDING_ALERT_ALLOWED', 'ONE_ALERT_PER_EVENT', 'ONE_ALERT_GROUPED_PER_WINDOW'] as const;
export type AlertCreation = (typeof ALERT_CREATION_MODES)[number];

export const ALERT_PRIORITY_RULES = ['HIGH', 'LOW', 'HIGH_DURING_SUPPORT_HOURS', 'LOW_DURING_SUPPORT_HOURS'] as const;
export type AlertPriorityRule = (typeof ALERT_PRIORITY_RULES)[number];

export const GROUPING_WINDOWS = ['PT2M', 'PT5M', 'PT15M', 'PT30M', 'PT1H', 'PT2H', 'PT4H', 'PT8H', 'PT12H', 'PT24H'] as const;
export type GroupingWindow = (typeof GROUPING_WINDOWS)[number];
export const WEEKDAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'] as const;
export type Weekday = (typeof WEEKDAYS)[number];

/** Minutes of a grouping window, e.g. PT2H -> 120. */
export const windowMinutes = (window: GroupingWindow): number => {
  const [, n, unit] = /^PT(\d+)([MH])$/.exec(window)!;
  return Number(n) * (unit === 'H' ? 60 : 1);
};

export interface SupportHours {
  timezone: string;
  supportDays: Partial<Record<Weekday, { start: string; end: string }>>;
}

export interface PriorityTemplate {
  valueTemplate: { textTemplate: string };
  mappings: Array<{ value: string; priority: 'HIGH' | 'LOW' }>;
}

export interface AlertSource {
  id: string;
  name: string;
  integrationKey: string;
  integrationType: IntegrationType;
  active: boolean;
  escalationPolicy?: { id: string };
  alertCreation: AlertCreation;
  alertGroupingWindow?: GroupingWindow;
  alertPriorityRule: AlertPriorityRule;
  supportHours?: SupportHours;
  priorityTemplate?: PriorityTemplate;
  /** Events accepted per minute; more answer 429. Absent on sources stored before the setting existed. */
  rateLimitPerMinute?: number;
  /**
   * The routing keys this source's events may follow to another escalation policy; any other routing key
   * leaves the source's policy. Absent: every routing key is followed.
   */
  allowedRoutingKeys?: string[];
  /** ISO-8601 duration (PT1M to P30D): an open alert no event touched for that long is resolved. Absent: never. */
  autoResolutionTimeout?: string;
  createdAt: string;
  updatedAt: string;
}

const oneOf = <T extends readonly [string, ...string[]]>(values: T) => z.enum(values, { error: `must be one of ${values.join(', ')}` });

/** As many as one source may name; the same bound as an event's routing key for each. */
export const ALLOWED_ROUTING_KEYS_LIMITS = { keys: 100, keyChars: 255 } as const;

/** Generous for one monitoring tool (PagerDuty allows 120 per minute), small enough to stop a runaway script. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 1000;

export const isValidTimeZone = (zone: string): boolean => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return zone.length > 0;
  } catch {
    return false;
  }
};

const clockTime = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'must be a time HH:mm from 00:00 to 24:00');

const supportHoursSchema = z.object({
  timezone: z.string().refine(isValidTimeZone, 'must be an IANA time zone such as Europe/Berlin'),
  supportDays: z
    .partialRecord(
      oneOf(WEEKDAYS),
      z
        .object({ start: clockTime, end: clockTime })
        .refine((d) => d.start !== d.end, { message: 'start and end must differ (a window may cross midnight: 22:00 to 06:00)', path: ['end'] })
        .nullish(),
    )
    .transform((days) => Object.fromEntries(Object.entries(days).filter(([, v]) => v)) as SupportHours['supportDays']),
});

const priorityTemplateSchema = z.object({
  valueTemplate: z.object({
    textTemplate: z
      .string()
      .min(1, 'must not be empty')
      .max(1024, 'must be at most 1024 characters')
      .refine((t) => /\{\{[^}]+\}\}/.test(t), 'must contain a {{ placeholder }} such as {{ customDetails.severity }}'),
  }),
  mappings: z
    .array(z.object({ value: z.string().trim().min(1, 'must not be empty').max(255), priority: oneOf(['HIGH', 'LOW'] as const) }))
    .min(1, 'must have at least one mapping')
    .max(100, 'must have at most 100 mappings'),
});

const R = ALLOWED_ROUTING_KEYS_LIMITS;
// Trimmed as the events API trims an event's routing key, so that the two compare exactly; duplicates are dropped.
const allowedRoutingKeysSchema = z
  .array(z.string().trim().min(1, 'must not be empty').max(R.keyChars, `must be at most ${R.keyChars} characters`))
  .max(R.keys, `must have at most ${R.keys} routing keys`)
  .nullish()
  .transform((keys) => (keys ? [...new Set(keys)] : undefined));

/** The settings a client may write; id, integrationKey and timestamps are the server's. */
export const alertSourceSettingsSchema = z
  .object({
    name: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
    integrationType: oneOf(INTEGRATION_TYPES).default('API'),
    active: z.boolean({ error: 'must be true or false' }).default(true),
    escalationPolicy: z
      .object({ id: z.string().min(1, 'must not be empty') })
      .nullish()
      .transform((v) => v ?? undefined),
    alertCreation: z
      .preprocess((v) => (v === 'ONE_ALERT_PER_EMAIL' ? 'ONE_ALERT_PER_EVENT' : v), oneOf(ALERT_CREATION_MODES))
      .default('ONE_OPEN_ALERT_ALLOWED'),
    alertGroupingWindow: oneOf(GROUPING_WINDOWS)
      .nullish()
      .transform((v) => v ?? undefined),
    alertPriorityRule: oneOf(ALERT_PRIORITY_RULES).default('HIGH'),
    supportHours: supportHoursSchema.nullish().transform((v) => v ?? undefined),
    priorityTemplate: priorityTemplateSchema.nullish().transform((v) => v ?? undefined),
    rateLimitPerMinute: z
      .number({ error: 'must be a number' })
      .int('must be an integer')
      .min(1, 'must be at least 1')
      .max(1_000_000, 'must be at most 1000000')
      .default(DEFAULT_RATE_LIMIT_PER_MINUTE),
    allowedRoutingKeys: allowedRoutingKeysSchema,
    autoResolutionTimeout: z
      .string({ error: 'must be an ISO-8601 duration from PT1M to P30D, e.g. PT4H' })
      .refine(isAutoResolutionTimeout, 'must be an ISO-8601 duration from PT1M to P30D, e.g. PT4H')
      .nullish()
      .transform((v) => v ?? undefined),
  })
  .superRefine((s, ctx) => {
    if (s.alertCreation === 'ONE_ALERT_GROUPED_PER_WINDOW' && !s.alertGroupingWindow) {
      ctx.addIssue({
        code: 'custom',
        path: ['alertGroupingWindow'],
        message: `is required for ONE_ALERT_GROUPED_PER_WINDOW: one of ${GROUPING_WINDOWS.join(', ')}`,
      });
    }
    if (s.alertPriorityRule.endsWith('_DURING_SUPPORT_HOURS') && !s.supportHours) {
      ctx.addIssue({ code: 'custom', path: ['supportHours'], message: `is required for ${s.alertPriorityRule}` });
    }
  });
export type AlertSourceSettings = z.output<typeof alertSourceSettingsSchema>;

/** PUT merges the given fields over the stored source, then validates the whole as on create. */
export function mergeSettings(current: AlertSource, patch: Record<string, unknown>): Record<string, unknown> {
  const { id: _id, integrationKey: _k, apiKey: _a, createdAt: _c, updatedAt: _u, ...settings } = { ...current, apiKey: undefined };
  return { ...settings, ...patch };
}
