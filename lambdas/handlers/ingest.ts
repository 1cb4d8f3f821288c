// Ingest Lambda: validates an event, finds its alert source, records it QUEUED, enqueues it, and only then answers 202.
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { SourceCache } from '../app/source-cache';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, type AlertSource } from '../domain/alert-source';
import { LIMITS, eventSchema, integrationKeyOf, toAcceptedEvent } from '../domain/event';
import { fieldErrors, isPlainObject } from '../domain/validation';
import { EventQueue, createSqsClient } from '../queue/event-queue';
import { AlertSourceStore } from '../store/alert-sources';
import { EventStore } from '../store/events';
import { IdempotencyStore } from '../store/idempotency';
import { RateLimitStore } from '../store/rate-limits';
import { RateLimiter } from '../app/rate-limiter';
import { logger, metrics, storeContextFromEnv } from './clients';
import { numberEnv, optionalEnv, requireEnv } from './config';
import { HttpError, header, json, parseJsonBody, respond, type HttpResponse } from './http';
import { eventId as newEventId, newId } from './ids';

export interface IngestDeps {
  findSource: (integrationKey: string) => Promise<AlertSource | undefined>;
  events: EventStore;
  idempotency: IdempotencyStore;
  rateLimits: Pick<RateLimiter, 'take'>;
  queue: EventQueue;
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
  const pathKey = request.pathParameters?.apiKey;
  const parsed = eventSchema.safeParse(body, { reportInput: true });
  const keyMissing = !pathKey && !(parsed.success ? integrationKeyOf(parsed.data) : body.apiKey ?? body.integrationKey);
  if (!parsed.success || keyMissing) {
    const errors = parsed.success ? [] : fieldErrors(parsed.error);
    if (keyMissing && !errors.some((e) => e.path === 'apiKey')) {
      errors.unshift({ path: 'apiKey', message: 'is required (or integrationKey, or the key in the URL path)' });
    }
    throw new HttpError(400, 'VALIDATION_FAILED', `Invalid event: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
  }
  const integrationKey = integrationKeyOf(parsed.data, pathKey)!;
  // A key in the path is not checked by the schema: one that no source could have is unknown without a look-up.
  const source = integrationKey.length > 255 ? undefined : await unavailableOnError(() => deps.findSource(integrationKey));
  if (!source) throw new HttpError(404, 'ALERT_SOURCE_NOT_FOUND', 'No alert source has this integration key');
  if (!source.active) throw new HttpError(403, 'ALERT_SOURCE_DISABLED', 'This alert source is disabled');
  const rate = await unavailableOnError(() =>
    deps.rateLimits.take(source.id, source.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE, deps.now()),
  );
  if (!rate.allowed) {
    const limited = new HttpError(429, 'RATE_LIMITED', `This alert source accepts ${rate.limit} events per minute; retry after ${rate.retryAfterSeconds} s`);
    limited.headers = { 'retry-after': String(rate.retryAfterSeconds), 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': '0' };
    throw limited;
  }
  const rateHeaders = { 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(rate.remaining) };

  const receivedAt = deps.now();
  const event = toAcceptedEvent(parsed.data, {
    eventId: newEventId(receivedAt.getTime()),
    alertSourceId: source.id,
    receivedAt: receivedAt.toISOString(),
    generatedAlertKey: newId(),
  });
  logger.appendKeys({ eventId: event.eventId, alertSourceId: source.id });
  const answer = { eventId: event.eventId, alertKey: event.alertKey };
  if (idempotencyKey) {
    const first = await unavailableOnError(() => firstAnswer(deps, source.id, idempotencyKey, answer, receivedAt));
    if (first) return json(202, { ...first, status: 'QUEUED' }, { ...rateHeaders, 'idempotent-replayed': 'true' });
  }
  const release = () =>
    idempotencyKey ? deps.idempotency.release(source.id, idempotencyKey, event.eventId).catch((e) => logger.error('could not release the idempotency key', e as Error)) : undefined;
  try {
    await deps.events.recordQueued(event);
  } catch (error) {
    logger.error('could not record the event', error as Error);
    // A timed-out write may still land: withdraw it too, so that it is never applied (best effort, the store is failing).
    await deps.events.withdraw(event.eventId).catch(() => undefined);
    await release();
    throw new HttpError(503, 'STORE_UNAVAILABLE', 'The event could not be recorded; nothing was accepted, retry later');
  }
  try {
    await deps.queue.send(event);
  } catch (error) {
    logger.error('could not enqueue the event', error as Error);
    // The caller is told to retry, so this event must never be applied: withdraw its record.
    await deps.events.withdraw(event.eventId).catch((e) => logger.error('could not withdraw the event record', e as Error));
    await release();
    throw new HttpError(503, 'QUEUE_UNAVAILABLE', 'The event could not be queued; nothing was accepted, retry later');
  }
  metrics.addMetric('EventsAccepted', MetricUnit.Count, 1);
  logger.info('event accepted', { eventType: event.eventType });
  return json(202, { ...answer, status: 'QUEUED' }, rateHeaders);
}

/**
 * Claims the Idempotency-Key for this event, or returns the answer of the request that holds it. A racing first
 * request may not have recorded its event yet: wait for it briefly; if it fails and releases the key, claim it.
 */
async function firstAnswer(deps: IngestDeps, sourceId: string, key: string, answer: { eventId: string; alertKey: string }, now: Date) {
  for (let attempt = 0; attempt < 30; attempt++) {
    const claim = await deps.idempotency.claim(sourceId, key, answer, now);
    if ('claimed' in claim) return undefined;
    if (await deps.events.get(claim.first.eventId)) return claim.first;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new HttpError(409, 'IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still being processed; retry');
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

const storeContext = storeContextFromEnv();
const sources = new AlertSourceStore(storeContext);
const rateLimitStore = new RateLimitStore(storeContext);
const sourceCache = new SourceCache(numberEnv('SOURCE_CACHE_TTL_MS', 10_000));
const deps: IngestDeps = {
  findSource: (key) => sourceCache.get(key, (k) => sources.getByIntegrationKey(k)),
  events: new EventStore(storeContext),
  idempotency: new IdempotencyStore(storeContext),
  rateLimits: new RateLimiter((...args) => rateLimitStore.reserve(...args)),
  queue: new EventQueue(createSqsClient({ endpoint: optionalEnv('SQS_ENDPOINT') }), requireEnv('QUEUE_URL')),
  now: () => new Date(),
};

const hooks = {
  rejected: (error: HttpError) => {
    // Never the body or the key: alertSourceId is on the line once the source is known.
    logger.info('event rejected', { status: error.status, code: error.code });
    metrics.addDimension('code', error.code);
    metrics.addMetric('EventsRejected', MetricUnit.Count, 1);
  },
  unexpected: (error: unknown) => logger.error('unexpected error', error as Error),
};

export const handler = middy((request: APIGatewayProxyEventV2) => respond(() => ingestEvent(request, deps), hooks))
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(logMetrics(metrics));
