// PagerDuty Events API v2 (POST /v2/enqueue): its body's schema, its mapping to an ordinary event, and its answers.
import * as z from 'zod';
import { LIMITS, imageSchema, linkSchema, type EventInput } from '../domain/event';
import { isPlainObject, jsonDepth, type FieldError } from '../domain/validation';
import { HttpError, json, type HttpResponse } from '../handlers/http';
import type { InboundAdapter } from './adapter';

export const PAGERDUTY_ROUTE_KEY = 'POST /v2/enqueue';

export const EVENT_ACTIONS = ['trigger', 'acknowledge', 'resolve'] as const;
export const SEVERITIES = ['critical', 'error', 'warning', 'info'] as const;

const EVENT_TYPE_OF = { trigger: 'ALERT', acknowledge: 'ACCEPT', resolve: 'RESOLVE' } as const;
// SPEC section 9: PagerDuty's four severities fold onto our two priorities.
const PRIORITY_OF = { critical: 'HIGH', error: 'HIGH', warning: 'LOW', info: 'LOW' } as const;

/** PagerDuty's clients send null for unset fields as often as they leave them out. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);
const blankIsMissing = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value);
const required = (max: number) => z.preprocess(blankIsMissing, z.string().trim().max(max, `must be at most ${max} characters`));
const text = optional(z.string().max(LIMITS.textChars, `must be at most ${LIMITS.textChars} characters`));

const payloadSchema = z.object({
  summary: required(LIMITS.summaryChars),
  source: required(255),
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }),
  timestamp: optional(z.iso.datetime({ offset: true, error: 'must be an ISO 8601 date-time' })),
  component: text,
  group: text,
  class: text,
  // PagerDuty documents an object but accepts any JSON; one level is kept for our wrapper object.
  custom_details: optional(z.unknown().refine((v) => jsonDepth(v) < LIMITS.customDetailsDepth, `must be at most ${LIMITS.customDetailsDepth - 1} levels deep`)),
});

export const pagerDutyEventSchema = z
  .object({
    routing_key: required(255),
    event_action: z.enum(EVENT_ACTIONS, { error: `must be one of ${EVENT_ACTIONS.join(', ')}` }),
    dedup_key: optional(
      z.preprocess(blankIsMissing, z.string().trim().max(LIMITS.alertKeyChars, `must be at most ${LIMITS.alertKeyChars} characters`).optional()),
    ),
    // Only a trigger needs a payload (PagerDuty ignores it on acknowledge and resolve): checked below.
    payload: optional(z.unknown()),
    images: optional(z.array(imageSchema).max(LIMITS.images, `must have at most ${LIMITS.images} items`)),
    links: optional(z.array(linkSchema)),
    client: text,
    client_url: optional(linkSchema.shape.href),
  })
  .superRefine((event, ctx) => {
    // client_url becomes one more link ("View in <client>"), so it counts against the links' limit.
    const linkCount = (event.links?.length ?? 0) + (event.client_url ? 1 : 0);
    if (linkCount > LIMITS.links) ctx.addIssue({ code: 'custom', path: ['links'], message: `must have at most ${LIMITS.links} items, client_url counted` });
    if (event.event_action === 'trigger') {
      const payload = payloadSchema.safeParse(event.payload ?? {}, { reportInput: true });
      if (!payload.success) for (const issue of payload.error.issues) ctx.addIssue({ ...issue, path: ['payload', ...issue.path] } as never);
    } else if (event.dedup_key === undefined) {
      ctx.addIssue({ code: 'custom', path: ['dedup_key'], message: `is required to ${event.event_action}` });
    }
  });

export type PagerDutyEvent = z.output<typeof pagerDutyEventSchema>;

/** One message per problem, naming PagerDuty's field as its documentation does ("'payload.summary' is missing or blank"). */
export function pagerDutyErrors(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const path = issue.path.map(String).join('.') || 'event';
    const input = (issue as { input?: unknown }).input;
    const missing = (issue.code === 'invalid_type' || issue.code === 'invalid_value') && input === undefined;
    if (missing) return `'${path}' is missing or blank`;
    if (issue.code === 'invalid_type') return `'${path}' must be ${issue.expected === 'object' ? 'an' : 'a'} ${issue.expected}`;
    return `'${path}' ${issue.message}`;
  });
}

export type ParsedPagerDutyEvent = { ok: true; integrationKey: string; input: EventInput } | { ok: false; errors: string[] };

/** A PagerDuty body as the ordinary event of SPEC section 2 (section 9's mapping), or PagerDuty's error messages. */
export function parsePagerDutyEvent(body: unknown): ParsedPagerDutyEvent {
  if (!isPlainObject(body)) return { ok: false, errors: ["'event' must be a JSON object"] };
  const parsed = pagerDutyEventSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) return { ok: false, errors: pagerDutyErrors(parsed.error) };
  const event = parsed.data;
  const links = event.client_url ? [...(event.links ?? []), { href: event.client_url, text: event.client }] : event.links;
  // Parsed above by the same schema when it is a trigger; this only types it.
  const payload = event.event_action === 'trigger' ? payloadSchema.parse(event.payload) : undefined;
  const { summary, severity, ...rest } = payload ?? {};
  const input: EventInput = {
    apiKey: undefined,
    integrationKey: undefined,
    eventType: EVENT_TYPE_OF[event.event_action],
    alertKey: event.dedup_key,
    summary,
    details: undefined,
    priority: severity && PRIORITY_OF[severity],
    images: event.images,
    links,
    // PagerDuty's own names, severity included, so that a priorityTemplate on customDetails.severity works as for other
    // tools; the JSON round trip drops the fields that were not sent.
    customDetails: payload && JSON.parse(JSON.stringify({ ...rest, severity })),
    routingKey: undefined,
  };
  return { ok: true, integrationKey: event.routing_key, input };
}

/** PagerDuty's 202: the dedup_key is the alert key, generated for a trigger that had none. */
export const pagerDutyAccepted = (dedupKey: string, headers: Record<string, string> = {}): HttpResponse =>
  json(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey }, headers);

/** An HttpError answered in PagerDuty's shape: a 400 is PagerDuty's "invalid event"; the others keep our status code. */
export class PagerDutyError extends HttpError {
  constructor(
    from: HttpError,
    readonly messages: string[] = from.errors?.map(describe) ?? [from.message],
  ) {
    super(from.status, from.code, from.message, from.errors);
    this.headers = from.headers;
  }
  override toResponse(): HttpResponse {
    const status = this.status === 400 ? 'invalid event' : this.status === 429 ? 'throttle event' : this.code.toLowerCase().replaceAll('_', ' ');
    const message = this.status === 400 ? 'Event object is invalid' : this.message;
    return json(this.status, { status, message, errors: this.messages }, this.headers);
  }
}

const describe = (error: FieldError) => `'${error.path}' ${error.message}`;

/** PagerDuty's 400 for a body its schema refuses. */
export const invalidPagerDutyEvent = (errors: string[]) =>
  new PagerDutyError(new HttpError(400, 'VALIDATION_FAILED', `Invalid event: ${errors.join('; ')}`), errors);

/**
 * PagerDuty's events on the generic route (POST /api/events/pagerduty/{apiKey}): the key is the path's, so the body
 * may leave routing_key out (any it has is ignored).
 */
export function createPagerDutyAdapter(): InboundAdapter {
  return {
    type: 'pagerduty',
    parse: ({ body }) => {
      const keyed = isPlainObject(body) ? { ...body, routing_key: 'from-the-path' } : body;
      const parsed = parsePagerDutyEvent(keyed);
      if (!parsed.ok) throw invalidPagerDutyEvent(parsed.errors);
      return { kind: 'events', events: [parsed.input] };
    },
  };
}
