// Processor Lambda: applies a FIFO batch of accepted events in order, reporting the failed ones for retry.
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyEvent, applyInRounds, type ApplyDeps, type ApplyEventResult, type Delivery, type SourcedEvent } from '../app/apply-event';
import { suppressionCheck } from '../app/maintenance-windows';
import { QUEUE } from '../contract';
import { SourceCache } from '../app/source-cache';
import type { NotificationQueuePort } from '../app/ports';
import type { AlertSource } from '../domain/alert-source';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { AcceptedEvent } from '../domain/event';
import { isFirstSend, parseQueuedEvents } from '../queue/event-queue';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { MaintenanceWindowStore } from '../store/maintenance-windows';
import type { Key } from '../store/keys';
import { logger, metrics, notificationQueueOf, storeContextOf } from './clients';
import { withUsage } from './usage';
import type { ProcessorConfig } from './config';
import { newId } from './ids';

export interface ProcessorDeps {
  apply: ApplyDeps;
  events: Pick<EventStore, 'markFailed' | 'markHeld'>;
  sourceOf: (event: AcceptedEvent) => Promise<AlertSource | undefined>;
  /** The queue's maxReceiveCount: the attempt that reaches it marks the event FAILED before the message is parked. */
  maxReceiveCount: number;
  /**
   * How long after its arrival an event can have been parked at the soonest (its attempts, a visibility timeout
   * apart): a redelivery older than that may be a redrive, whose earlier attempt's mark later events overwrote.
   */
  parkableAfterMs: number;
  /** Single conditional writes instead of a transaction (see ProcessorConfig.singleWrites), on any attempt but the last. */
  singleWrites?: boolean;
  /** Where the escalation jobs an event wrote are sent to run at once (absent: the escalator's tick finds them). */
  notificationQueue?: Pick<NotificationQueuePort, 'runJob'>;
}

/** Policies by id for a short while, like alert sources: a burst of new alerts reads each policy once. */
function policyCache(load: (id: string) => Promise<EscalationPolicy | undefined>, ttlMs: number, clock: () => number) {
  const entries = new Map<string, { policy: EscalationPolicy | undefined; until: number }>();
  return async (id: string) => {
    const hit = entries.get(id);
    if (hit && hit.until > clock()) return hit.policy;
    const policy = await load(id);
    if (entries.size >= 1000) entries.clear();
    if (ttlMs > 0) entries.set(id, { policy, until: clock() + ttlMs });
    return policy;
  };
}

function processorDeps(config: ProcessorConfig): ProcessorDeps {
  const storeContext = storeContextOf(config);
  const sources = new AlertSourceStore(storeContext);
  const sourceCache = new SourceCache(config.sourceCacheTtlMs);
  const policies = new EscalationPolicyStore(storeContext);
  const clock = config.clock ?? Date.now;
  return {
    apply: {
      alerts: new AlertStore(storeContext),
      policyForRoutingKey: (routingKey: string) => policies.getByRoutingKey(routingKey),
      policyById: policyCache((id) => policies.get(id), config.sourceCacheTtlMs, clock),
      now: () => new Date(clock()).toISOString(),
      newId,
      // Each source's maintenance windows, read once per source cache TTL: a window's edit takes effect within it.
      suppressed: suppressionCheck(new MaintenanceWindowStore(storeContext), config.sourceCacheTtlMs, clock),
    },
    notificationQueue: notificationQueueOf(config),
    events: new EventStore(storeContext),
    sourceOf: (event) => sourceCache.get(event.alertSourceId, (id) => sources.get(id)),
    maxReceiveCount: config.maxReceiveCount,
    parkableAfterMs: (config.maxReceiveCount - 1) * (config.visibilityTimeoutSeconds ?? QUEUE.visibilityTimeoutSeconds) * 1000,
    singleWrites: config.singleWrites,
  };
}

/**
 * The fast path of escalation: the jobs an event wrote (a new alert's first level, notices) are run through the
 * notification queue now. A send that fails is only logged: the escalator's tick finds the job all the same.
 */
async function startJobs(deps: ProcessorDeps, results: ApplyEventResult[]): Promise<void> {
  const keys = results.flatMap((r): Key[] => ('jobs' in r && r.jobs) || []);
  if (!deps.notificationQueue || keys.length === 0) return;
  const queue = deps.notificationQueue;
  await Promise.all(
    keys.map((key) =>
      queue.runJob(key).catch((error: unknown) => logger.warn('could not queue an escalation job; the tick runs it', { key, error: error as Error })),
    ),
  );
}

function reportApplied(event: AcceptedEvent, result: ApplyEventResult): void {
  if ('duplicate' in result) {
    logger.info('event already applied or withdrawn; redelivery ignored', { eventId: event.eventId });
    return;
  }
  const lagMs = Date.now() - Date.parse(event.receivedAt);
  logger.info('event applied', {
    eventId: event.eventId,
    alertSourceId: event.alertSourceId,
    outcome: result.outcome,
    alertId: result.alertId,
    eventType: event.eventType,
    lagMs,
  });
  metrics.addMetric(`Outcome${result.outcome}`, MetricUnit.Count, 1);
  metrics.addMetric('ProcessingLag', MetricUnit.Milliseconds, lagMs);
}

/**
 * One message at a time, for what the batch path left: its events in order (a tool's payload carries several; those
 * applied before a redelivery are recognised as duplicates), retried on a lost race, FAILED on its last attempt.
 */
async function processRecord(deps: ProcessorDeps, record: SQSRecord, triedInBatch: boolean): Promise<void> {
  const events = parseQueuedEvents(record.body);
  const delivery: Delivery = {
    tried: triedInBatch || !isFirstDelivery(record, events),
    singleWrites: !!deps.singleWrites && attemptOf(record) < deps.maxReceiveCount,
  };
  for (const [i, event] of events.entries()) {
    logger.appendKeys({ eventId: event.eventId, alertSourceId: event.alertSourceId });
    try {
      const age = Date.parse(deps.apply.now()) - Date.parse(event.receivedAt);
      const mayHaveBeenParked = delivery.tried && !(age < deps.parkableAfterMs);
      const result = await applyEvent(event, await deps.sourceOf(event), deps.apply, { ...delivery, mayHaveBeenParked });
      reportApplied(event, result);
      await startJobs(deps, [result]);
    } catch (error) {
      const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
      logger.error('event failed', { attempt, error: error as Error });
      if (attempt >= deps.maxReceiveCount) await markFailedWithRest(deps, event, events.slice(i + 1), error as Error);
      throw error;
    } finally {
      logger.removeKeys(['eventId', 'alertSourceId']);
    }
  }
}

/** On the last attempt: the failed event, and the later events of its message, which go to the dead-letter queue with it. */
async function markFailedWithRest(deps: ProcessorDeps, failed: AcceptedEvent, rest: AcceptedEvent[], error: Error): Promise<void> {
  const now = new Date().toISOString();
  // The events themselves: in AWS their records do not exist yet, and marking one FAILED writes it whole.
  await deps.events.markFailed(failed, error.message, now);
  await Promise.all(rest.map((event) => deps.events.markHeld(event, `event ${failed.eventId}`, error.message, now)));
}

/** Received for the first time, as ingest sent it: nothing of it can have been applied before. */
const isFirstDelivery = (record: SQSRecord, events: AcceptedEvent[]) =>
  attemptOf(record) === 1 && isFirstSend(record.attributes.MessageDeduplicationId, events[0]?.eventId);

/**
 * The batch path: the leading records of the batch, up to the first that cannot be parsed or that may have been
 * tried before (a redelivery: see Delivery), applied together in rounds (see applyInRounds). Returns the message ids
 * it applied, and those it tried and stopped at or before, which may have been applied in part.
 */
async function applyLeading(deps: ProcessorDeps, records: SQSRecord[]): Promise<{ applied: Set<string>; tried: Set<string> }> {
  // A message of several events (a tool's payload) contributes them all, in order; it counts as applied once its last is.
  const leading: Array<SourcedEvent & { messageId: string; lastOfMessage: boolean }> = [];
  try {
    for (const record of records) {
      const events = parseQueuedEvents(record.body);
      if (!isFirstDelivery(record, events)) break;
      for (const [i, event] of events.entries()) {
        leading.push({ event, source: await deps.sourceOf(event), messageId: record.messageId, lastOfMessage: i === events.length - 1 });
      }
    }
  } catch {
    // An unreadable record and those after it go the one-by-one way, which reports it.
  }
  if (leading.length < 2) return { applied: new Set(), tried: new Set() };
  const { results, stoppedBy } = await applyInRounds(leading, deps.apply, { singleWrites: !!deps.singleWrites && deps.maxReceiveCount > 1 });
  if (stoppedBy) logger.info('batch path stopped; the rest is applied one by one', { applied: results.length, reason: String(stoppedBy) });
  results.forEach((result, i) => reportApplied(leading[i].event, result));
  await startJobs(deps, results);
  const applied = new Set(
    leading
      .slice(0, results.length)
      .filter((l) => l.lastOfMessage)
      .map((l) => l.messageId),
  );
  return { applied, tried: new Set(stoppedBy ? leading.map((l) => l.messageId) : []) };
}

/** What held a group back: the first record of the group that failed in this batch, and why. */
interface Holder {
  name: string;
  error: string;
}

const eventsOf = (record: SQSRecord): AcceptedEvent[] => {
  try {
    return parseQueuedEvents(record.body);
  } catch {
    return [];
  }
};
const groupOf = (record: SQSRecord) => record.attributes.MessageGroupId ?? '';
const attemptOf = (record: SQSRecord) => Number(record.attributes.ApproximateReceiveCount ?? '1');

/**
 * The records skipped behind a failure of their group were received too, so their receive count rose with the
 * failing one's. On its last attempt such a record goes to the dead-letter queue untried when it is returned: its
 * event is marked FAILED, naming the event that held it, so that its record tells what happened (and `npm run dlq --
 * redrive` replays it, a FAILED record being applicable). Re-sending it instead would put it behind the later events
 * of its source, and leave the queue and the record disagreeing about where it is. Those with attempts left stay
 * QUEUED: they come back.
 */
async function parkHeldOnLastAttempt(deps: ProcessorDeps, records: SQSRecord[], held: Set<string>, holders: Map<string, Holder>): Promise<void> {
  const now = new Date().toISOString();
  await Promise.all(
    records
      .filter((record) => held.has(record.messageId) && attemptOf(record) >= deps.maxReceiveCount)
      .map(async (record) => {
        const holder = holders.get(groupOf(record));
        if (!holder) return;
        // An unreadable record has no event to mark; a payload's message has several, each marked (in AWS: written) FAILED.
        for (const event of eventsOf(record)) {
          const eventId = event.eventId;
          try {
            await deps.events.markHeld(event, holder.name, holder.error, now);
            logger.warn('event held behind a failed event on its last attempt: marked FAILED', { eventId, heldBy: holder.name });
            metrics.addMetric('EventsHeldFailed', MetricUnit.Count, 1);
          } catch (error) {
            // Its message is parked all the same; the dead-letter alarm and `npm run dlq -- list` show it.
            logger.error('could not mark a held event FAILED', { eventId, heldBy: holder.name, error: error as Error });
          }
        }
      }),
  );
}

/**
 * skipGroupOnError: a failing event holds back the later events of its own alert source (their order matters),
 * but not those of other sources in the same batch, which have no order relation to it. The held ones are handed
 * back untried; on their last attempt they are marked FAILED (see parkHeldOnLastAttempt). A processor per call: it
 * keeps the batch's state, and the local runtime's pollers call this concurrently.
 */
async function processBatch(deps: ProcessorDeps, event: SQSEvent, context: Context) {
  const { applied, tried: triedInBatch } = await applyLeading(deps, event.Records);
  const tried = new Set<string>();
  const holders = new Map<string, Holder>();
  const handleRecord = async (record: SQSRecord) => {
    tried.add(record.messageId);
    if (applied.has(record.messageId)) return;
    try {
      await processRecord(deps, record, triedInBatch.has(record.messageId));
    } catch (error) {
      const [first] = eventsOf(record);
      if (!holders.has(groupOf(record))) {
        holders.set(groupOf(record), { name: first ? `event ${first.eventId}` : `message ${record.messageId}`, error: (error as Error).message });
      }
      throw error;
    }
  };
  const response = await processPartialResponse(event, handleRecord, new SqsFifoPartialProcessorAsync(), {
    context,
    skipGroupOnError: true,
    throwOnFullBatchFailure: false,
  });
  const held = new Set(response.batchItemFailures.map((f) => f.itemIdentifier).filter((id) => !tried.has(id)));
  await parkHeldOnLastAttempt(deps, event.Records, held, holders);
  if (response.batchItemFailures.length > 0) {
    metrics.addMetric('BatchItemFailures', MetricUnit.Count, response.batchItemFailures.length);
    reportRetriedAge(event.Records, new Set(response.batchItemFailures.map((f) => f.itemIdentifier)));
  }
  return response;
}

/**
 * `RetriedEventAge`: how long the oldest event this batch hands back has waited since it was queued. It is what the
 * "queued too long" alarm watches for events being retried, because SQS's ApproximateAgeOfOldestMessage leaves out
 * messages received three times or more, i.e. a poison and the events held behind it.
 */
function reportRetriedAge(records: SQSRecord[], returned: Set<string>): void {
  const sent = records
    .filter((r) => returned.has(r.messageId))
    .map((r) => Number(r.attributes.SentTimestamp))
    .filter((t) => t > 0);
  if (sent.length > 0) metrics.addMetric('RetriedEventAge', MetricUnit.Seconds, Math.max(0, (Date.now() - Math.min(...sent)) / 1000));
}

/** The batch function itself, without Lambda's middlewares (logs' context, metrics' flush): for tests that read the metrics. */
export function createBatchProcessor(config: ProcessorConfig, deps: Partial<ProcessorDeps> = {}) {
  const all: ProcessorDeps = { ...processorDeps(config), ...deps };
  return (event: SQSEvent, context: Context) => processBatch(all, event, context);
}

/** The processor Lambda handler, its clients built once from `config`; `deps` replaces any of them. */
export const createProcessorHandler = (config: ProcessorConfig, deps: Partial<ProcessorDeps> = {}) =>
  middy(withUsage('processor', createBatchProcessor(config, deps)))
    .use(injectLambdaContext(logger))
    .use(logMetrics(metrics));
