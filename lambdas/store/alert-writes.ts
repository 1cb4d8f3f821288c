// The writes of one event's decision: its record with the outcome, and the decision's effects on alerts and locks.
import { OUTCOME_OF, type Alert, type Decision, type EventOutcome, type LogEntry } from '../domain/alert';
import type { EscalationJob } from '../domain/escalation';
import type { AcceptedEvent } from '../domain/event';
import { MARK } from './applied-marker';
import { lockOpen, lockRelease, lockWrite, type LockState } from './alert-locks';
import { alertDetailsItem, alertItem } from './alert-rows';
import { alertUpdate, statusChange, type Condition } from './alert-status';
import { conditions } from './conditions';
import { jobPut } from './escalation-jobs';
import { eventExpiresAt, eventRecordFields } from './events';
import { eventKeys, logEntryKeys, openAlertKeys } from './keys';
import type { TransactItem } from './transactions';

/** What applying an event needs besides the decision: the event, the clock, the locks as read, fresh ids, and the alert to create. */
export interface Application {
  eventId: string;
  alertSourceId: string;
  alertKeyNormalized: string;
  now: string;
  locks: LockState;
  logEntry?: { id: string; type: LogEntry['type']; text: string };
  newAlert?: Alert;
  /** ONE_PENDING_ALERT_ALLOWED: an ALERT appends only to a PENDING alert. */
  pendingOnly?: boolean;
  /** Decided on the key's lock alone (see NewestAlert): the alert is assumed open, PENDING and not escalating. */
  fromLock?: boolean;
  /** Escalation jobs the decision makes (a new alert's first level, an accept's or resolve's notices), written with it. */
  jobs?: EscalationJob[];
  /**
   * The event's own fields, SET on its record with the outcome: in AWS ingest writes no record, so this update creates
   * it whole (see eventUpdate).
   */
  received: Pick<AcceptedEvent, 'eventType' | 'alertKey' | 'receivedAt'>;
  /**
   * An APPEND, ACCEPT, RESOLVE or CREATE without escalation jobs may be written with single writes instead of a
   * transaction (see applied-marker.ts). Not on an event's last attempt: a crash between the two writes must leave a
   * mark its next attempt finds, and after the last one the queue lets the source's later events overwrite it (the
   * overwritten mark is kept, for a redrive, but only one deep on the alert).
   */
  singleWrite?: boolean;
  /** The mark this event's single write replaced on its alert, kept on its record (see applied-marker.ts). */
  replacesMark?: string;
}

export type ApplyResult = { applied: EventOutcome; alertId?: string } | { duplicate: true } | { conflict: true };

/** The alert an event's decision acts on (the new one for CREATE), if any. */
export const alertIdOf = (decision: Decision, app: Application): string | undefined =>
  decision.kind === 'CREATE' ? app.newAlert!.id : 'alert' in decision ? decision.alert.id : undefined;

/**
 * The event's identifying fields (and, without a log entry, its expiry), SET with the outcome: on a record ingest
 * never wrote (AWS), the update creates the whole record; on a QUEUED or FAILED one it rewrites the same values.
 */
function identityOf(app: Application, withExpiry: boolean) {
  const fields: Record<string, unknown> = {
    ...eventRecordFields({ eventId: app.eventId, alertSourceId: app.alertSourceId, ...app.received }),
    ...(withExpiry ? { expiresAt: eventExpiresAt(app.received.receivedAt) } : {}),
  };
  const entries = Object.entries(fields);
  return {
    sets: entries.map(([name]) => `#id_${name} = :id_${name}`),
    names: Object.fromEntries(entries.map(([name]) => [`#id_${name}`, name])),
    values: Object.fromEntries(entries.map(([name, value]) => [`:id_${name}`, value])),
  };
}

/** The event's outcome on its record; an event that leaves a log entry on its alert carries it there. */
export function eventUpdate(tableName: string, app: Application, outcome: EventOutcome, alertId: string | undefined): TransactItem {
  const log = app.logEntry && alertId ? { ...app.logEntry, index: logEntryKeys.onEvent(alertId, app.now, app.logEntry.id) } : undefined;
  const identity = identityOf(app, !log);
  const sets = ['outcome = :outcome', 'processedAt = :now', ...identity.sets];
  if (alertId) sets.push('alertId = :alertId');
  if (app.replacesMark) sets.push(`${MARK.replaced} = :replacedEventId`);
  if (log) sets.push('logId = :logId', 'logType = :logType', 'logText = :logText', 'gsi2pk = :logPk', 'gsi2sk = :logSk');
  return {
    Update: {
      TableName: tableName,
      Key: eventKeys.item(app.eventId),
      // Leaving QUEUED takes the record off the QUEUED listing (gsi2) and drops the payload kept for re-enqueueing.
      // A record that carries a log entry moves to its alert's log and is kept as long as the alert (no expiry).
      UpdateExpression: `SET ${sets.join(', ')} REMOVE ${log ? 'expiresAt' : 'gsi2pk, gsi2sk'}, payload, #error`,
      ConditionExpression: conditions.eventNotApplied.ConditionExpression,
      ExpressionAttributeNames: { '#error': 'error', ...identity.names },
      ExpressionAttributeValues: {
        ...conditions.eventNotApplied.ExpressionAttributeValues,
        ...identity.values,
        ':outcome': outcome,
        ':now': app.now,
        ...(alertId ? { ':alertId': alertId } : {}),
        ...(app.replacesMark ? { ':replacedEventId': app.replacesMark } : {}),
        ...(log ? { ':logId': log.id, ':logType': log.type, ':logText': log.text, ':logPk': log.index.gsi2pk, ':logSk': log.index.gsi2sk } : {}),
      },
    },
  };
}

/** The decision's writes on the alert and the locks, each conditioned on what was read. */
export function effects(tableName: string, decision: Decision, app: Application): TransactItem[] {
  const keyLock = openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized);
  // What the event needs of the alert: open (PENDING to accept, or to append under ONE_PENDING_ALERT_ALLOWED); decided
  // on the lock, also no escalation, whose notices an accept or resolve would owe (see noticeJobs).
  const open = conditions.alertOpen;
  const pending = conditions.alertStatusIs('PENDING');
  const quiet = (condition: Condition): Condition =>
    app.fromLock ? { ...condition, ConditionExpression: `${condition.ConditionExpression} AND attribute_not_exists(escalationLevel)` } : condition;
  switch (decision.kind) {
    case 'CREATE': {
      const alert = app.newAlert!;
      const items = [
        lockOpen(tableName, keyLock, app.locks.key, { id: alert.id, escalates: alert.escalationLevel !== undefined }),
        { Put: { TableName: tableName, Item: alertItem(alert), ...conditions.isNew } },
        { Put: { TableName: tableName, Item: alertDetailsItem(alert), ...conditions.isNew } },
      ];
      if (app.locks.source) items.push(lockWrite(tableName, openAlertKeys.source(app.alertSourceId), app.locks.source.revision, { alertId: alert.id }));
      return items;
    }
    case 'APPEND':
      return [
        alertUpdate(tableName, decision.alert.id, 'ADD eventCount :one SET updatedAt = :now', { ':one': 1, ':now': app.now }, app.pendingOnly ? pending : open),
      ];
    case 'ACCEPT':
      return [statusChange(tableName, decision.alert.id, 'ACCEPTED', app.now, quiet(pending))];
    case 'RESOLVE':
      return [
        statusChange(tableName, decision.alert.id, 'RESOLVED', app.now, quiet(open)),
        ...lockRelease(tableName, keyLock, app.locks.key, decision.alert.id),
      ];
    case 'COMMENT':
      return [alertUpdate(tableName, decision.alert.id, 'SET updatedAt = :now', { ':now': app.now }, open)];
    case 'ALREADY_ACCEPTED':
    case 'NO_OPEN_ALERT':
    case 'SUPPRESS':
      return [];
  }
}

/** The writes of one event: its outcome (with its log entry, if any) and the decision's effects. */
export function itemsFor(tableName: string, decision: Decision, app: Application): TransactItem[] {
  const jobs = (app.jobs ?? []).map((job) => jobPut(tableName, job, Date.parse(app.now)).item);
  return [eventUpdate(tableName, app, OUTCOME_OF[decision.kind], alertIdOf(decision, app)), ...effects(tableName, decision, app), ...jobs];
}
