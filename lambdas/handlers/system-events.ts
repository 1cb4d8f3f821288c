// What the api and the escalator need to enqueue the events Alertline makes itself (heartbeats): the event store and queue.
import type { SystemEventDeps } from '../app/system-events';
import { EventQueue } from '../queue/event-queue';
import type { StoreContext } from '../store/client';
import { EventStore } from '../store/events';
import { createQueueClient } from './clients';
import { eventId } from './ids';

/**
 * Undefined without an event queue in the configuration (EVENT_QUEUE_URL). `recoverableEvents` (the local runtime): the
 * events are recorded QUEUED with what crash recovery needs, as ingest's; absent (AWS), no record until applied.
 */
export function systemEventsOf(
  config: { queueUrl?: string; sqsEndpoint?: string; recoverableEvents?: boolean },
  ctx: StoreContext,
  now: () => number,
): SystemEventDeps | undefined {
  if (!config.queueUrl) return undefined;
  return {
    events: new EventStore(ctx, { recoverable: config.recoverableEvents }),
    queue: new EventQueue(createQueueClient({ endpoint: config.sqsEndpoint }), config.queueUrl),
    now,
    newEventId: eventId,
  };
}
