// Clients and adapters built once per process from the environment; the local runtime sets the endpoints, AWS does not.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { createDocumentClient, type StoreContext } from '../store/client';
import { optionalEnv, requireEnv } from './config';

export const storeContextFromEnv = (): StoreContext => ({
  db: createDocumentClient({ endpoint: optionalEnv('DYNAMODB_ENDPOINT') }),
  tableName: requireEnv('TABLE_NAME'),
});

export const logger = new Logger({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'alertline' });
export const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'Alertline', serviceName: 'alertline' });
