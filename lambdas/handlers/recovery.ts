// Crash recovery of the local runtime: its queue lives in memory, so after a crash the records of accepted events still say QUEUED with no message behind them; they are sent again, in order.
import { EventQueue } from '../queue/event-queue';
import { AlertSourceStore } from '../store/alert-sources';
import { EventStore } from '../store/events';
import { createQueueClient, storeContextOf } from './clients';
import type { IngestConfig } from './config';

export type RecoveryConfig = Pick<IngestConfig, 'tableName' | 'dynamoDbEndpoint' | 'queueUrl' | 'sqsEndpoint'>;

/**
 * Re-queues every QUEUED event, source by source in acceptance order, and says how many. Run before the gateway
 * opens, so that recovered events keep their place ahead of new ones of the same source.
 */
export function createRecovery(config: RecoveryConfig): () => Promise<number> {
  return async () => {
    const ctx = storeContextOf(config);
    const sqs = createQueueClient({ endpoint: config.sqsEndpoint });
    const events = new EventStore(ctx);
    const queue = new EventQueue(sqs, config.queueUrl);
    let count = 0;
    try {
      for (const source of await new AlertSourceStore(ctx).list()) {
        for await (const event of events.queuedPayloads(source.id)) {
          await queue.resend(event);
          count++;
        }
      }
      return count;
    } finally {
      ctx.db.destroy();
      sqs.destroy();
    }
  };
}
