// Processor Lambda: applies a FIFO batch of accepted events in order, reporting the failed ones for retry.
import { SqsFifoPartialProcessorAsync, processPartialResponse } from '@aws-lambda-powertools/batch';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context, SQSEvent, SQSRecord } from 'aws-lambda';
import { applyEvent } from '../app/apply-event';
import { SourceCache } from '../app/source-cache';
import { parseQueuedEvent } from '../queue/event-queue';
import { AlertSourceStore } from '../store/alert-sources';
import { AlertStore } from '../store/alerts';
import { EscalationPolicyStore } from '../store/escalation-policies';
import { EventStore } from '../store/events';
import { logger, metrics, storeContextFromEnv } from './clients';
import { numberEnv } from './config';
import { newId } from './ids';

const storeContext = storeContextFromEnv();
const sources = new AlertSourceStore(storeContext);
const sourceCache = new SourceCache(numberEnv('SOURCE_CACHE_TTL_MS', 10_000));
const alerts = new AlertStore(storeContext);
const events = new EventStore(storeContext);
const policies = new EscalationPolicyStore(storeContext);
const policyForRoutingKey = (routingKey: string) => policies.getByRoutingKey(routingKey);
/** The queue's maxReceiveCount: the attempt that reaches it marks the event FAILED before the message is parked. */
const maxReceiveCount = numberEnv('MAX_RECEIVE_COUNT', 5);

async function processRecord(record: SQSRecord): Promise<void> {
  const event = parseQueuedEvent(record.body);
  logger.appendKeys({ eventId: event.eventId, alertSourceId: event.alertSourceId });
  try {
    const source = await sourceCache.get(event.alertSourceId, (id) => sources.get(id));
    const result = await applyEvent(event, source, { alerts, policyForRoutingKey, now: () => new Date().toISOString(), newId });
    if ('duplicate' in result) {
      logger.info('event already applied or withdrawn; redelivery ignored');
    } else {
      const lagMs = Date.now() - Date.parse(event.receivedAt);
      logger.info('event applied', { outcome: result.outcome, alertId: result.alertId, eventType: event.eventType, lagMs });
      metrics.addMetric(`Outcome${result.outcome}`, MetricUnit.Count, 1);
      metrics.addMetric('ProcessingLag', MetricUnit.Milliseconds, lagMs);
    }
  } catch (error) {
    const attempt = Number(record.attributes.ApproximateReceiveCount ?? '1');
    logger.error('event failed', { attempt, error: error as Error });
    if (attempt >= maxReceiveCount) {
      await events.markFailed(event.eventId, (error as Error).message, new Date().toISOString());
    }
    throw error;
  } finally {
    logger.removeKeys(['eventId', 'alertSourceId']);
  }
}

/**
 * skipGroupOnError: a failing event holds back the later events of its own alert source (their order matters),
 * but not those of other sources in the same batch, which have no order relation to it.
 */
const processor = new SqsFifoPartialProcessorAsync();

export async function processBatch(event: SQSEvent, context: Context) {
  const response = await processPartialResponse(event, processRecord, processor, { context, skipGroupOnError: true, throwOnFullBatchFailure: false });
  if (response.batchItemFailures.length > 0) metrics.addMetric('BatchItemFailures', MetricUnit.Count, response.batchItemFailures.length);
  return response;
}

export const handler = middy(processBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
