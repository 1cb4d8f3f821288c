// The OpenAPI 3.1 document of the events and management API, as committed in openapi.json and served at GET /api/openapi.json.
import { LIMITS } from '../domain/event';
import packageJson from '../../package.json';
import { componentSchemas, type JsonSchema } from './schemas';

export type OpenApiDocument = JsonSchema & { openapi: string; paths: Record<string, JsonSchema> };

const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const json = (body: JsonSchema) => ({ 'application/json': { schema: body } });

const answer = (description: string, body?: JsonSchema, headers?: JsonSchema): JsonSchema => ({
  description,
  ...(headers ? { headers } : {}),
  ...(body ? { content: json(body) } : {}),
});
const failure = (description: string, headers?: JsonSchema) => answer(description, schema('Error'), headers);

const header = (description: string, type = 'string') => ({ description, schema: { type } });
const rateHeaders = {
  'X-RateLimit-Limit': header('Events the alert source accepts per minute', 'integer'),
  'X-RateLimit-Remaining': header('Events it still accepts in the current minute', 'integer'),
};

const pathParameter = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const queryParameter = (name: string, description: string, type: JsonSchema) => ({ name, in: 'query', required: false, description, schema: type });

const MANAGEMENT_BODY_BYTES = 64 * 1024;

/** The query of every paged listing: the page size and where the previous page stopped. */
const PAGE_PARAMETERS = [
  queryParameter('limit', 'Page size', { type: 'integer', minimum: 1, maximum: 100, default: 50 }),
  queryParameter('nextCursor', 'The nextCursor of the previous page, as it was, with the same filters; anything else is 400 INVALID_CURSOR', {
    type: 'string',
  }),
];

/** The shared answers of the management API. */
const RESPONSES = {
  BadRequest: failure('VALIDATION_FAILED (errors names each field), INVALID_JSON, INVALID_BODY (not an object) or INVALID_PATH'),
  Unauthorized: failure('UNAUTHORIZED: no or a wrong admin token'),
  NotFound: failure('NOT_FOUND'),
  PayloadTooLarge: failure(`PAYLOAD_TOO_LARGE: the body is over ${MANAGEMENT_BODY_BYTES} bytes`),
  UnsupportedMediaType: failure('UNSUPPORTED_MEDIA_TYPE: the Content-Type is not application/json'),
  UnexpectedError: failure('INTERNAL_ERROR (500), or METHOD_NOT_ALLOWED (405) for a method a path does not serve'),
};

type Op = JsonSchema & { responses: JsonSchema };

/** An operation of the management API: bearer token, plus the answers every such operation can give. */
const managed = (op: Op & { body?: string; withId?: boolean }): JsonSchema => {
  const { body, withId, responses, ...rest } = op;
  return {
    ...rest,
    ...(body ? { requestBody: { required: true, content: json(schema(body)) } } : {}),
    responses: {
      ...responses,
      // An operation that documents its own 400 (a paged listing's INVALID_CURSOR) keeps it.
      ...((body || withId) && !responses[400] ? { 400: response('BadRequest') } : {}),
      401: response('Unauthorized'),
      ...(withId ? { 404: response('NotFound') } : {}),
      ...(body ? { 413: response('PayloadTooLarge'), 415: response('UnsupportedMediaType') } : {}),
      default: response('UnexpectedError'),
    },
  };
};

/** Sorts a responses object by status code, `default` last, so that the document reads in order. */
const ordered = (responses: JsonSchema): JsonSchema =>
  Object.fromEntries(Object.entries(responses).sort(([a], [b]) => (a === 'default' ? 1 : b === 'default' ? -1 : a.localeCompare(b))));

/** An operation of the events API; keyParameter names the path parameter that carries the integration key, if any. */
function ingest(operationId: string, summary: string, keyParameter: string | undefined, v1: boolean): JsonSchema {
  return {
    tags: ['Events'],
    operationId,
    summary,
    description:
      (keyParameter
        ? 'The alert source is named by the integration key in the path (it wins over apiKey in the body), for tools that cannot set body fields. '
        : 'The alert source is named by apiKey (or integrationKey) in the body. ') +
      'Answers 202 only once the event is recorded and queued; events of one alert source are applied in the order they were accepted.' +
      (v1 ? ' Same as the path without /v1.' : ''),
    security: [],
    parameters: [
      ...(keyParameter ? [pathParameter(keyParameter, 'The integration key of the alert source')] : []),
      { $ref: '#/components/parameters/IdempotencyKey' },
    ],
    requestBody: { required: true, content: json(schema('EventRequest')) },
    responses: ordered({
      202: answer('Accepted: recorded and queued', schema('EventAccepted'), {
        ...rateHeaders,
        'Idempotent-Replayed': header('"true" when this is the first answer to the same Idempotency-Key, replayed'),
      }),
      400: failure('VALIDATION_FAILED (errors names each field, or the Idempotency-Key header), INVALID_JSON or INVALID_BODY (not an object)'),
      403: failure('ALERT_SOURCE_DISABLED: the alert source is not active'),
      404: failure('ALERT_SOURCE_NOT_FOUND: no alert source has this integration key'),
      409: failure('IDEMPOTENCY_KEY_IN_USE: a request with this Idempotency-Key is still being processed; retry'),
      413: failure(`PAYLOAD_TOO_LARGE: the body is over ${LIMITS.bodyBytes} bytes`),
      415: failure('UNSUPPORTED_MEDIA_TYPE: the Content-Type is not application/json'),
      429: failure("RATE_LIMITED: over the alert source's events per minute", {
        'Retry-After': header('Seconds until the next minute starts', 'integer'),
        ...rateHeaders,
      }),
      503: failure('STORE_UNAVAILABLE or QUEUE_UNAVAILABLE: nothing was accepted, retry later'),
      default: response('UnexpectedError'),
    }),
  };
}

function paths(): Record<string, JsonSchema> {
  const id = (what: string) => [pathParameter('id', `The ${what}'s id`)];
  const idOf = (what: string) => ({ parameters: id(what) });
  return {
    '/api/events': { post: ingest('postEvent', 'Send an event', undefined, false) },
    // OpenAPI forbids two templates of the same shape, so the ingest's {apiKey} and the record's {eventId} share {id}.
    '/api/events/{id}': {
      post: ingest('postEventWithKeyInPath', 'Send an event, the integration key in the path', 'id', false),
      get: managed({
        tags: ['Events'],
        operationId: 'getEvent',
        summary: 'What became of an event',
        parameters: [pathParameter('id', 'The eventId the 202 answer gave')],
        withId: true,
        responses: { 200: answer('The event record', schema('EventRecord')) },
      }),
    },
    '/api/v1/events': { post: ingest('postEventV1', 'Send an event (v1 path)', undefined, true) },
    '/api/v1/events/{apiKey}': { post: ingest('postEventWithKeyInPathV1', 'Send an event, the integration key in the path (v1 path)', 'apiKey', true) },

    '/api/alert-sources': {
      get: managed({
        tags: ['Alert sources'],
        operationId: 'listAlertSources',
        summary: 'List alert sources',
        responses: { 200: answer('All alert sources', { type: 'array', items: schema('AlertSource') }) },
      }),
      post: managed({
        tags: ['Alert sources'],
        operationId: 'createAlertSource',
        summary: 'Create an alert source (its integrationKey is generated)',
        body: 'AlertSourceSettings',
        responses: { 201: answer('Created', schema('AlertSource'), { Location: header('/api/alert-sources/{id}') }) },
      }),
    },
    '/api/alert-sources/{id}': {
      ...idOf('alert source'),
      get: managed({
        tags: ['Alert sources'],
        operationId: 'getAlertSource',
        summary: 'Get an alert source',
        withId: true,
        responses: { 200: answer('The alert source', schema('AlertSource')) },
      }),
      put: managed({
        tags: ['Alert sources'],
        operationId: 'updateAlertSource',
        summary: "Change an alert source's settings (merged over the current ones)",
        body: 'AlertSourceUpdate',
        withId: true,
        responses: { 200: answer('The updated alert source', schema('AlertSource')) },
      }),
      delete: managed({
        tags: ['Alert sources'],
        operationId: 'deleteAlertSource',
        summary: 'Delete an alert source',
        withId: true,
        responses: { 204: answer('Deleted') },
      }),
    },

    '/api/escalation-policies': {
      get: managed({
        tags: ['Escalation policies'],
        operationId: 'listEscalationPolicies',
        summary: 'List escalation policies',
        responses: { 200: answer('All escalation policies', { type: 'array', items: schema('EscalationPolicy') }) },
      }),
      post: managed({
        tags: ['Escalation policies'],
        operationId: 'createEscalationPolicy',
        summary: 'Create an escalation policy',
        body: 'EscalationPolicySettings',
        responses: {
          201: answer('Created', schema('EscalationPolicy'), { Location: header('/api/escalation-policies/{id}') }),
          409: failure('ROUTING_KEY_TAKEN: another escalation policy has this routingKey'),
        },
      }),
    },
    '/api/escalation-policies/{id}': {
      ...idOf('escalation policy'),
      get: managed({
        tags: ['Escalation policies'],
        operationId: 'getEscalationPolicy',
        summary: 'Get an escalation policy',
        withId: true,
        responses: { 200: answer('The escalation policy', schema('EscalationPolicy')) },
      }),
      put: managed({
        tags: ['Escalation policies'],
        operationId: 'updateEscalationPolicy',
        summary: 'Change an escalation policy (merged over the current settings)',
        body: 'EscalationPolicyUpdate',
        withId: true,
        responses: {
          200: answer('The updated escalation policy', schema('EscalationPolicy')),
          409: failure('ROUTING_KEY_TAKEN, or CONFLICT when it kept changing meanwhile (retry)'),
        },
      }),
      delete: managed({
        tags: ['Escalation policies'],
        operationId: 'deleteEscalationPolicy',
        summary: 'Delete an escalation policy no alert source uses',
        withId: true,
        responses: { 204: answer('Deleted'), 409: failure('POLICY_IN_USE: alert sources still name it; or CONFLICT (retry)') },
      }),
    },

    '/api/alerts': {
      get: managed({
        tags: ['Alerts'],
        operationId: 'listAlerts',
        summary: 'List alerts, newest first',
        parameters: [
          queryParameter('status', 'Comma-separated statuses, e.g. PENDING,ACCEPTED', { type: 'string', examples: ['PENDING,ACCEPTED'] }),
          queryParameter('alertSourceId', "Only this alert source's alerts", { type: 'string' }),
          queryParameter('alertKey', 'Only alerts with this alert key (compared case-insensitively)', { type: 'string' }),
          ...PAGE_PARAMETERS,
        ],
        responses: {
          200: answer('A page of alerts', schema('AlertList')),
          400: failure('VALIDATION_FAILED: a bad status or limit (errors names it); INVALID_CURSOR: a nextCursor altered, or of other filters'),
        },
      }),
    },
    '/api/alerts/{id}': {
      ...idOf('alert'),
      get: managed({
        tags: ['Alerts'],
        operationId: 'getAlert',
        summary: 'Get an alert',
        withId: true,
        responses: { 200: answer('The alert', schema('Alert')) },
      }),
    },
    '/api/alerts/{id}/log-entries': {
      ...idOf('alert'),
      get: managed({
        tags: ['Alerts'],
        operationId: 'listAlertLogEntries',
        summary: "An alert's log, oldest first",
        withId: true,
        parameters: PAGE_PARAMETERS,
        responses: {
          200: answer('A page of log entries (at most limit, and at most about 1 MiB)', schema('LogEntryList')),
          400: failure('VALIDATION_FAILED: a bad limit (errors names it); INVALID_CURSOR: a nextCursor altered, or of another alert; INVALID_PATH'),
        },
      }),
    },
    '/api/alerts/{id}/accept': {
      ...idOf('alert'),
      put: managed({
        tags: ['Alerts'],
        operationId: 'acceptAlert',
        summary: 'Accept an alert (unchanged when already accepted)',
        withId: true,
        responses: { 200: answer('The alert', schema('Alert')), 409: failure('INVALID_STATE: a resolved alert cannot be accepted; or CONFLICT (retry)') },
      }),
    },
    '/api/alerts/{id}/resolve': {
      ...idOf('alert'),
      put: managed({
        tags: ['Alerts'],
        operationId: 'resolveAlert',
        summary: 'Resolve an alert (unchanged when already resolved)',
        withId: true,
        responses: { 200: answer('The alert', schema('Alert')), 409: failure('CONFLICT: it kept changing meanwhile (retry)') },
      }),
    },

    '/api/openapi.json': {
      get: {
        tags: ['Meta'],
        operationId: 'getOpenApiDocument',
        summary: 'This document',
        security: [],
        responses: { 200: answer('The OpenAPI 3.1 document', { type: 'object' }) },
      },
    },
  };
}

/** Orders every operation's responses by status code, so the output does not depend on how they were written. */
function withOrderedResponses(all: Record<string, JsonSchema>) {
  for (const item of Object.values(all)) {
    for (const [key, op] of Object.entries(item)) if (key !== 'parameters') (op as Op).responses = ordered((op as Op).responses);
  }
  return all;
}

export function buildOpenApiDocument(): OpenApiDocument {
  return {
    openapi: '3.1.1',
    info: {
      title: 'Alertline',
      version: packageJson.version,
      summary: 'Events API for alerting, with a management and read API',
      description:
        'Monitoring tools POST events (ALERT, ACCEPT, RESOLVE, COMMENT) without an Authorization header, naming their alert ' +
        'source by its integration key. The management API (alert sources, escalation policies, alerts, event records) needs ' +
        '`Authorization: Bearer <admin token>`. Errors always have the Error shape. Management paths are also served under /api/v1/.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    jsonSchemaDialect: 'https://spec.openapis.org/oas/3.1/dialect/base',
    tags: [
      { name: 'Events', description: "The events API, as ilert's: what monitoring tools call" },
      { name: 'Alert sources', description: 'Where events come from, and the rules they are judged by' },
      { name: 'Escalation policies', description: 'Who is notified, chosen per alert source or by routing key' },
      { name: 'Alerts', description: "Alerts, their log, and the operator's accept and resolve" },
      { name: 'Meta', description: 'This document' },
    ],
    security: [{ adminToken: [] }],
    paths: withOrderedResponses(paths()),
    components: {
      schemas: componentSchemas(),
      responses: RESPONSES,
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: 'A repeat with the same key for the same alert source within 24 hours answers the first eventId again and is never applied twice',
          schema: { type: 'string', pattern: '^[!-~]{1,255}$' },
        },
      },
      securitySchemes: {
        adminToken: { type: 'http', scheme: 'bearer', description: 'The admin token (ADMIN_TOKEN locally; the AdminTokenSecretArn secret in AWS)' },
      },
    },
  };
}
