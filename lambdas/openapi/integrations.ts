// The OpenAPI paths of the generic integrations route (POST /api/events/{type}/{apiKey}) and the tools' payload schemas.
import { LIMITS } from '../domain/event';
import { INBOUND_TYPES } from '../integrations/adapter';
import { ALERT_STATUSES, HIGH_SEVERITIES, MAX_INBOUND_EVENTS } from '../integrations/alert-webhook';
import { answer, failure, header, json, ordered, pathParameter, response } from './operations';
import type { JsonSchema } from './schemas';

const strings: JsonSchema = { type: 'object', additionalProperties: { type: 'string' } };
const url: JsonSchema = { type: 'string', maxLength: LIMITS.urlChars, description: 'An http(s) URL, or "" for none' };

const alertEntry = (extra: Record<string, JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  required: ['status', 'labels', 'fingerprint'],
  properties: {
    status: { type: 'string', enum: [...ALERT_STATUSES], description: 'firing -> ALERT, resolved -> RESOLVE' },
    labels: { ...strings, description: `Into customDetails; severity ${HIGH_SEVERITIES.join(', ')} -> HIGH, any other -> LOW` },
    annotations: { ...strings, description: 'Into customDetails; summary -> summary (else alertname and instance), description -> details' },
    startsAt: { type: 'string', format: 'date-time' },
    endsAt: { type: 'string', format: 'date-time' },
    generatorURL: { ...url, description: 'A link "Source"' },
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
        panelURL: { ...url, description: 'A link "Panel"' },
        dashboardURL: { ...url, description: 'A link "Dashboard"' },
        silenceURL: { ...url, description: 'A link "Silence"' },
        imageURL: { ...url, description: 'An image' },
        valueString: { type: 'string', maxLength: 4096, description: 'Into customDetails' },
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

function operation(operationId: string, summary: string, typeName: string, keyName: string, v1: boolean): JsonSchema {
  return {
    tags: ['Integrations'],
    operationId,
    summary,
    description:
      `A tool's own payload, taken as the tool sends it: {${typeName}} is the integration type (${INBOUND_TYPES.join(', ')}), {${keyName}} the ` +
      "alert source's integration key (never read from the payload). Each alert of the payload becomes an ordinary event, in order, " +
      `accepted all together or not at all (at most ${MAX_INBOUND_EVENTS}); the rate limit counts each. pagerduty answers in PagerDuty's ` +
      'shape (see POST /v2/enqueue); cloudwatch takes Amazon SNS deliveries (text/plain) and may answer without an event.' +
      (v1 ? ' Same as the path without /v1.' : ''),
    security: [],
    parameters: [
      pathParameter(typeName, `The integration type: ${INBOUND_TYPES.join(', ')}`),
      pathParameter(keyName, 'The integration key of the alert source'),
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
      413: failure(`PAYLOAD_TOO_LARGE: the body is over ${LIMITS.bodyBytes} bytes, or its events do not fit one queue message`),
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

export function integrationPaths(): Record<string, JsonSchema> {
  return {
    // API Gateway's one name per level: the type is named after the templates it shares a level with ({id}, {apiKey}).
    '/api/events/{id}/{apiKey}': {
      post: operation('postIntegrationPayload', "Send a tool's own payload (Alertmanager, Grafana, PagerDuty, CloudWatch)", 'id', 'apiKey', false),
    },
    '/api/v1/events/{apiKey}/{key}': {
      post: operation('postIntegrationPayloadV1', "Send a tool's own payload (v1 path)", 'apiKey', 'key', true),
    },
  };
}
