// What the api and the escalator need to enqueue the events Alertline makes itself (heartbeats): the event store and queue.
import type { SystemEventDeps } from '../app/system-events';
import { EventQueue } from '../queue/event-queue';
import type { StoreContext } from '../store/client';
import { EventStore, type EventJournal } from '../store/events';
import { createQueueClient } from './clients';
import { eventId } from './ids';

/**
 * Undefined without an event queue in the configuration (EVENT_QUEUE_URL). `journal` (the local runtime): the events are
 * journaled as ingest's are; absent (AWS), nothing is written until they are applied.
 */
export function systemEventsOf(
  config: { queueUrl?: string; sqsEndpoint?: string; journal?: EventJournal },
  ctx: StoreContext,
  now: () => number,
): SystemEventDeps | undefined {
  if (!config.queueUrl) return undefined;
  return {
    events: new EventStore(ctx, { journal: config.journal }),
    queue: new EventQueue(createQueueClient({ endpoint: config.sqsEndpoint }), config.queueUrl),
    now,
    newEventId: eventId,
  };
}
