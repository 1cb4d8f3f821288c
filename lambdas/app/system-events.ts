// Events Alertline makes itself (a heartbeat monitor's ALERT and RESOLVE): recorded QUEUED and queued like an accepted one.
import type { AcceptedEvent, EventType } from '../domain/event';
import type { EventQueue } from '../queue/event-queue';
import type { EventStore } from '../store/events';

export interface SystemEventDeps {
  events: Pick<EventStore, 'recordQueued' | 'withdraw'>;
  queue: Pick<EventQueue, 'send'>;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** An event id that sorts by acceptance, as ingest's. */
  newEventId: (nowMs: number) => string;
}

export interface SystemEvent {
  eventType: EventType;
  alertKey: string;
  summary?: string;
  details?: string;
  customDetails?: Record<string, unknown>;
}

/**
 * The ordinary path of an event after ingest's checks: the QUEUED record, then the source's FIFO group, so that grouping,
 * priority rules, order and the outcome look-up apply to it as to any other. A send that fails withdraws the record and
 * throws (the caller tries again later); when the withdraw finds the record applied, the queue took it after all.
 */
export async function enqueueSystemEvent(deps: SystemEventDeps, alertSourceId: string, input: SystemEvent): Promise<string> {
  const nowMs = deps.now();
  const event: AcceptedEvent = { eventId: deps.newEventId(nowMs), alertSourceId, receivedAt: new Date(nowMs).toISOString(), ...input };
  await deps.events.recordQueued(event);
  try {
    await deps.queue.send(event);
  } catch (error) {
    const withdrawn = await deps.events.withdraw(event.eventId).catch(() => 'withdrawn' as const);
    if (withdrawn === 'withdrawn') throw error;
  }
  return event.eventId;
}
