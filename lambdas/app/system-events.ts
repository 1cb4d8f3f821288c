// Events Alertline makes itself (a heartbeat monitor's ALERT and RESOLVE): journaled (locally) and queued like an accepted one.
import { createHash } from 'node:crypto';
import type { AcceptedEvent, EventType } from '../domain/event';
import { ulidOf } from '../domain/ulid';
import type { EventQueue } from '../queue/event-queue';
import type { EventStore } from '../store/events';

export interface SystemEventDeps {
  events: Pick<EventStore, 'recordQueued' | 'withdraw' | 'get'>;
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
 * The ordinary path of an event after ingest's checks: the journal (the local runtime; nothing in AWS), then the
 * source's FIFO group, so that grouping, priority rules, order and the outcome look-up apply to it as to any other. A
 * send that fails withdraws the event (a tombstone: never applied) and throws, and the caller tries again later with a
 * new event; when the withdrawal finds the event applied, the queue took it after all.
 */
export async function enqueueSystemEvent(deps: SystemEventDeps, alertSourceId: string, input: SystemEvent): Promise<string> {
  const nowMs = deps.now();
  const event: AcceptedEvent = { eventId: deps.newEventId(nowMs), alertSourceId, receivedAt: new Date(nowMs).toISOString(), ...input };
  await deps.events.recordQueued(event);
  await sendOrWithdraw(deps, event);
  return event.eventId;
}

/** Where an event made once (whatever the tries) comes from: its event id is made from `seed`, sorted at `atMs`. */
export interface Once {
  seed: string;
  atMs: number;
}

/**
 * The event of `once`, applied at most once however often it is asked for: its event id is fixed by the seed, so that
 * a record applied (or parked) means it was sent (nothing to do); none (not applied yet, or a first try), or a QUEUED
 * one (a data folder of an older version), is sent again: the processor applies an event id once, and the queue drops
 * a repeat within five minutes. Locally each try journals it again. A send that fails is never withdrawn: the
 * tombstone would keep every later try of the same id from being applied; the caller tries again until one is sent.
 */
export async function enqueueSystemEventOnce(deps: SystemEventDeps, alertSourceId: string, input: SystemEvent, once: Once): Promise<string> {
  const eventId = seededEventId(once);
  const existing = await deps.events.get(eventId);
  if (existing?.outcome === 'WITHDRAWN') {
    // Only a withdrawal by another path could leave one: sending it again would be refused by the processor.
    throw new Error(`event ${eventId} was withdrawn; it cannot be sent again until its tombstone expires`);
  }
  const event: AcceptedEvent = { eventId, alertSourceId, receivedAt: existing?.receivedAt ?? new Date(deps.now()).toISOString(), ...input };
  if (existing && existing.outcome !== 'QUEUED') return eventId;
  if (!existing) await deps.events.recordQueued(event);
  await deps.queue.send(event);
  return eventId;
}

/** A ULID whose time is `atMs` and whose 80 random bits are the seed's hash: the same on every try. */
export function seededEventId({ seed, atMs }: Once): string {
  const hash = createHash('sha256').update(seed).digest();
  return ulidOf(atMs, Array.from(hash.subarray(0, 16)));
}

/** A withdrawal that fails leaves nobody knowing whether the event was queued: the caller is told it failed, and tries again. */
async function sendOrWithdraw(deps: SystemEventDeps, event: AcceptedEvent): Promise<void> {
  try {
    await deps.queue.send(event);
  } catch (error) {
    const withdrawn = await deps.events.withdraw(event.eventId).catch(() => 'withdrawn' as const);
    if (withdrawn === 'withdrawn') throw error;
  }
}
