// The alert state machine: what an event does to the open alert of its key, and what an operator's accept/resolve does.
import type { AlertCreation } from './alert-source';
import type { AcceptedEvent, EventType, Priority } from './event';

export const ALERT_STATUSES = ['PENDING', 'ACCEPTED', 'RESOLVED'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];
export type OpenStatus = Exclude<AlertStatus, 'RESOLVED'>;
export const OPEN_STATUSES: readonly OpenStatus[] = ['PENDING', 'ACCEPTED'];
export const isOpen = (status: AlertStatus): status is OpenStatus => status !== 'RESOLVED';

export const EVENT_OUTCOMES = [
  'QUEUED',
  'CREATED',
  'APPENDED',
  'ACCEPTED',
  'ALREADY_ACCEPTED',
  'RESOLVED',
  'COMMENTED',
  'NO_OPEN_ALERT',
  'SUPPRESSED',
  'FAILED',
] as const;
export type EventOutcome = (typeof EVENT_OUTCOMES)[number];

export const LOG_ENTRY_TYPES = [
  'ALERT_RECEIVED',
  'EVENT_APPENDED',
  'ACCEPTED',
  'RESOLVED',
  'COMMENT',
  'ESCALATED',
  'NOTIFICATION_SENT',
  'NOTIFICATION_FAILED',
  'REROUTED',
] as const;
export type LogEntryType = (typeof LOG_ENTRY_TYPES)[number];

export interface Alert {
  id: string;
  alertSourceId: string;
  alertKey: string;
  summary: string;
  details?: string;
  status: AlertStatus;
  priority: Priority;
  /** Why the alert got its priority (the source's rule, support hours, the event's field, a template mapping). */
  priorityReason?: string;
  escalationPolicy?: { id: string };
  /** The escalation level last notified (1-based); absent when the alert has no policy. */
  escalationLevel?: number;
  /** When the next level falls due; absent when none will (LOW, accepted, resolved, last level passed). */
  nextEscalationAt?: string;
  images: NonNullable<AcceptedEvent['images']>;
  links: NonNullable<AcceptedEvent['links']>;
  customDetails: Record<string, unknown>;
  eventCount: number;
  createdAt: string;
  updatedAt: string;
  acceptedAt?: string;
  resolvedAt?: string;
}

/** An alert as the API answers it: the escalation fields are null rather than absent, so clients see them. */
export type AlertView = Omit<Alert, 'escalationLevel' | 'nextEscalationAt'> & { escalationLevel: number | null; nextEscalationAt: string | null };

export const alertView = (alert: Alert): AlertView => ({
  ...alert,
  escalationLevel: alert.escalationLevel ?? null,
  nextEscalationAt: alert.nextEscalationAt ?? null,
});

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
  /** Set when the alert escalates: its accept or resolve then sends notices to those notified. */
  escalationLevel?: number;
}

export type Decision =
  | { kind: 'CREATE' }
  | { kind: 'APPEND'; alert: OpenAlertRef }
  | { kind: 'ACCEPT'; alert: OpenAlertRef }
  | { kind: 'ALREADY_ACCEPTED'; alert: OpenAlertRef }
  | { kind: 'RESOLVE'; alert: OpenAlertRef }
  | { kind: 'COMMENT'; alert: OpenAlertRef }
  | { kind: 'NO_OPEN_ALERT' }
  /** An ALERT while a maintenance window covers its source: recorded, nothing opened, appended or escalated. */
  | { kind: 'SUPPRESS' };

export const OUTCOME_OF: Record<Decision['kind'], EventOutcome> = {
  CREATE: 'CREATED',
  APPEND: 'APPENDED',
  ACCEPT: 'ACCEPTED',
  ALREADY_ACCEPTED: 'ALREADY_ACCEPTED',
  RESOLVE: 'RESOLVED',
  COMMENT: 'COMMENTED',
  NO_OPEN_ALERT: 'NO_OPEN_ALERT',
  SUPPRESS: 'SUPPRESSED',
};

/** The open alerts an event may act on, as the store found them. */
export interface Candidates {
  /** The last open alert with the event's key (its newest). */
  byKey?: OpenAlertRef;
  /** Window grouping only: the alert source's newest open alert and when it was created. */
  bySource?: OpenAlertRef & { createdAt: string };
}

export interface Grouping {
  mode: AlertCreation;
  windowMinutes?: number;
}

/**
 * Decides what an event does. ACCEPT, RESOLVE and COMMENT act on the last open alert with the key; an ALERT
 * joins an open alert or opens a new one as the source's grouping mode says.
 */
export function decide(event: { eventType: EventType; receivedAt: string }, open: Candidates, grouping: Grouping): Decision {
  const byKey = open.byKey;
  switch (event.eventType) {
    case 'ALERT':
      return alertTarget(event.receivedAt, open, grouping);
    case 'ACCEPT':
      if (!byKey) return { kind: 'NO_OPEN_ALERT' };
      return byKey.status === 'ACCEPTED' ? { kind: 'ALREADY_ACCEPTED', alert: byKey } : { kind: 'ACCEPT', alert: byKey };
    case 'RESOLVE':
      return byKey ? { kind: 'RESOLVE', alert: byKey } : { kind: 'NO_OPEN_ALERT' };
    case 'COMMENT':
      return byKey ? { kind: 'COMMENT', alert: byKey } : { kind: 'NO_OPEN_ALERT' };
  }
}

function alertTarget(receivedAt: string, open: Candidates, grouping: Grouping): Decision {
  switch (grouping.mode) {
    case 'ONE_OPEN_ALERT_ALLOWED':
      return open.byKey ? { kind: 'APPEND', alert: open.byKey } : { kind: 'CREATE' };
    case 'ONE_PENDING_ALERT_ALLOWED':
      // An accepted alert stays open, but new trouble with the same key deserves a new, pending alert.
      return open.byKey?.status === 'PENDING' ? { kind: 'APPEND', alert: open.byKey } : { kind: 'CREATE' };
    case 'ONE_ALERT_PER_EVENT':
      return { kind: 'CREATE' };
    case 'ONE_ALERT_GROUPED_PER_WINDOW': {
      const candidate = open.bySource;
      // Measured by the event's receive time, so that a slow queue does not change the grouping.
      const windowEnds = candidate ? Date.parse(candidate.createdAt) + (grouping.windowMinutes ?? 0) * 60_000 : 0;
      return candidate && Date.parse(receivedAt) < windowEnds ? { kind: 'APPEND', alert: candidate } : { kind: 'CREATE' };
    }
  }
}

/** The log line an applied event leaves on its alert (none for outcomes that change nothing). */
export function logEntryFor(decision: Decision, event: AcceptedEvent, created?: Alert): { type: LogEntryType; text: string } | undefined {
  switch (decision.kind) {
    case 'CREATE': {
      const why = created ? ` (priority ${created.priority}: ${created.priorityReason ?? 'default'})` : '';
      return { type: 'ALERT_RECEIVED', text: `Alert created by event: ${event.summary ?? ''}${why}` };
    }
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
    case 'SUPPRESS':
      return undefined;
  }
}

const withSummary = (text: string, event: AcceptedEvent) => (event.summary ? `${text}: ${event.summary}` : text);

/** A new alert from the ALERT event that opens it. Priority and escalation policy are decided by the caller's rules. */
export function newAlert(
  event: AcceptedEvent,
  ids: { id: string; now: string },
  settings: { priority: Priority; priorityReason?: string; escalationPolicy?: { id: string } },
): Alert {
  return {
    id: ids.id,
    alertSourceId: event.alertSourceId,
    alertKey: event.alertKey,
    summary: event.summary ?? '',
    details: event.details,
    status: 'PENDING',
    priority: settings.priority,
    priorityReason: settings.priorityReason,
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
export function operatorTransition(status: AlertStatus, action: OperatorAction): { change: AlertStatus } | { unchanged: true } | { conflict: string } {
  if (action === 'accept') {
    if (status === 'PENDING') return { change: 'ACCEPTED' };
    if (status === 'ACCEPTED') return { unchanged: true };
    return { conflict: 'a resolved alert cannot be accepted' };
  }
  return status === 'RESOLVED' ? { unchanged: true } : { change: 'RESOLVED' };
}
