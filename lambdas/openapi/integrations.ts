// The OpenAPI paths of the generic integrations route (POST /api/events/{type}/{apiKey}) and the tools' payload schemas.
import { LIMITS } from '../domain/event';
import { INBOUND_TYPES } from '../integrations/adapter';
import { ALERT_STATUSES, HIGH_SEVERITIES, MAX_INBOUND_EVENTS } from '../integrations/alert-webhook';
import { VALUE_STRING_CHARS } from '../integrations/grafana';
import { answer, failure, header, json, ordered, pathParameter, response } from './operations';
import type { JsonSchema } from './schemas';

const strings: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
/** A tool's URL: one over LIMITS.urlChars is left out, not refused (the tools do not retry a 4xx). */
const url: JsonSchema = { type: 'string', description: `An http(s) URL, or "" for none; left out when over ${LIMITS.urlChars} characters` };
const urlAs = (what: string): JsonSchema => ({ ...url, description: `${what}: ${String(url.description)}` });

const alertEntry = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['status', 'labels', 'fingerprint'],
  properties: {
    status: { type: 'string', enum: [...ALERT_STATUSES], description: 'firing -> ALERT, resolved -> RESOLVE' },
    labels: { ...strings, description: `Into customDetails; severity ${HIGH_SEVERITIES.join(', ')} -> HIGH, any other -> LOW` },
    annotations: { ...strings, description: 'Into customDetails; summary -> summary (else alertname and instance), description -> details' },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    generatorURL: urlAs('A link "Source"'),
    fingerprint: { type: 'string', minLength: 1, maxLength: LIMITS.alertKeyChars, description: 'The alert key: a repeat appends, a resolve resolves' },
    ...extra,
  },
});

const alerts = (entry: JsonSchema): JsonSchema => ({ type: 'array', minItems: 1, maxItems: MAX_INBOUND_EVENTS, items: entry });

const alertmanager: JsonSchema = {
  type: 'object',
  title: 'Alertmanager webhook (version 4)',
  required: ['version', 'alerts'],
  properties: { version: { const: '4' }, status: { type: 'string', enum: [...ALERT_STATUSES] }, externalURL: url, alerts: alerts(alertEntry()) },
};

const grafana: JsonSchema = {
  type: 'object',
  title: 'Grafana unified alerting webhook (Grafana 10+)',
  required: ['alerts'],
  properties: {
    title: { type: 'string' },
    message: { type: 'string' },
    state: { type: 'string' },
    alerts: alerts(
      alertEntry({
        panelURL: urlAs('A link "Panel"'),
        dashboardURL: urlAs('A link "Dashboard"'),
        silenceURL: urlAs('A link "Silence"'),
        imageURL: urlAs('An image'),
        valueString: { type: 'string', description: `Into customDetails, cut at ${VALUE_STRING_CHARS} characters` },
      }),
    ),
  },
};

const accepted: JsonSchema = {
  type: 'object',
  required: ['eventIds', 'alertKeys', 'status'],
  properties: {
    eventIds: { type: 'array', items: { type: 'string' }, description: 'One per event, in order: GET /api/events/{id} tells what became of each' },
    alertKeys: { type: 'array', items: { type: 'string' } },
    status: { const: 'QUEUED' },
  },
};

const rateHeaders = { 'X-RateLimit-Limit': header('Events per minute', 'integer'), 'X-RateLimit-Remaining': header('Events left this minute', 'integer') };

function operation(operationId: string, summary: string, v1: boolean): JsonSchema {
  return {
    tags: ['Integrations'],
    operationId,
    summary,
    description:
      `A tool's own payload, taken as the tool sends it: {type} is the integration type (${INBOUND_TYPES.join(', ')}), {apiKey} the ` +
      "alert source's integration key (never read from the payload). Each alert of the payload becomes an ordinary event, in order, " +
      `accepted all together or not at all (at most ${MAX_INBOUND_EVENTS}); the rate limit counts each. pagerduty answers in PagerDuty's ` +
      'shape (see POST /v2/enqueue); cloudwatch takes Amazon SNS deliveries (text/plain) and may answer without an event.' +
      (v1 ? ' Same as the path without /v1.' : ''),
    security: [],
    parameters: [
      pathParameter('type', `The integration type: ${INBOUND_TYPES.join(', ')}`),
      pathParameter('apiKey', 'The integration key of the alert source'),
      { $ref: '#/components/parameters/IdempotencyKey' },
    ],
    requestBody: {
      required: true,
      content: {
        ...json({ anyOf: [alertmanager, grafana, { type: 'object', description: 'pagerduty: a PagerDuty Events API v2 event; cloudwatch: an SNS message' }] }),
        'text/plain': { schema: { type: 'string', description: 'cloudwatch: an SNS message, as SNS posts it' } },
      },
    },
    responses: ordered({
      200: answer('cloudwatch: an SNS subscription confirmed, or a notification that carries no event'),
      202: answer('Accepted: every event recorded and queued', accepted, {
        ...rateHeaders,
        'Idempotent-Replayed': header('"true" when this is the first answer to the same Idempotency-Key, replayed'),
      }),
      400: failure("VALIDATION_FAILED: errors name the tool's fields (e.g. alerts.1.status); INVALID_JSON"),
      403: failure('ALERT_SOURCE_DISABLED; cloudwatch: a signature that does not verify'),
      404: failure('INTEGRATION_TYPE_NOT_FOUND: no such type; ALERT_SOURCE_NOT_FOUND: no alert source has this integration key'),
      409: failure('IDEMPOTENCY_KEY_IN_USE: a request with this Idempotency-Key is still being processed; retry'),
      413: failure(
        `PAYLOAD_TOO_LARGE: the body is over ${LIMITS.bodyBytes} bytes, its events do not fit one queue message, or it has more alerts than ` +
          "the alert source's events per minute (no retry could pass: send fewer at once)",
      ),
      415: failure('UNSUPPORTED_MEDIA_TYPE: not application/json (cloudwatch: nor text/plain)'),
      429: failure("RATE_LIMITED: the payload's events do not fit in the alert source's events per minute", {
        'Retry-After': header('Seconds until the next minute starts', 'integer'),
        ...rateHeaders,
      }),
      503: failure('STORE_UNAVAILABLE or QUEUE_UNAVAILABLE: nothing was accepted, retry later'),
      default: response('UnexpectedError'),
    }),
  };
}

/**
 * The integration routes as SPEC section 9 names them, by the API Gateway template that serves each (ROUTES): one name
 * per level there makes the type {id} or {apiKey} and the key {apiKey} or {key}, which a client generated from the
 * document would fill wrongly. Same shape, same parameters in the same places: only the names differ.
 */
export const INTEGRATION_DOCUMENTED_PATHS: Readonly<Record<string, string>> = {
  '/api/events/{id}/{apiKey}': '/api/events/{type}/{apiKey}',
  '/api/v1/events/{apiKey}/{key}': '/api/v1/events/{type}/{apiKey}',
};

export function integrationPaths(): Record<string, JsonSchema> {
  return {
    '/api/events/{type}/{apiKey}': {
      post: operation('postIntegrationPayload', "Send a tool's own payload (Alertmanager, Grafana, PagerDuty, CloudWatch)", false),
    },
    '/api/v1/events/{type}/{apiKey}': {
      post: operation('postIntegrationPayloadV1', "Send a tool's own payload (v1 path)", true),
    },
  };
}
