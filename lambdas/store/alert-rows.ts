// How alerts and log entries are stored: the item of an alert, of an operator's log entry, and an event's log entry on its record.
import type { Alert, AlertStatus, LogEntry } from '../domain/alert';
import { normalizeAlertKey } from '../domain/event';
import { alertKeys, creationPosition, logEntryKeys } from './keys';

/**
 * The alert's item: what events and operators change, and what listings filter on. Its large, write-once fields are
 * in alertDetailsItem. Its status is `alertStatus`, which no index projects (a status change then rewrites only its
 * gsi3 entry); items written before have `status`, which the indexes project, until their first status change.
 */
export const alertItem = (alert: Alert) => {
  const { images: _images, links: _links, customDetails: _customDetails, details: _details, escalationPolicy, status, ...plain } = alert;
  const alertKeyNormalized = normalizeAlertKey(alert.alertKey);
  return {
    ...alertKeys.item(alert.id),
    ...alertKeys.indexes({ ...alert, alertKeyNormalized }),
    entity: 'Alert',
    ...plain,
    alertStatus: status,
    alertKeyNormalized,
    escalationPolicyId: escalationPolicy?.id,
    // A new alert with a policy starts the engine's state too: the first routing (epoch 0), round 0.
    ...(alert.escalationLevel === undefined ? {} : { escalationEpoch: 0, escalationRound: 0 }),
  };
};

/** Rich fields are stored as JSON text: they keep any key (even "__proto__") and any depth DynamoDB itself would refuse. */
export const alertDetailsItem = (alert: Alert) => ({
  ...alertKeys.details(alert.id),
  entity: 'AlertDetails',
  details: alert.details,
  images: JSON.stringify(alert.images),
  links: JSON.stringify(alert.links),
  customDetails: JSON.stringify(alert.customDetails),
});

/** An alert item's status: `alertStatus`, else (an item written before it) `status`. */
export const alertStatusOf = (item: Record<string, unknown>): AlertStatus => (item.alertStatus ?? item.status) as AlertStatus;

const parsed = <T>(text: unknown, absent: T): T => (typeof text === 'string' ? (JSON.parse(text) as T) : absent);

/**
 * An alert from its item and its details item. Without the details item (the processor reads only what it decides
 * on) the large fields are empty; an alert written before the split carries them on its item, which is then both.
 */
export const alertFromItem = (item: Record<string, unknown>, details: Record<string, unknown> = item): Alert => ({
  id: item.id as string,
  alertSourceId: item.alertSourceId as string,
  alertKey: item.alertKey as string,
  summary: item.summary as string,
  details: details.details as string | undefined,
  status: alertStatusOf(item),
  priority: item.priority as Alert['priority'],
  priorityReason: item.priorityReason as string | undefined,
  escalationPolicy: item.escalationPolicyId ? { id: item.escalationPolicyId as string } : undefined,
  escalationLevel: item.escalationLevel as number | undefined,
  nextEscalationAt: item.nextEscalationAt as string | undefined,
  images: parsed(details.images, []),
  links: parsed(details.links, []),
  customDetails: parsed(details.customDetails, {}),
  eventCount: item.eventCount as number,
  createdAt: item.createdAt as string,
  updatedAt: item.updatedAt as string,
  acceptedAt: item.acceptedAt as string | undefined,
  resolvedAt: item.resolvedAt as string | undefined,
});

/** An operator's log entry: an item of its own under the alert. */
export const operatorLogItem = (entry: LogEntry) => ({ ...logEntryKeys.item(entry.alertId, entry.createdAt, entry.id), entity: 'LogEntry', ...entry });

export const operatorLogFromItem = (item: Record<string, unknown>): LogEntry => ({
  id: item.id as string,
  alertId: item.alertId as string,
  eventId: item.eventId as string | undefined,
  type: item.type as LogEntry['type'],
  text: item.text as string,
  createdAt: item.createdAt as string,
});

/** What an event record's log entry is read from (not its payload). */
export const EVENT_LOG_FIELDS = ['pk', 'sk', 'eventId', 'alertId', 'logId', 'logType', 'logText', 'processedAt'];

export const eventLogFromItem = (item: Record<string, unknown>): LogEntry => ({
  id: item.logId as string,
  alertId: item.alertId as string,
  eventId: item.eventId as string,
  type: item.logType as LogEntry['type'],
  text: item.logText as string,
  createdAt: item.processedAt as string,
});

/** A log entry's place in its alert's log: the sort value both of its sources are ordered by. */
export const positionOf = (entry: LogEntry): string => creationPosition.of(entry.createdAt, entry.id);
