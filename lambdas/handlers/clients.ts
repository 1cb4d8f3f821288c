// Clients and adapters built from a handler's configuration; the logger and metrics once per process, named by the contract.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../contract';
import { createSqsClient } from '../queue/event-queue';
import type { CallBudget } from '../shared/call-budget';
import { createDocumentClient, type StoreContext } from '../store/client';
import type { StoreConfig } from './config';

/** The store's client and table; `budget` bounds each call (see CALL_BUDGETS). */
export const storeContextOf = (config: StoreConfig, budget?: CallBudget): StoreContext => ({
  db: createDocumentClient({ endpoint: config.dynamoDbEndpoint, budget }),
  tableName: config.tableName,
});

/** An SQS client for the event queue (the local runtime's pollers take theirs from here too). */
export const createQueueClient = (options: { endpoint?: string; budget?: CallBudget } = {}): SQSClient => createSqsClient(options);

// Powertools reads its log level and whether metrics are on from POWERTOOLS_* itself; the names are the contract's.
export const logger = new Logger({ serviceName: SERVICE_NAME });
export const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
