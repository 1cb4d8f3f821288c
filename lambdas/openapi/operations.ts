// The building blocks of the OpenAPI document: answers, parameters, the management API's shared answers, and the
// events API's operations.
import { MANAGEMENT_BODY_BYTES } from '../contract';
import { LIMITS } from '../domain/event';
import type { JsonSchema } from './schemas';
export const schema = (name: string) => ({ $ref: `#/components/schemas/${name}` });
export const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
export const json = (body: JsonSchema) => ({ 'application/json': { schema: body } });

export const answer = (description: string, body?: JsonSchema, headers?: JsonSchema): JsonSchema => ({
  description,
  ...(headers ? { headers } : {}),
  ...(body ? { content: json(body) } : {}),
});
export const failure = (description: string, headers?: JsonSchema) => answer(description, schema('Error'), headers);

export const header = (description: string, type = 'string') => ({ description, schema: { type } });
const rateHeaders = {
  'X-RateLimit-Limit': header('Events the alert source accepts per minute', 'integer'),
  'X-RateLimit-Remaining': header('Events it still accepts in the current minute', 'integer'),
};

export const pathParameter = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
export const queryParameter = (name: string, description: string, type: JsonSchema) => ({ name, in: 'query', required: false, description, schema: type });

/** The query of every paged listing: the page size and where the previous page stopped. */
export const PAGE_PARAMETERS = [
  queryParameter('limit', 'Page size', { type: 'integer', minimum: 1, maximum: 100, default: 50 }),
  queryParameter('nextCursor', 'The nextCursor of the previous page, as it was, with the same filters; anything else is 400 INVALID_CURSOR', {
    type: 'string',
  }),
];

/** The shared answers of the management API. */
export const RESPONSES = {
  BadRequest: failure('VALIDATION_FAILED (errors names each field), INVALID_JSON, INVALID_BODY (not an object) or INVALID_PATH'),
  Unauthorized: failure('UNAUTHORIZED: no or a wrong admin token'),
  NotFound: failure('NOT_FOUND'),
  PayloadTooLarge: failure(`PAYLOAD_TOO_LARGE: the body is over ${MANAGEMENT_BODY_BYTES} bytes`),
  UnsupportedMediaType: failure('UNSUPPORTED_MEDIA_TYPE: the Content-Type is not application/json'),
  UnexpectedError: failure('INTERNAL_ERROR (500), or METHOD_NOT_ALLOWED (405) for a method a path does not serve'),
};

export type Op = JsonSchema & { responses: JsonSchema };

/** An operation of the management API: bearer token, plus the answers every such operation can give. */
export const managed = (op: Op & { body?: string; withId?: boolean }): JsonSchema => {
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
export const ordered = (responses: JsonSchema): JsonSchema =>
  Object.fromEntries(Object.entries(responses).sort(([a], [b]) => (a === 'default' ? 1 : b === 'default' ? -1 : a.localeCompare(b))));

/** An operation of the events API; keyParameter names the path parameter that carries the integration key, if any. */
export function ingest(operationId: string, summary: string, keyParameter: string | undefined, v1: boolean): JsonSchema {
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
