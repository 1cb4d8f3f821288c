// The path every accepted event takes, whatever format it came in: source, rate limit, Idempotency-Key, the local journal, one queue message.
import { KeyInUseError, claimKey, commitAfterSend } from '../app/idempotency-claim';
import type { RateLimiter } from '../app/rate-limiter';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, type AlertSource } from '../domain/alert-source';
import { toAcceptedEvent, type AcceptedEvent, type EventInput } from '../domain/event';
import { QUEUE } from '../contract';
import { queueMessageBody, type EventQueue } from '../queue/event-queue';
import type { EventStore } from '../store/events';
import type { FirstAnswer, IdempotencyStore } from '../store/idempotency';
import { ingestCounts } from './aggregated-metrics';
import { logger } from './clients';
import { HttpError } from './http';
import { eventId as newEventId, newId } from './ids';

export interface IngestDeps {
  findSource: (integrationKey: string) => Promise<AlertSource | undefined>;
  events: EventStore;
  idempotency: IdempotencyStore;
  rateLimits: Pick<RateLimiter, 'take'>;
  queue: Pick<EventQueue, 'sendAll'>;
  now: () => Date;
  /** An HTTPS GET for the adapters that need one (SNS certificates and SubscribeURL); see inbound-fetch.ts. */
  fetchText: (url: string) => Promise<string>;
}

export interface Accepted {
  answer: FirstAnswer;
  headers: Record<string, string>;
}

/**
 * Accepts the events of one request all together, in order, or none of them: the source by its integration key, one
 * rate-limit take of N, one Idempotency-Key claim, one append to the journal (the local runtime only: no record is
 * written, the processor writes an event's first one) and ONE queue message. Answers the events' ids (the first request's on a replay).
 */
export async function acceptEvents(
  deps: IngestDeps,
  inputs: readonly EventInput[],
  integrationKey: string,
  idempotencyKey: string | undefined,
): Promise<Accepted> {
  const source = await activeSource(deps, integrationKey);
  const limit = source.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE;
  // Refusals that no retry can change come before the take: they must not spend the source's minute.
  const events = toAccepted(inputs, source.id, deps.now());
  if (inputs.length > limit) {
    throw new HttpError(
      413,
      'PAYLOAD_TOO_LARGE',
      `This payload has ${inputs.length} alerts and this alert source accepts ${limit} events per minute: send at most ${limit} alerts at once`,
    );
  }
  const rate = await unavailableOnError(() => deps.rateLimits.take(source.id, limit, deps.now(), inputs.length));
  if (!rate.allowed) {
    const what = inputs.length > 1 ? `; these ${inputs.length} events do not fit in this minute` : '';
    const limited = new HttpError(
      429,
      'RATE_LIMITED',
      `This alert source accepts ${rate.limit} events per minute${what}; retry after ${rate.retryAfterSeconds} s`,
    );
    limited.headers = { 'retry-after': String(rate.retryAfterSeconds), 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': '0' };
    throw limited;
  }
  const rateHeaders = { 'x-ratelimit-limit': String(rate.limit), 'x-ratelimit-remaining': String(rate.remaining) };

  logger.appendKeys({ eventId: events[0].eventId, alertSourceId: source.id });
  const answer = answerOf(events);
  if (idempotencyKey) {
    const first = await unavailableOnError(() => claimOrInUse(deps, source.id, idempotencyKey, answer));
    if (first) return { answer: first, headers: { ...rateHeaders, 'idempotent-replayed': 'true' } };
  }
  await recordAndSend(deps, events, () =>
    idempotencyKey
      ? deps.idempotency.release(source.id, idempotencyKey, answer.eventId).catch((e) => logger.error('could not release the idempotency key', e as Error))
      : undefined,
  );
  if (idempotencyKey) {
    // A 202 only for events no repeat can withdraw: the claim committed, or the events applied already.
    const settled = await commitAfterSend(deps, source.id, idempotencyKey, answer, (error) =>
      logger.error('could not commit the idempotency key', error as Error),
    );
    if (settled === 'withdrawn') {
      logger.warn('a repeat took the idempotency key over: the events were withdrawn');
      const takenOver = new HttpError(
        409,
        'IDEMPOTENCY_KEY_IN_USE',
        'The request took too long and a repeat with this Idempotency-Key took it over; nothing was accepted here, retry to get its answer',
      );
      takenOver.headers = { 'retry-after': '1' };
      throw takenOver;
    }
    if (settled === 'unknown') {
      throw unavailable('STORE_UNAVAILABLE', 'The Idempotency-Key could not be committed; retry with the same key to learn whether the event was accepted');
    }
  }
  ingestCounts.add('EventsAccepted', events.length);
  logger.info('event accepted', { eventType: events[0].eventType, events: events.length });
  return { answer, headers: rateHeaders };
}

/** The active alert source with this integration key: 404 without one, 403 when it is disabled. */
export async function activeSource(deps: Pick<IngestDeps, 'findSource'>, integrationKey: string): Promise<AlertSource> {
  // A key in the path is not checked by a schema: one that no source could have is unknown without a look-up.
  const source = integrationKey.length > 255 ? undefined : await unavailableOnError(() => deps.findSource(integrationKey));
  if (!source) throw new HttpError(404, 'ALERT_SOURCE_NOT_FOUND', 'No alert source has this integration key');
  if (!source.active) throw new HttpError(403, 'ALERT_SOURCE_DISABLED', 'This alert source is disabled');
  return source;
}

/** The events of one payload share their receive time; their ids (monotonic in a process) keep their order. */
function toAccepted(inputs: readonly EventInput[], alertSourceId: string, receivedAt: Date): AcceptedEvent[] {
  const events = inputs.map((input) =>
    toAcceptedEvent(input, { eventId: newEventId(receivedAt.getTime()), alertSourceId, receivedAt: receivedAt.toISOString(), generatedAlertKey: newId() }),
  );
  const bytes = Buffer.byteLength(queueMessageBody(events));
  if (bytes > QUEUE.maxMessageBytes - 1024) {
    throw new HttpError(413, 'PAYLOAD_TOO_LARGE', `These ${events.length} events take ${bytes} bytes as one queue message, over its limit: send fewer at once`);
  }
  return events;
}

const answerOf = (events: AcceptedEvent[]): FirstAnswer => {
  const first = { eventId: events[0].eventId, alertKey: events[0].alertKey };
  return events.length === 1 ? first : { ...first, eventIds: events.map((e) => e.eventId), alertKeys: events.map((e) => e.alertKey) };
};

/**
 * The journal (locally, all the events in one append; nothing in AWS), then the message; on a failure before the send
 * is known to have happened, every event is withdrawn: a tombstone, which the processor will not apply.
 */
async function recordAndSend(deps: IngestDeps, events: AcceptedEvent[], release: () => Promise<void> | undefined): Promise<void> {
  const eventIds = events.map((event) => event.eventId);
  try {
    await deps.events.recordAllQueued(events);
  } catch (error) {
    logger.error('could not record the event', error as Error);
    // A timed-out write may still land: withdraw it too, so that it is never applied (best effort, the store is failing).
    // Side by side with the release: calls in a row would not fit ingest's 5 s.
    await Promise.all([deps.events.withdrawAll(eventIds).catch(() => undefined), release()]);
    throw unavailable('STORE_UNAVAILABLE', 'The event could not be recorded; nothing was accepted, retry later');
  }
  try {
    await deps.queue.sendAll(events);
  } catch (error) {
    logger.error('could not enqueue the event', error as Error);
    const withdrawal = await withdrawAfterFailedSend(deps, eventIds);
    if (withdrawal !== 'not-queued') {
      // A withdrawal that failed is tried once more (best effort) beside the release: it may still keep them unapplied.
      const again = withdrawal === 'unknown' ? deps.events.withdrawAll(eventIds).catch(() => undefined) : undefined;
      await Promise.all([again, release()]);
      throw unavailable('QUEUE_UNAVAILABLE', 'The event could not be queued; nothing was accepted, retry later');
    }
    // The answer was lost, not the message: the events are accepted, and a 503 would make the caller send them twice.
    logger.warn('the queue took the event although the send failed: it is accepted');
  }
}

/**
 * After a failed send: `withdrawn` when every event of the message was withdrawn, in one transaction (none will ever
 * be applied, even if the queue took the message after all). `not-queued` when its condition failed: an event was
 * applied (or parked), so the queue took the message (the answer was lost, not the send) and the processor is applying
 * it: all of its events will be applied. One by one, the processor could apply the later events between the
 * withdrawals of the first and of the rest, under a 503. `unknown` when the withdrawal failed: the caller is told to
 * retry (503), as before.
 */
async function withdrawAfterFailedSend(deps: IngestDeps, eventIds: string[]): Promise<'withdrawn' | 'not-queued' | 'unknown'> {
  try {
    return await deps.events.withdrawAll(eventIds);
  } catch (error) {
    logger.error('could not withdraw the event records', error as Error);
    return 'unknown';
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

/** A 503 the caller should retry, as the management API's (see dependencyUnavailable): with Retry-After: 1. */
function unavailable(code: 'STORE_UNAVAILABLE' | 'QUEUE_UNAVAILABLE', message: string): HttpError {
  const error = new HttpError(503, code, message);
  error.headers = { 'retry-after': '1' };
  return error;
}

async function unavailableOnError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof HttpError) throw error;
    logger.error('store unavailable', error as Error);
    throw unavailable('STORE_UNAVAILABLE', 'The event could not be recorded; nothing was accepted, retry later');
  }
}
