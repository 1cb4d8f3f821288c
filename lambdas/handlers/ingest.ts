// Ingest Lambda: validates an event, finds its alert source, records it QUEUED, enqueues it, and only then answers 202.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { KeyInUseError, claimKey } from '../app/idempotency-claim';
import { SourceCache } from '../app/source-cache';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, type AlertSource } from '../domain/alert-source';
import { LIMITS, eventSchema, integrationKeyOf, toAcceptedEvent, type EventInput } from '../domain/event';
import { fieldErrors, isPlainObject } from '../domain/validation';
import { PAGERDUTY_ROUTE_KEY, PagerDutyError, invalidPagerDutyEvent, pagerDutyAccepted, parsePagerDutyEvent } from '../integrations/pagerduty';
import { EventQueue } from '../queue/event-queue';
import { CALL_BUDGETS } from '../shared/call-budget';
import { AlertSourceStore } from '../store/alert-sources';
import { EventStore } from '../store/events';
import { IdempotencyStore, type FirstAnswer } from '../store/idempotency';
import { RateLimitStore } from '../store/rate-limits';
import { RateLimiter } from '../app/rate-limiter';
import { createQueueClient, logger, metrics, storeContextOf } from './clients';
import { withUsage } from './usage';
import type { IngestConfig } from './config';
import { HttpError, header, json, parseJsonBody, respond, type HttpResponse } from './http';
import { eventId as newEventId, newId } from './ids';

export interface IngestDeps {
  findSource: (integrationKey: string) => Promise<AlertSource | undefined>;
  events: EventStore;
  idempotency: IdempotencyStore;
  rateLimits: Pick<RateLimiter, 'take'>;
  queue: Pick<EventQueue, 'send'>;
  now: () => Date;
}

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
  const { answer, headers } = await acceptEvent(deps, parsed.data, integrationKeyOf(parsed.data, pathKey)!, idempotencyKey);
  return json(202, { ...answer, status: 'QUEUED' }, headers);
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
    const { answer, headers } = await acceptEvent(deps, parsed.input, parsed.integrationKey, idempotencyKey);
    return pagerDutyAccepted(answer.alertKey, headers);
  } catch (error) {
    throw error instanceof HttpError && !(error instanceof PagerDutyError) ? new PagerDutyError(error) : error;
  }
}

/**
 * The path every valid event takes, whatever format it came in: the source by its integration key, the rate limit, the
 * Idempotency-Key claim, the QUEUED record and the queue. Answers the event's ids (the first request's on a replay).
 */
async function acceptEvent(
  deps: IngestDeps,
  input: EventInput,
  integrationKey: string,
  idempotencyKey: string | undefined,
): Promise<{ answer: FirstAnswer; headers: Record<string, string> }> {
  // A key in the path is not checked by the schema: one that no source could have is unknown without a look-up.
  const source = integrationKey.length > 255 ? undefined : await unavailableOnError(() => deps.findSource(integrationKey));
  if (!source) throw new HttpError(404, 'ALERT_SOURCE_NOT_FOUND', 'No alert source has this integration key');
  if (!source.active) throw new HttpError(403, 'ALERT_SOURCE_DISABLED', 'This alert source is disabled');
  const rate = await unavailableOnError(() => deps.rateLimits.take(source.id, source.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, deps.now()));
  if (!rate.allowed) {
    const limited = new HttpError(429, 'RATE_LIMITED', `This alert source accepts ${rate.limit} events per minute; retry after ${rate.retryAfterSeconds} s`);
    limited.headers = { 'retry-after': String(rate.retryAfterSeconds), 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': '0' };
    throw limited;
  }
  const rateHeaders = { 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(rate.remaining) };

  const receivedAt = deps.now();
  const event = toAcceptedEvent(input, {
    eventId: newEventId(receivedAt.getTime()),
    alertSourceId: source.id,
    receivedAt: receivedAt.toISOString(),
    generatedAlertKey: newId(),
  });
  logger.appendKeys({ eventId: event.eventId, alertSourceId: source.id });
  const answer = { eventId: event.eventId, alertKey: event.alertKey };
  if (idempotencyKey) {
    const first = await unavailableOnError(() => claimOrInUse(deps, source.id, idempotencyKey, answer));
    if (first) return { answer: first, headers: { ...rateHeaders, 'idempotent-replayed': 'true' } };
  }
  const release = () =>
    idempotencyKey
      ? deps.idempotency.release(source.id, idempotencyKey, event.eventId).catch((e) => logger.error('could not release the idempotency key', e as Error))
      : undefined;
  try {
    await deps.events.recordQueued(event);
  } catch (error) {
    logger.error('could not record the event', error as Error);
    // A timed-out write may still land: withdraw it too, so that it is never applied (best effort, the store is failing).
    // Side by side with the release: two calls in a row would not fit ingest's 5 s.
    await Promise.all([deps.events.withdraw(event.eventId).catch(() => undefined), release()]);
    throw new HttpError(503, 'STORE_UNAVAILABLE', 'The event could not be recorded; nothing was accepted, retry later');
  }
  try {
    await deps.queue.send(event);
  } catch (error) {
    logger.error('could not enqueue the event', error as Error);
    if (await withdrawnAfterFailedSend(deps, event.eventId)) {
      await release();
      throw new HttpError(503, 'QUEUE_UNAVAILABLE', 'The event could not be queued; nothing was accepted, retry later');
    }
    // The answer was lost, not the message: the event is accepted, and a 503 would make the caller send it twice.
    logger.warn('the queue took the event although the send failed: it is accepted');
  }
  if (idempotencyKey) {
    // The event is queued whatever happens now; a claim left PENDING is settled by the next request after its lease.
    await deps.idempotency.commit(source.id, idempotencyKey, event.eventId).catch((e) => logger.error('could not commit the idempotency key', e as Error));
  }
  metrics.addMetric('EventsAccepted', MetricUnit.Count, 1);
  logger.info('event accepted', { eventType: event.eventType });
  return { answer, headers: rateHeaders };
}

/**
 * After a failed send: true when the event's record was withdrawn (it will never be applied). False when the withdraw's
 * condition failed: the record is no longer QUEUED, so the queue took the message (the answer was lost, not the send)
 * and the processor applied it. A withdraw that fails says nothing: the caller is told to retry (503), as before.
 */
async function withdrawnAfterFailedSend(deps: IngestDeps, eventId: string): Promise<boolean> {
  try {
    return (await deps.events.withdraw(eventId)) === 'withdrawn';
  } catch (error) {
    logger.error('could not withdraw the event record', error as Error);
    return true;
  }
}

/** The key's claim (see app/idempotency-claim.ts); a first request still under way is a 409 the caller retries. */
async function claimOrInUse(deps: IngestDeps, sourceId: string, key: string, answer: FirstAnswer): Promise<FirstAnswer | undefined> {
  const onTakeOver = (staleEventId: string) => logger.warn('took over an idempotency key whose request never finished', { staleEventId });
  try {
    return await claimKey({ ...deps, onTakeOver }, sourceId, key, answer);
  } catch (error) {
    if (!(error instanceof KeyInUseError)) throw error;
    const inUse = new HttpError(409, 'IDEMPOTENCY_KEY_IN_USE', error.message);
    inUse.headers = { 'retry-after': '1' };
    throw inUse;
  }
}

async function unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    logger.error('store unavailable', error as Error);
    throw new HttpError(503, 'STORE_UNAVAILABLE', 'The event could not be recorded; nothing was accepted, retry later');
  }
}

/** Ingest's own clients, on its tighter budget: it answers within 5 s whatever the store and the queue do. */
function ingestDeps(config: IngestConfig): IngestDeps {
  const storeContext = storeContextOf(config, CALL_BUDGETS.ingest);
  const sources = new AlertSourceStore(storeContext);
  const rateLimitStore = new RateLimitStore(storeContext);
  const sourceCache = new SourceCache(config.sourceCacheTtlMs);
  return {
    findSource: (key) => sourceCache.get(key, (k) => sources.getByIntegrationKey(k)),
    events: new EventStore(storeContext, { recoverable: config.recoverableEvents }),
    idempotency: new IdempotencyStore(storeContext),
    rateLimits: new RateLimiter((...args) => rateLimitStore.reserve(...args)),
    queue: new EventQueue(createQueueClient({ endpoint: config.sqsEndpoint, budget: CALL_BUDGETS.ingest }), config.queueUrl),
    now: () => new Date(),
  };
}

const hooks = {
  rejected: (error: HttpError) => {
    // Never the body or the key: alertSourceId is on the line once the source is known.
    logger.info('event rejected', { status: error.status, code: error.code });
    metrics.addDimension('code', error.code);
    metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
  },
  unexpected: (error: unknown) => logger.error('unexpected error', error as Error),
};

/** The ingest Lambda handler, its clients built once from `config`; `deps` replaces any of them. */
export function createIngestHandler(config: IngestConfig, deps: Partial<IngestDeps> = {}) {
  const all: IngestDeps = { ...ingestDeps(config), ...deps };
  const ingest = (request: APIGatewayProxyEventV2) => (request.routeKey === PAGERDUTY_ROUTE_KEY ? ingestPagerDutyEvent : ingestEvent)(request, all);
  return middy(withUsage('ingest', async (request: APIGatewayProxyEventV2) => respond(() => ingest(request), hooks)))
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(logMetrics(metrics));
}
