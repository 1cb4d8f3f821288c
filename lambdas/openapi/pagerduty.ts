// The OpenAPI path of PagerDuty's Events API v2 (POST /v2/enqueue) and its own request and answer schemas.
import { LIMITS } from '../domain/event';
import { EVENT_ACTIONS, SEVERITIES } from '../integrations/pagerduty';
import { answer, json, ordered, response } from './operations';
import type { JsonSchema } from './schemas';

const TAGS = ['Integrations'];

export const INTEGRATIONS_TAG = { name: 'Integrations', description: "Other tools' payloads, taken as they send them" };

const str = (maxLength: number, description?: string): JsonSchema => ({ type: 'string', maxLength, ...(description ? { description } : {}) });

const request: JsonSchema = {
  type: 'object',
  required: ['routing_key', 'event_action'],
  properties: {
    routing_key: str(255, 'The integration key of the alert source'),
    event_action: { type: 'string', enum: [...EVENT_ACTIONS], description: 'trigger -> ALERT, acknowledge -> ACCEPT, resolve -> RESOLVE' },
    dedup_key: str(LIMITS.alertKeyChars, 'The alert key; required to acknowledge or resolve, generated for a trigger without one'),
    payload: {
      type: 'object',
      description: 'Required to trigger; source, severity, timestamp, component, group, class and custom_details become customDetails',
      required: ['summary', 'source', 'severity'],
      properties: {
        summary: str(LIMITS.summaryChars),
        source: str(255),
        severity: { type: 'string', enum: [...SEVERITIES], description: 'critical and error -> HIGH, warning and info -> LOW' },
        timestamp: { type: 'string', format: 'date-time' },
        component: str(LIMITS.textChars),
        group: str(LIMITS.textChars),
        class: str(LIMITS.textChars),
        custom_details: {},
      },
    },
    images: { type: 'array', maxItems: LIMITS.images, items: { $ref: '#/components/schemas/Image' } },
    links: { type: 'array', maxItems: LIMITS.links, items: { $ref: '#/components/schemas/Link' } },
    client: str(LIMITS.textChars),
    client_url: { type: 'string', format: 'uri', description: 'Kept as one more link, its text the client' },
  },
};

const accepted: JsonSchema = {
  type: 'object',
  required: ['status', 'message', 'dedup_key'],
  properties: { status: { const: 'success' }, message: { const: 'Event processed' }, dedup_key: { type: 'string' } },
};

const refusal: JsonSchema = {
  type: 'object',
  required: ['status', 'message', 'errors'],
  properties: { status: { type: 'string' }, message: { type: 'string' }, errors: { type: 'array', items: { type: 'string' } } },
};

const refused = (description: string) => answer(description, refusal);

export function pagerDutyPaths(): Record<string, JsonSchema> {
  return {
    '/v2/enqueue': {
      post: {
        tags: TAGS,
        operationId: 'postPagerDutyEvent',
        summary: "PagerDuty's Events API v2: a PagerDuty client works by changing only its host",
        description:
          "The event goes through the same path as POST /api/events (rate limit, Idempotency-Key, order). Answers in PagerDuty's shape: " +
          "{status, message, dedup_key} when accepted, {status, message, errors} (errors naming PagerDuty's fields) otherwise.",
        security: [],
        parameters: [{ $ref: '#/components/parameters/IdempotencyKey' }],
        requestBody: { required: true, content: json(request) },
        responses: ordered({
          202: answer('Accepted: recorded and queued', accepted),
          400: refused('"invalid event", "Event object is invalid": errors name each field, e.g. \'payload.summary\' is missing or blank'),
          403: refused('The alert source is disabled'),
          404: refused('No alert source has this routing_key'),
          409: refused('A request with this Idempotency-Key is still being processed; retry'),
          413: refused(`The body is over ${LIMITS.bodyBytes} bytes`),
          415: refused('The Content-Type is not application/json'),
          429: refused('"throttle event": over the alert source\'s events per minute; Retry-After says when'),
          503: refused('Nothing was accepted, retry later'),
          default: response('UnexpectedError'),
        }),
      },
    },
  };
}
