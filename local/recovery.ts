// After a crash the in-memory queue is gone but the records of accepted events still say QUEUED: send them again, in order.
import { AlertSourceStore } from '../lambdas/store/alert-sources';
import { EventStore } from '../lambdas/store/events';
import { EventQueue, createSqsClient } from '../lambdas/queue/event-queue';
import { storeContextFromEnv } from '../lambdas/handlers/clients';
import { requireEnv } from '../lambdas/handlers/config';

/** Runs before the gateway opens, so recovered events keep their place ahead of new ones of the same source. */
export async function recoverQueuedEvents(): Promise<number> {
  const ctx = storeContextFromEnv();
  const events = new EventStore(ctx);
  const queue = new EventQueue(createSqsClient({ endpoint: requireEnv('SQS_ENDPOINT') }), requireEnv('QUEUE_URL'));
  let count = 0;
  for (const source of await new AlertSourceStore(ctx).list()) {
    for await (const event of events.queuedPayloads(source.id)) {
      await queue.send(event);
      count++;
    }
  }
  return count;
}
