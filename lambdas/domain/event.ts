// The events API contract: the zod schema of an incoming event and the typed event the pipeline carries.
import * as z from 'zod';
import { isHttpUrl, isPlainObject, jsonDepth, utf8Bytes } from './validation';

export const EVENT_TYPES = ['ALERT', 'ACCEPT', 'RESOLVE', 'COMMENT'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const PRIORITIES = ['HIGH', 'LOW'] as const;
export type Priority = (typeof PRIORITIES)[number];

export const LIMITS = {
  bodyBytes: 256 * 1024,
  summaryChars: 1024,
  detailsBytes: 64 * 1024,
  alertKeyChars: 255,
  routingKeyChars: 255,
  images: 20,
  links: 20,
  customDetailsDepth: 32,
  urlChars: 2048,
  textChars: 1024,
} as const;

/** Tools often send null for an absent optional field; treat it as absent. */
const optional = <T extends z.ZodType>(schema: T) => schema.nullish().transform((v) => v ?? undefined);

const httpUrl = z.string().max(LIMITS.urlChars, `must be at most ${LIMITS.urlChars} characters`).refine(isHttpUrl, 'must be an absolute http: or https: URL');
const text = z.string().max(LIMITS.textChars, `must be at most ${LIMITS.textChars} characters`);
/** A lone UTF-16 surrogate: storage would turn it into "?", so two different keys would meet. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

const key = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !LONE_SURROGATE.test(v), 'must be well-formed Unicode (no lone surrogates)');

export const imageSchema = z.object({ src: httpUrl, href: optional(httpUrl), alt: optional(text) });
export const linkSchema = z.object({ href: httpUrl, text: optional(text) });

const customDetailsSchema = z
  .custom<Record<string, unknown>>(isPlainObject, 'must be a JSON object')
  .refine((v) => jsonDepth(v) <= LIMITS.customDetailsDepth, `must be at most ${LIMITS.customDetailsDepth} levels deep`);

export const eventSchema = z
  .object({
    apiKey: optional(key(255)),
    integrationKey: optional(key(255)),
    eventType: z.enum(EVENT_TYPES, { error: `must be one of ${EVENT_TYPES.join(', ')}` }),
    summary: optional(z.string().trim().min(1, 'must not be empty').max(LIMITS.summaryChars, `must be at most ${LIMITS.summaryChars} characters`)),
    details: optional(z.string().refine((v) => utf8Bytes(v) <= LIMITS.detailsBytes, `must be at most ${LIMITS.detailsBytes} bytes`)),
    alertKey: optional(key(LIMITS.alertKeyChars)),
    priority: optional(z.enum(PRIORITIES, { error: `must be one of ${PRIORITIES.join(', ')}` })),
    images: optional(z.array(imageSchema).max(LIMITS.images, `must have at most ${LIMITS.images} items`)),
    links: optional(z.array(linkSchema).max(LIMITS.links, `must have at most ${LIMITS.links} items`)),
    customDetails: optional(customDetailsSchema),
    routingKey: optional(key(LIMITS.routingKeyChars)),
  })
  .superRefine((event, ctx) => {
    if (event.eventType === 'ALERT' && event.summary === undefined) {
      ctx.addIssue({ code: 'custom', path: ['summary'], message: 'is required for ALERT events' });
    }
    if (event.eventType !== 'ALERT' && event.alertKey === undefined) {
      ctx.addIssue({ code: 'custom', path: ['alertKey'], message: `is required for ${event.eventType} events` });
    }
  });

export type EventInput = z.output<typeof eventSchema>;

/** An accepted event as the queue carries it to the processor. */
export interface AcceptedEvent {
  eventId: string;
  alertSourceId: string;
  receivedAt: string;
  eventType: EventType;
  alertKey: string;
  summary?: string;
  details?: string;
  priority?: Priority;
  images?: z.output<typeof imageSchema>[];
  links?: z.output<typeof linkSchema>[];
  customDetails?: Record<string, unknown>;
  routingKey?: string;
}

/** Alert keys are trimmed by the schema and compared case-insensitively. */
export const normalizeAlertKey = (alertKey: string): string => alertKey.toLowerCase();

/** The integration key an event names: the path wins, then apiKey, then ilert's newer integrationKey. */
export const integrationKeyOf = (input: EventInput, pathKey?: string): string | undefined => pathKey ?? input.apiKey ?? input.integrationKey;

export function toAcceptedEvent(
  input: EventInput,
  ids: { eventId: string; alertSourceId: string; receivedAt: string; generatedAlertKey: string },
): AcceptedEvent {
  const { apiKey: _a, integrationKey: _i, alertKey, ...fields } = input;
  return {
    eventId: ids.eventId,
    alertSourceId: ids.alertSourceId,
    receivedAt: ids.receivedAt,
    ...fields,
    alertKey: alertKey ?? ids.generatedAlertKey,
  };
}
