// What Alertmanager's and Grafana's webhooks share: the schema of an entry of alerts[] and its mapping to ordinary events (SPEC section 9).
import * as z from 'zod';
import { LIMITS, eventSchema, type EventInput } from '../domain/event';
import { fieldErrors, isHttpUrl, isPlainObject, utf8Bytes, type FieldError } from '../domain/validation';
import { HttpError } from '../handlers/http';

/** The most events one request may carry: their one queue message stays far inside QUEUE.maxMessageBytes. */
export const MAX_INBOUND_EVENTS = 100;

export const ALERT_STATUSES = ['firing', 'resolved'] as const;
/** labels.severity values that make an alert HIGH; any other (or none) is LOW. */
export const HIGH_SEVERITIES = ['critical', 'page', 'high', 'error'] as const;

/** Go's encoders send null for an empty map or an unset value; treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const stringMap = z
  // undefined passes on to the record, which calls it required.
  .custom<Record<string, unknown>>((v) => v === undefined || isPlainObject(v), 'must be an object of strings')
  .pipe(z.record(z.string(), z.string({ error: 'must be a string' })));
const dateTime = z.iso.datetime({ offset: true, error: 'must be an RFC 3339 date-time' });
/**
 * An empty URL is how both tools say "none" (an alert posted to Alertmanager's API has no generatorURL). One over
 * LIMITS.urlChars is dropped, not refused: the tools do not retry a 4xx, so the alert itself would be lost to a link.
 */
export const optionalUrl = optional(
  z
    .string({ error: 'must be a string' })
    .transform((v) => (v.length > LIMITS.urlChars ? '' : v))
    .refine((v) => v === '' || isHttpUrl(v), 'must be an absolute http: or https: URL')
    .transform((v) => (v === '' ? undefined : v)),
);

export const alertEntrySchema = z.object({
  status: z.enum(ALERT_STATUSES, { error: `must be one of ${ALERT_STATUSES.join(', ')}` }),
  labels: stringMap,
  annotations: optional(stringMap),
  startsAt: optional(dateTime),
  endsAt: optional(dateTime),
  generatorURL: optionalUrl,
  fingerprint: z
    .string({ error: 'must be a string' })
    .trim()
    .min(1, 'must not be empty')
    .max(LIMITS.alertKeyChars, `must be at most ${LIMITS.alertKeyChars} characters`),
});
export type AlertEntry = z.output<typeof alertEntrySchema>;

export const alertsSchema = <T extends z.ZodType>(entry: T) =>
  z
    .array(entry, { error: 'must be an array' })
    .min(1, 'must have at least 1 item')
    .max(MAX_INBOUND_EVENTS, `must have at most ${MAX_INBOUND_EVENTS} items (set max_alerts to ${MAX_INBOUND_EVENTS})`);

/** The tool's extras for one alert (Grafana's URLs and image), beside what every entry has. */
export interface AlertExtras {
  links?: Array<{ href: string; text: string }>;
  imageURL?: string;
  customDetails?: Record<string, unknown>;
  /** Where each event field came from in the tool's entry, for error paths (e.g. images -> imageURL). */
  fieldOf?: Record<string, string>;
}

export const cut = (text: string, maxChars: number) => (text.length > maxChars ? `${text.slice(0, maxChars - 1)}…` : text);

/** At most `maxBytes` of UTF-8, cut at a character boundary. */
function cutBytes(text: string, maxBytes: number): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8').subarray(0, maxBytes - 3);
  return `${bytes.toString('utf8').replace(/\uFFFD$/, '')}…`;
}

/** annotations.summary, else alertname and instance: what a person reads first. Cut, not refused: an alert is never lost to its length. */
function summaryOf(alert: AlertEntry): string {
  const given = alert.annotations?.summary?.trim();
  const named = [alert.labels.alertname, alert.labels.instance].filter((v) => v?.trim()).join(' on ');
  return cut(given || named || `Alert ${alert.fingerprint}`, LIMITS.summaryChars);
}

const priorityOf = (alert: AlertEntry) => ((HIGH_SEVERITIES as readonly string[]).includes(alert.labels.severity?.trim().toLowerCase() ?? '') ? 'HIGH' : 'LOW');

/** One entry as the event of SPEC section 2: firing -> ALERT, resolved -> RESOLVE, grouped by its fingerprint. */
export function alertEvent(alert: AlertEntry, extras: AlertExtras = {}): Record<string, unknown> {
  const description = alert.annotations?.description;
  const links = [...(alert.generatorURL ? [{ href: alert.generatorURL, text: 'Source' }] : []), ...(extras.links ?? [])];
  return {
    eventType: alert.status === 'firing' ? 'ALERT' : 'RESOLVE',
    alertKey: alert.fingerprint,
    summary: summaryOf(alert),
    details: description ? cutBytes(description, LIMITS.detailsBytes) : undefined,
    priority: priorityOf(alert),
    links: links.length > 0 ? links : undefined,
    images: extras.imageURL ? [{ src: extras.imageURL }] : undefined,
    // Labels after annotations: a label names the alert (severity, alertname), so it wins a clash.
    customDetails: { ...alert.annotations, ...alert.labels, ...extras.customDetails },
  };
}

const EVENT_FIELD_OF: Record<string, string> = {
  alertKey: 'fingerprint',
  summary: 'annotations.summary',
  details: 'annotations.description',
  links: 'generatorURL',
  customDetails: 'labels',
};

/**
 * The events of `alerts`, checked by the events schema like any other; a refusal names the tool's field
 * (`alerts.<i>.<field>`). `tool` names the payload in the message.
 */
export function toEvents(tool: string, alerts: readonly Record<string, unknown>[], fieldOf: (i: number) => Record<string, string> = () => ({})): EventInput[] {
  const errors: FieldError[] = [];
  const events = alerts.map((raw, i) => {
    const parsed = eventSchema.safeParse(raw, { reportInput: true });
    if (parsed.success) return parsed.data;
    const fields = { ...EVENT_FIELD_OF, ...fieldOf(i) };
    for (const error of fieldErrors(parsed.error)) errors.push({ ...error, path: `alerts.${i}.${fields[error.path.split('.')[0]] ?? error.path}` });
    return undefined;
  });
  if (errors.length > 0) throw invalidPayload(tool, errors);
  return events as EventInput[];
}

/** 400 VALIDATION_FAILED naming the tool's fields. */
export const invalidPayload = (tool: string, errors: FieldError[]) =>
  new HttpError(400, 'VALIDATION_FAILED', `Invalid ${tool} payload: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);

/** Parses `body` with `schema`, or throws the tool's 400. */
export function parseWith<T extends z.ZodType>(tool: string, schema: T, body: unknown): z.output<T> {
  const parsed = schema.safeParse(body, { reportInput: true });
  if (!parsed.success) throw invalidPayload(tool, fieldErrors(parsed.error));
  return parsed.data;
}
