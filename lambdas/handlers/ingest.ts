// Ingest Lambda: validates an event, finds its alert source, enqueues it (the local runtime journals it first), and only then answers 202.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SourceCache } from '../app/source-cache';
import { RateLimiter } from '../app/rate-limiter';
import { LIMITS, eventSchema, integrationKeyOf } from '../domain/event';
import { fieldErrors, isPlainObject } from '../domain/validation';
import { INBOUND_TYPES, type InboundAdapter, type InboundType } from '../integrations/adapter';
import { MAX_INBOUND_EVENTS, createInboundAdapters } from '../integrations/index';
import { PAGERDUTY_ROUTE_KEY, PagerDutyError, invalidPagerDutyEvent, pagerDutyAccepted, parsePagerDutyEvent } from '../integrations/pagerduty';
import { EventQueue } from '../queue/event-queue';
import { CALL_BUDGETS } from '../shared/call-budget';
import { AlertSourceStore } from '../store/alert-sources';
import { EventStore } from '../store/events';
import { IdempotencyStore } from '../store/idempotency';
import { RateLimitStore } from '../store/rate-limits';
import { acceptEvents, activeSource, type IngestDeps } from './accept';
import { ingestCounts, publishCountsIfDue } from './aggregated-metrics';
import { createQueueClient, logger, storeContextOf } from './clients';
import { withUsage } from './usage';
import type { IngestConfig } from './config';
import { HttpError, header, json, parseJsonBody, respond, type HttpResponse } from './http';
import { fetchText } from './inbound-fetch';

export type { IngestDeps } from './accept';

/** Idempotency-Key: printable ASCII, at most 255 characters. */
function idempotencyKeyOf(request: APIGatewayProxyEventV2): string | undefined {
  const value = header(request, 'idempotency-key')?.trim();
  if (value === undefined) return undefined;
  if (!/^[\x21-\x7e]{1,255}$/.test(value)) {
    const errors = [{ path: 'Idempotency-Key', message: 'must be 1 to 255 printable ASCII characters without spaces' }];
    throw new HttpError(400, 'VALIDATION_FAILED', `Invalid header: Idempotency-Key ${errors[0].message}`, errors);
  }
  return value;
}

export async function ingestEvent(request: APIGatewayProxyEventV2, deps: IngestDeps): Promise<HttpResponse> {
  const body = parseJsonBody(request, LIMITS.bodyBytes);
  const idempotencyKey = idempotencyKeyOf(request);
  if (!isPlainObject(body)) throw new HttpError(400, 'INVALID_BODY', 'The body must be a JSON object');
  // The key's template variable is {id} on /api/events/ (the shape it shares with GET) and {apiKey} on /api/v1/events/.
  const pathKey = request.pathParameters?.apiKey ?? request.pathParameters?.id;
  const parsed = eventSchema.safeParse(body, { reportInput: true });
  const keyMissing = !pathKey && !(parsed.success ? integrationKeyOf(parsed.data) : (body.apiKey ?? body.integrationKey));
  if (!parsed.success || keyMissing) {
    const errors = parsed.success ? [] : fieldErrors(parsed.error);
    if (keyMissing && !errors.some((e) => e.path === 'apiKey')) {
      errors.unshift({ path: 'apiKey', message: 'is required (or integrationKey, or the key in the URL path)' });
    }
    throw new HttpError(400, 'VALIDATION_FAILED', `Invalid event: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  const { answer, headers } = await acceptEvents(deps, [parsed.data], integrationKeyOf(parsed.data, pathKey)!, idempotencyKey);
  return json(202, { eventId: answer.eventId, alertKey: answer.alertKey, status: 'QUEUED' }, headers);
}

/**
 * PagerDuty's Events API v2 (POST /v2/enqueue): the adapter turns the body into an ordinary event, which then takes
 * exactly the path of any other; every refusal is answered in PagerDuty's shape.
 */
export async function ingestPagerDutyEvent(request: APIGatewayProxyEventV2, deps: IngestDeps): Promise<HttpResponse> {
  try {
    const body = parseJsonBody(request, LIMITS.bodyBytes);
    const idempotencyKey = idempotencyKeyOf(request);
    const parsed = parsePagerDutyEvent(body);
    if (!parsed.ok) throw invalidPagerDutyEvent(parsed.errors);
    const { answer, headers } = await acceptEvents(deps, [parsed.input], parsed.integrationKey, idempotencyKey);
    return pagerDutyAccepted(answer.alertKey, headers);
  } catch (error) {
    throw asPagerDutyError(error);
  }
}

const asPagerDutyError = (error: unknown) => (error instanceof HttpError && !(error instanceof PagerDutyError) ? new PagerDutyError(error) : error);

/**
 * The generic route's path variables: API Gateway names them after the templates they share a level with (see ROUTES),
 * the type first, the integration key second.
 */
const INTEGRATION_ROUTES: Readonly<Record<string, readonly [type: string, apiKey: string]>> = {
  'POST /api/events/{id}/{apiKey}': ['id', 'apiKey'],
  'POST /api/v1/events/{apiKey}/{key}': ['apiKey', 'key'],
};

/**
 * A tool's own payload (POST /api/events/{type}/{apiKey}): its adapter turns it into events, accepted all together or
 * not at all, with the integration key from the path (never from the payload). The pagerduty type answers as PagerDuty.
 */
export async function ingestIntegration(
  request: APIGatewayProxyEventV2,
  deps: IngestDeps,
  adapters: Partial<Record<InboundType, InboundAdapter>>,
): Promise<HttpResponse> {
  const [typeName, keyName] = INTEGRATION_ROUTES[request.routeKey];
  const type = request.pathParameters?.[typeName] ?? '';
  const apiKey = request.pathParameters?.[keyName] ?? '';
  const adapter = (INBOUND_TYPES as readonly string[]).includes(type) ? adapters[type as InboundType] : undefined;
  if (!adapter) {
    throw new HttpError(404, 'INTEGRATION_TYPE_NOT_FOUND', `No integration type "${type.slice(0, 64)}"; known: ${Object.keys(adapters).sort().join(', ')}`);
  }
  try {
    const body = parseJsonBody(request, LIMITS.bodyBytes, adapter.extraContentTypes);
    const idempotencyKey = idempotencyKeyOf(request);
    // Before the adapter does anything (SNS's SubscribeURL is fetched only for an alert source that exists and is active).
    await activeSource(deps, apiKey);
    const inbound = await adapter.parse({ body, headers: lowerCased(request.headers ?? {}) });
    if (inbound.kind === 'answer') return inbound.response;
    if (inbound.events.length > MAX_INBOUND_EVENTS) {
      throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `At most ${MAX_INBOUND_EVENTS} events per request; this one has ${inbound.events.length}`);
    }
    if (inbound.events.length === 0) return json(202, { eventIds: [], alertKeys: [], status: 'QUEUED' });
    const { answer, headers } = await acceptEvents(deps, inbound.events, apiKey, idempotencyKey ?? inbound.idempotencyKey);
    if (adapter.type === 'pagerduty') return pagerDutyAccepted(answer.alertKey, headers);
    const ids = { eventIds: answer.eventIds ?? [answer.eventId], alertKeys: answer.alertKeys ?? [answer.alertKey] };
    return json(202, { ...ids, status: 'QUEUED' }, headers);
  } catch (error) {
    throw adapter.type === 'pagerduty' ? asPagerDutyError(error) : error;
  }
}

const lowerCased = (headers: Record<string, string | undefined>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/** Ingest's own clients, on its tighter budget: it answers within 5 s whatever the store and the queue do. */
function ingestDeps(config: IngestConfig): IngestDeps {
  const storeContext = storeContextOf(config, CALL_BUDGETS.ingest);
  const sources = new AlertSourceStore(storeContext);
  const rateLimitStore = new RateLimitStore(storeContext);
  const sourceCache = new SourceCache(config.sourceCacheTtlMs);
  return {
    findSource: (key) => sourceCache.get(key, (k) => sources.getByIntegrationKey(k)),
    events: new EventStore(storeContext, { journal: config.journal }),
    idempotency: new IdempotencyStore(storeContext),
    rateLimits: new RateLimiter((...args) => rateLimitStore.reserve(...args)),
    queue: new EventQueue(createQueueClient({ endpoint: config.sqsEndpoint, budget: CALL_BUDGETS.ingest }), config.queueUrl),
    now: () => new Date(),
    fetchText,
  };
}

const hooks = {
  rejected: (error: HttpError) => {
    // Never the body or the key: alertSourceId is on the line once the source is known.
    logger.info('event rejected', { status: error.status, code: error.code });
    // A 5xx (the store or the queue failing) is published with the next flush offer, not an interval later.
    ingestCounts.add('EventsRejected', 1, { code: error.code }, error.status >= 500);
  },
  unexpected: (error: unknown) => logger.error('unexpected error', error as Error),
};

/**
 * The ingest Lambda handler, its clients built once from `config`; `deps` replaces any of them. Its metrics are counters
 * published at most once a minute per instance (see aggregated-metrics.ts), not one EMF line per event.
 */
export function createIngestHandler(config: IngestConfig, deps: Partial<IngestDeps> = {}) {
  const all: IngestDeps = { ...ingestDeps(config), ...deps };
  const adapters = createInboundAdapters({ fetchText: (url) => all.fetchText(url) });
  const ingest = (request: APIGatewayProxyEventV2) => {
    if (request.routeKey in INTEGRATION_ROUTES) return ingestIntegration(request, all, adapters);
    return (request.routeKey === PAGERDUTY_ROUTE_KEY ? ingestPagerDutyEvent : ingestEvent)(request, all);
  };
  const handle = async (request: APIGatewayProxyEventV2) => respond(() => ingest(request), hooks);
  return middy(withUsage('ingest', handle, (name, value) => ingestCounts.add(name, value)))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(publishCountsIfDue(ingestCounts));
}
