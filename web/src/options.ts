// The choices of an alert source's settings, as the server's lambdas/domain/alert-source.ts has them. A copy,
// because the UI is built from web/ alone; test/unit/web-options.test.ts fails when the two differ.

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
