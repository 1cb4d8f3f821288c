// The JSON Schemas of the OpenAPI document: request bodies generated from the handlers' zod schemas, responses described here and checked against the domain types.
import { z } from 'zod';
import { QUEUE } from '../contract';
import { ALERT_STATUSES, EVENT_OUTCOMES, LOG_ENTRY_TYPES, type AlertView, type LogEntry } from '../domain/alert';
import {
  ALERT_CREATION_MODES,
  ALERT_PRIORITY_RULES,
  GROUPING_WINDOWS,
  INTEGRATION_TYPES,
  WEEKDAYS,
  alertSourceSettingsSchema,
  type AlertSource,
} from '../domain/alert-source';
import { escalationPolicySettingsSchema, type EscalationPolicy } from '../domain/escalation-policy';
import { EVENT_TYPES, LIMITS, PRIORITIES, eventSchema } from '../domain/event';
import type { FieldError } from '../domain/validation';
import type { AlertStore } from '../store/alerts';
import type { EventView } from '../store/events';

export type JsonSchema = { [key: string]: unknown };

/** Metadata for the document only: a private registry, so that nothing leaks into zod's global one. */
const docs = z.registry<{ id?: string; description?: string; format?: string }>();
const described = <T extends z.ZodType>(schema: T, meta: { id?: string; description?: string; format?: string }): T => {
  docs.add(schema, meta);
  return schema;
};

const timestamp = () => described(z.string(), { format: 'date-time', description: 'ISO 8601 UTC timestamp' });
const idRef = (what: string) => described(z.object({ id: z.string() }), { description: `The ${what}, by id` });
const priority = z.enum(PRIORITIES);

// Responses: what the handlers write, field for field.

const fieldError = described(z.object({ path: z.string(), message: z.string() }), {
  id: 'FieldError',
  description: 'One invalid field: its dotted path (e.g. images.0.src) and what is wrong with it',
});

described(
  z.object({
    status: described(z.number().int(), { description: 'The HTTP status code, repeated' }),
    code: z.string(),
    message: z.string(),
    errors: z.array(fieldError).optional(),
  }),
  { id: 'Error', description: 'Every error answer: a machine code, a human message, and for validation failures one entry per invalid field' },
);

described(z.object({ eventId: z.string(), alertKey: z.string(), status: z.literal('QUEUED') }), {
  id: 'EventAccepted',
  description: 'The event is recorded and queued; alertKey is the generated one when an ALERT had none',
});

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only by the type checks at the end of this file
const eventRecord = described(
  z.object({
    eventId: z.string(),
    alertSourceId: z.string().optional(),
    eventType: z.enum(EVENT_TYPES).optional(),
    alertKey: z.string().optional(),
    receivedAt: timestamp(),
    processedAt: timestamp().optional(),
    outcome: z.enum(EVENT_OUTCOMES),
    alertId: z.string().optional(),
    error: z.string().optional(),
  }),
  {
    id: 'EventRecord',
    description:
      'What became of an accepted event (kept 30 days); QUEUED until the processor applied it, FAILED once parked in the dead-letter queue. ' +
      'Deployed on AWS, an event has no record until it is applied: while QUEUED the answer holds only eventId, receivedAt (the time ' +
      'its id carries) and outcome, as alertSourceId, eventType and alertKey are unknown until then; that answer is given for an id ' +
      `shaped as the eventIds Alertline gives, up to the event queue's retention (${QUEUE.retentionSeconds / 86_400} days) after its time, and 404 after it. ` +
      'An event refused with a 503 is 404.',
  },
);

const image = described(z.object({ src: z.string(), href: z.string().optional(), alt: z.string().optional() }), { id: 'Image' });
const link = described(z.object({ href: z.string(), text: z.string().optional() }), { id: 'Link' });

const alert = described(
  z.object({
    id: z.string(),
    alertSourceId: z.string(),
    alertKey: z.string(),
    summary: z.string(),
    details: z.string().optional(),
    status: z.enum(ALERT_STATUSES),
    priority,
    priorityReason: z.string().optional(),
    escalationPolicy: idRef('escalation policy').optional(),
    escalationLevel: z.number().int().min(1).nullable().describe('The escalation level last notified; null without a policy'),
    nextEscalationAt: timestamp().nullable().describe('When the next level falls due; null when none will'),
    images: z.array(image),
    links: z.array(link),
    customDetails: z.record(z.string(), z.unknown()),
    eventCount: z.number().int().min(1),
    createdAt: timestamp(),
    updatedAt: timestamp(),
    acceptedAt: timestamp().optional(),
    resolvedAt: timestamp().optional(),
  }),
  { id: 'Alert' },
);

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only by the type checks at the end of this file
const alertList = described(z.object({ items: z.array(alert), nextCursor: z.string().optional() }), {
  id: 'AlertList',
  description: 'A page of alerts, newest first; follow nextCursor until it is absent',
});

const logEntry = described(
  z.object({ id: z.string(), alertId: z.string(), eventId: z.string().optional(), type: z.enum(LOG_ENTRY_TYPES), text: z.string(), createdAt: timestamp() }),
  { id: 'LogEntry' },
);

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only by the type checks at the end of this file
const logEntryList = described(z.object({ items: z.array(logEntry), nextCursor: z.string().optional() }), {
  id: 'LogEntryList',
  description: "A page of an alert's log entries, oldest first; follow nextCursor until it is absent",
});

// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only by the type checks at the end of this file
const alertSource = described(
  z.object({
    id: z.string(),
    name: z.string(),
    integrationKey: z.string(),
    apiKey: described(z.string(), { description: 'The same value as integrationKey, under the events API name' }),
    integrationUrl: described(z.string(), {
      description: 'Where a tool that cannot set body fields posts its events: <public URL>/api/events/<apiKey> (the key in the path)',
    }),
    integrationType: z.enum(INTEGRATION_TYPES),
    active: z.boolean(),
    escalationPolicy: idRef('escalation policy').optional(),
    alertCreation: z.enum(ALERT_CREATION_MODES),
    alertGroupingWindow: z.enum(GROUPING_WINDOWS).optional(),
    alertPriorityRule: z.enum(ALERT_PRIORITY_RULES),
    supportHours: z
      .object({ timezone: z.string(), supportDays: z.partialRecord(z.enum(WEEKDAYS), z.object({ start: z.string(), end: z.string() })) })
      .optional(),
    priorityTemplate: z
      .object({ valueTemplate: z.object({ textTemplate: z.string() }), mappings: z.array(z.object({ value: z.string(), priority })) })
      .optional(),
    rateLimitPerMinute: z.number().int().optional(),
    allowedRoutingKeys: described(z.array(z.string()), {
      description: "The only routing keys whose escalation policy this source's events may take; absent: any",
    }).optional(),
    autoResolutionTimeout: described(z.string(), {
      description: 'ISO-8601 duration, PT1M to P30D: an open alert to which no event was applied for that long is resolved, with a log entry; absent: never',
    }).optional(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
  { id: 'AlertSource' },
);

const target = z.object({ id: z.string() });
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- read only by the type checks at the end of this file
const escalationPolicy = described(
  z.object({
    id: z.string(),
    name: z.string(),
    routingKey: z.string().optional(),
    escalationRules: z.array(z.object({ escalationTimeout: z.number().int(), users: z.array(target).optional(), schedules: z.array(target).optional() })),
    repeating: z.boolean(),
    frequency: z.number().int(),
    createdAt: timestamp(),
    updatedAt: timestamp(),
  }),
  { id: 'EscalationPolicy' },
);

/**
 * Compile-time guard (`npm run typecheck`): every documented response has exactly the fields of the domain type it
 * documents, and every value of that type fits it. A field added to a domain type fails here until it is documented.
 */
type SameKeys<A, B> = [Exclude<keyof A, keyof B> | Exclude<keyof B, keyof A>] extends [never] ? true : false;
type Documents<Domain, Doc extends z.ZodType> = SameKeys<Domain, z.output<Doc>> extends true ? ([Domain] extends [z.output<Doc>] ? true : false) : false;
export const responsesMatchDomainTypes: [
  Documents<AlertView, typeof alert>,
  Documents<{ items: AlertView[]; nextCursor?: string }, typeof alertList>,
  Documents<LogEntry, typeof logEntry>,
  Documents<Awaited<ReturnType<AlertStore['logEntries']>>, typeof logEntryList>,
  Documents<EventView, typeof eventRecord>,
  Documents<AlertSource & { apiKey: string; integrationUrl: string }, typeof alertSource>,
  Documents<EscalationPolicy, typeof escalationPolicy>,
  Documents<FieldError, typeof fieldError>,
] = [true, true, true, true, true, true, true, true];

// Requests: the very schemas the handlers parse with.

described(eventSchema, {
  id: 'EventRequest',
  description:
    'An event. The alert source is named by apiKey (or integrationKey), unless the URL path carries the key. Unknown fields are ignored; null counts as absent.',
});
described(alertSourceSettingsSchema, {
  id: 'AlertSourceSettings',
  description: "The settings of a new alert source; id, integrationKey and timestamps are the server's",
});
described(escalationPolicySettingsSchema, {
  id: 'EscalationPolicySettings',
  description: "The settings of a new escalation policy; id and timestamps are the server's",
});

/** The schemas zod cannot export: its custom type and its superRefine rules, stated again for clients (test/unit/openapi.test.ts checks them against zod). */
function completeEventRequest(schema: JsonSchema): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  properties.details = { ...properties.details, description: `Markdown, at most ${LIMITS.detailsBytes} bytes (UTF-8)` };
  schema.allOf = [
    {
      if: { properties: { eventType: { const: 'ALERT' } }, required: ['eventType'] },
      then: { properties: { summary: { type: 'string' } }, required: ['summary'] },
      else: { properties: { alertKey: { type: 'string' } }, required: ['alertKey'] },
    },
  ];
}

function completeAlertSourceSettings(schema: JsonSchema): void {
  const properties = schema.properties as Record<string, JsonSchema>;
  // The schema maps ilert's older name before its enum: an input zod's export cannot show.
  properties.alertCreation = {
    default: 'ONE_OPEN_ALERT_ALLOWED',
    ...properties.alertCreation,
    enum: [...(properties.alertCreation.enum as string[]), 'ONE_ALERT_PER_EMAIL'],
    description: 'ONE_ALERT_PER_EMAIL is accepted as an alias of ONE_ALERT_PER_EVENT',
  };
  schema.allOf = [
    {
      if: { properties: { alertCreation: { const: 'ONE_ALERT_GROUPED_PER_WINDOW' } }, required: ['alertCreation'] },
      then: { properties: { alertGroupingWindow: { type: 'string' } }, required: ['alertGroupingWindow'] },
    },
    {
      if: { properties: { alertPriorityRule: { enum: ['HIGH_DURING_SUPPORT_HOURS', 'LOW_DURING_SUPPORT_HOURS'] } }, required: ['alertPriorityRule'] },
      then: { properties: { supportHours: { type: 'object' } }, required: ['supportHours'] },
    },
  ];
}

/** PUT merges the given fields over the stored ones, then validates the whole: every field is optional and has no default. */
export function asUpdate(settings: JsonSchema, description: string): JsonSchema {
  const { required: _r, allOf: _a, description: _d, ...rest } = settings;
  const properties = Object.fromEntries(
    Object.entries(rest.properties as Record<string, JsonSchema>).map(([name, { default: _default, ...property }]) => [name, property]),
  );
  return { ...rest, properties, description };
}

const MAX_SAFE = Number.MAX_SAFE_INTEGER;

/** All component schemas, sorted by name. Built fresh on each call; the same input gives the same output, key for key. */
export function componentSchemas(): Record<string, JsonSchema> {
  const { schemas } = z.toJSONSchema(docs, {
    target: 'draft-2020-12',
    io: 'input',
    metadata: docs,
    uri: (id) => `#/components/schemas/${id}`,
    unrepresentable: ({ path }) =>
      path.at(-1) === 'customDetails' ? { type: 'object', description: `Any JSON object, at most ${LIMITS.customDetailsDepth} levels deep` } : 'any',
    override: ({ jsonSchema }) => {
      // zod bounds every integer to the safe range; that says nothing to a reader.
      if (jsonSchema.maximum === MAX_SAFE) delete jsonSchema.maximum;
      if (jsonSchema.minimum === -MAX_SAFE) delete jsonSchema.minimum;
    },
  });
  const out: Record<string, JsonSchema> = {};
  for (const [name, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as JsonSchema;
    out[name] = rest;
  }
  completeEventRequest(out.EventRequest);
  completeAlertSourceSettings(out.AlertSourceSettings);
  out.AlertSourceUpdate = asUpdate(out.AlertSourceSettings, 'Fields to change; the others keep their values, and the result is validated as on create');
  out.EscalationPolicyUpdate = asUpdate(
    out.EscalationPolicySettings,
    'Fields to change; the others keep their values, and the result is validated as on create',
  );
  return Object.fromEntries(
    Object.keys(out)
      .sort()
      .map((name) => [name, out[name]]),
  );
}
