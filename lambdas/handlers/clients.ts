// Clients and adapters built from a handler's configuration; the logger and metrics once per process, named by the contract.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract';
import { createSqsClient } from '../queue/event-queue';
import { NotificationQueue } from '../queue/notification-queue';
import { CALL_BUDGETS, type CallBudget } from '../shared/call-budget';
import { createDocumentClient, type StoreContext } from '../store/client';
import type { EngineConfig, StoreConfig } from './config';

/** The store's client and table; `budget` bounds each call (see CALL_BUDGETS). */
export const storeContextOf = (config: StoreConfig, budget?: CallBudget): StoreContext => ({
  db: createDocumentClient({ endpoint: config.dynamoDbEndpoint, budget }),
  tableName: config.tableName,
});

/** An SQS client for the event queue (the local runtime's pollers take theirs from here too). */
export const createQueueClient = (options: { endpoint?: string; budget?: CallBudget } = {}): SQSClient => createSqsClient(options);

/** The notification queue, when the configuration names one; its sends are short calls, not long polls. */
export const notificationQueueOf = (config: EngineConfig): NotificationQueue | undefined =>
  config.notificationQueueUrl
    ? new NotificationQueue(createSqsClient({ endpoint: config.sqsEndpoint, budget: CALL_BUDGETS.default }), config.notificationQueueUrl)
    : undefined;

// Powertools reads its log level and whether metrics are on from POWERTOOLS_* itself; the names are the contract's.
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
