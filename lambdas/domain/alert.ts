// The alert state machine: what an event does to the open alert of its key, and what an operator's accept/resolve does.
import type { AcceptedEvent, EventType, Priority } from './event';

export const ALERT_STATUSES = ['PENDING', 'ACCEPTED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type OpenStatus = Exclude<AlertStatus, 'RESOLVED'>;
export const OPEN_STATUSES: readonly OpenStatus[] = ['PENDING', 'ACCEPTED'];
export const isOpen = (status: AlertStatus): status is OpenStatus => status !== 'RESOLVED';

export const EVENT_OUTCOMES = [
  'QUEUED', 'CREATED', 'APPENDED', 'ACCEPTED', 'ALREADY_ACCEPTED', 'RESOLVED', 'COMMENTED', 'NO_OPEN_ALERT', 'FAILED',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const LOG_ENTRY_TYPES = ['ALERT_RECEIVED', 'EVENT_APPENDED', 'ACCEPTED', 'RESOLVED', 'COMMENT'] as const;
export type LogEntryType = (typeof LOG_ENTRY_TYPES)[number];

export interface Alert {
  id: string;
  alertSourceId: string;
  alertKey: string;
  summary: string;
  details?: string;
  status: AlertStatus;
  priority: Priority;
  escalationPolicy?: { id: string };
  images: NonNullable<AcceptedEvent['images']>;
  links: NonNullable<AcceptedEvent['links']>;
  customDetails: Record<string, unknown>;
  eventCount: number;
  createdAt: string;
  updatedAt: string;
  acceptedAt?: string;
  resolvedAt?: string;
}

export interface LogEntry {
  id: string;
  alertId: string;
  eventId?: string;
  type: LogEntryType;
  text: string;
  createdAt: string;
}

/** The alert an event may act on: the last open alert with its key, as the store found it. */
export interface OpenAlertRef {
  id: string;
  status: OpenStatus;
}

export type Decision =
  | { kind: 'CREATE' }
  | { kind: 'APPEND'; alert: OpenAlertRef }
  | { kind: 'ACCEPT'; alert: OpenAlertRef }
  | { kind: 'ALREADY_ACCEPTED'; alert: OpenAlertRef }
  | { kind: 'RESOLVE'; alert: OpenAlertRef }
  | { kind: 'COMMENT'; alert: OpenAlertRef }
  | { kind: 'NO_OPEN_ALERT' };

export const OUTCOME_OF: Record<Decision['kind'], EventOutcome> = {
  CREATE: 'CREATED',
  APPEND: 'APPENDED',
  ACCEPT: 'ACCEPTED',
  ALREADY_ACCEPTED: 'ALREADY_ACCEPTED',
  RESOLVE: 'RESOLVED',
  COMMENT: 'COMMENTED',
  NO_OPEN_ALERT: 'NO_OPEN_ALERT',
};

/**
 * Decides what an event does, given the last open alert with its key (undefined when none is open).
 * Under ONE_OPEN_ALERT_ALLOWED an ALERT joins the open alert of its key or opens a new one.
 * Other grouping modes choose `open` differently; that choice belongs to `grouping.ts`.
 */
export function decide(eventType: EventType, open: OpenAlertRef | undefined): Decision {
  switch (eventType) {
    case 'ALERT':
      return open ? { kind: 'APPEND', alert: open } : { kind: 'CREATE' };
    case 'ACCEPT':
      if (!open) return { kind: 'NO_OPEN_ALERT' };
      return open.status === 'ACCEPTED' ? { kind: 'ALREADY_ACCEPTED', alert: open } : { kind: 'ACCEPT', alert: open };
    case 'RESOLVE':
      return open ? { kind: 'RESOLVE', alert: open } : { kind: 'NO_OPEN_ALERT' };
    case 'COMMENT':
      return open ? { kind: 'COMMENT', alert: open } : { kind: 'NO_OPEN_ALERT' };
  }
}

/** The log line an applied event leaves on its alert (none for outcomes that change nothing). */
export function logEntryFor(decision: Decision, event: AcceptedEvent): { type: LogEntryType; text: string } | undefined {
  switch (decision.kind) {
    case 'CREATE':
      return { type: 'ALERT_RECEIVED', text: `Alert created by event: ${event.summary ?? ''}`.trim() };
    case 'APPEND':
      return { type: 'EVENT_APPENDED', text: `Event appended: ${event.summary ?? ''}`.trim() };
    case 'ACCEPT':
      return { type: 'ACCEPTED', text: withSummary('Alert accepted by event', event) };
    case 'RESOLVE':
      return { type: 'RESOLVED', text: withSummary('Alert resolved by event', event) };
    case 'COMMENT':
      return { type: 'COMMENT', text: event.summary ?? event.details ?? '' };
    case 'ALREADY_ACCEPTED':
    case 'NO_OPEN_ALERT':
      return undefined;
  }
}

const withSummary = (text: string, event: AcceptedEvent) => (event.summary ? `${text}: ${event.summary}` : text);

/** A new alert from the ALERT event that opens it. Priority and escalation policy are decided by the caller's rules. */
export function newAlert(
  event: AcceptedEvent,
  ids: { id: string; now: string },
  settings: { priority: Priority; escalationPolicy?: { id: string } },
): Alert {
  return {
    id: ids.id,
    alertSourceId: event.alertSourceId,
    alertKey: event.alertKey,
    summary: event.summary ?? '',
    details: event.details,
    status: 'PENDING',
    priority: settings.priority,
    escalationPolicy: settings.escalationPolicy,
    images: event.images ?? [],
    links: event.links ?? [],
    customDetails: event.customDetails ?? {},
    eventCount: 1,
    createdAt: ids.now,
    updatedAt: ids.now,
  };
}

export type OperatorAction = 'accept' | 'resolve';

/** An operator's accept or resolve through the API: the new status, unchanged when already there, or a conflict. */
export function operatorTransition(
  status: AlertStatus,
  action: OperatorAction,
): { change: AlertStatus } | { unchanged: true } | { conflict: string } {
  if (action === 'accept') {
    if (status === 'PENDING') return { change: 'ACCEPTED' };
    if (status === 'ACCEPTED') return { unchanged: true };
    return { conflict: 'a resolved alert cannot be accepted' };
  }
  return status === 'RESOLVED' ? { unchanged: true } : { change: 'RESOLVED' };
}
