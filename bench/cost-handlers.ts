// The handlers the cost measurement invokes, built as the local runtime builds them. Imported only once bench/cost.ts has
// set the log level: Powertools reads it when the handlers' logger is built.
import { DEFAULTS, QUEUE } from '../lambdas/contract';
import { createApiHandler } from '../lambdas/handlers/api';
import { createQueueClient } from '../lambdas/handlers/clients';
import { createIngestHandler } from '../lambdas/handlers/ingest';
import { createNotifierBatch } from '../lambdas/handlers/notifier';
import { createProcessorHandler } from '../lambdas/handlers/processor';
import { usageTotals, type Usage } from '../lambdas/handlers/usage';

export interface CostConfig {
  tableName: string;
  dynamoDbEndpoint: string;
  queueUrl: string;
  notificationQueueUrl: string;
  sqsEndpoint: string;
  publicUrl: string;
}

/** Ingest as in AWS (no `recoverableEvents`: the queue is durable there), the processor, the API and the notifier. */
export function build(config: CostConfig, adminToken: string) {
  const store = { tableName: config.tableName, dynamoDbEndpoint: config.dynamoDbEndpoint };
  const engine = { notificationQueueUrl: config.notificationQueueUrl, sqsEndpoint: config.sqsEndpoint };
  const actionSecret = { value: 'cost-measurement-action-secret-0123456789' };
  return {
    ingest: createIngestHandler({ ...store, queueUrl: config.queueUrl, sqsEndpoint: config.sqsEndpoint, sourceCacheTtlMs: DEFAULTS.sourceCacheTtlMs }),
    api: createApiHandler({
      ...store,
      ...engine,
      adminToken: { token: adminToken },
      allowPrivateWebhookTargets: true,
      actionSecret,
      publicUrl: config.publicUrl,
    }),
    processor: createProcessorHandler({
      ...store,
      ...engine,
      sourceCacheTtlMs: DEFAULTS.sourceCacheTtlMs,
      maxReceiveCount: QUEUE.maxReceiveCount,
      singleWrites: true,
    }),
    notifier: createNotifierBatch({ ...store, ...engine, publicUrl: config.publicUrl, actionSecret, allowPrivateWebhookTargets: true }),
    /** The queues as Lambda's event sources read them: their receives and deletes are billed too. */
    sqs: createQueueClient({ endpoint: config.sqsEndpoint }),
  };
}

/** What every function but the API consumed so far (the API serves the measurement's own set-up and reads). */
export const usageBesidesApi = (): Record<string, Usage> => Object.fromEntries(Object.entries(usageTotals()).filter(([name]) => name !== 'api'));
