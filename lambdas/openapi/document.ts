// The OpenAPI 3.1 document of the events and management API, as committed in openapi.json and served at GET /api/openapi.json.
import packageJson from '../../package.json';
import { ACTIONS_TAG, actionPaths } from './actions';
import { answer, failure, header, ingest, managed, ordered, pathParameter, queryParameter, PAGE_PARAMETERS, RESPONSES, schema, type Op } from './operations';
import { componentSchemas, type JsonSchema } from './schemas';
import { escalationPaths, escalationSchemas } from './escalation';
import { integrationPaths } from './integrations';
import { INTEGRATIONS_TAG, pagerDutyPaths } from './pagerduty';
import { TIMED_TAGS, timedPaths, timedSchemas } from './timed';
import { USERS_TAG, userPaths, userSchemas } from './users';

export type OpenApiDocument = JsonSchema & { openapi: string; paths: Record<string, JsonSchema> };

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

    ...userPaths(),

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

    ...escalationPaths(),
    ...actionPaths(),
    ...pagerDutyPaths(),
    ...integrationPaths(),
    ...timedPaths(),

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
      USERS_TAG,
      { name: 'Alerts', description: "Alerts, their log, and the operator's accept and resolve" },
      ACTIONS_TAG,
      INTEGRATIONS_TAG,
      ...TIMED_TAGS,
      { name: 'Meta', description: 'This document' },
    ],
    security: [{ adminToken: [] }],
    paths: withOrderedResponses(paths()),
    components: {
      // Sorted by name, as componentSchemas() sorts its own.
      schemas: Object.fromEntries(
        Object.entries({ ...componentSchemas(), ...userSchemas(), ...escalationSchemas(), ...timedSchemas() }).sort(([a], [b]) => (a < b ? -1 : 1)),
      ),
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
