// DynamoDB adapter for alerts, their log entries and the open-alert lock; applies the processor's decisions as one transaction each.
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type TransactWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import {
  OUTCOME_OF, isOpen, type Alert, type AlertStatus, type Candidates, type Decision, type EventOutcome, type LogEntry,
} from '../domain/alert';
import { normalizeAlertKey } from '../domain/event';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { decodeCursor, encodeCursor } from './cursor';
import { getMany, queryKeys } from './items';
import { alertKeys, creationPosition, eventKeys, logEntryKeys, openAlertKeys, type IndexName, type Key } from './keys';

type TransactItem = NonNullable<TransactWriteCommandInput['TransactItems']>[number];

/** Rich fields are stored as JSON text: they keep any key (even "__proto__") and any depth DynamoDB itself would refuse. */
const toItem = (alert: Alert) => {
  const { images, links, customDetails, escalationPolicy, ...plain } = alert;
  const alertKeyNormalized = normalizeAlertKey(alert.alertKey);
  return {
    ...alertKeys.item(alert.id),
    ...alertKeys.indexes({ ...alert, alertKeyNormalized }),
    entity: 'Alert',
    ...plain,
    alertKeyNormalized,
    escalationPolicyId: escalationPolicy?.id,
    images: JSON.stringify(images),
    links: JSON.stringify(links),
    customDetails: JSON.stringify(customDetails),
  };
};

const fromItem = (item: Record<string, unknown>): Alert => ({
  id: item.id as string,
  alertSourceId: item.alertSourceId as string,
  alertKey: item.alertKey as string,
  summary: item.summary as string,
  details: item.details as string | undefined,
  status: item.status as AlertStatus,
  priority: item.priority as Alert['priority'],
  priorityReason: item.priorityReason as string | undefined,
  escalationPolicy: item.escalationPolicyId ? { id: item.escalationPolicyId as string } : undefined,
  images: JSON.parse(item.images as string),
  links: JSON.parse(item.links as string),
  customDetails: JSON.parse(item.customDetails as string),
  eventCount: item.eventCount as number,
  createdAt: item.createdAt as string,
  updatedAt: item.updatedAt as string,
  acceptedAt: item.acceptedAt as string | undefined,
  resolvedAt: item.resolvedAt as string | undefined,
});

const logFromItem = (item: Record<string, unknown>): LogEntry => ({
  id: item.id as string,
  alertId: item.alertId as string,
  eventId: item.eventId as string | undefined,
  type: item.type as LogEntry['type'],
  text: item.text as string,
  createdAt: item.createdAt as string,
});

/** What an event record's log entry is read from (not its payload). */
const EVENT_LOG_FIELDS = ['pk', 'sk', 'eventId', 'alertId', 'logId', 'logType', 'logText', 'processedAt'];

const logFromEvent = (item: Record<string, unknown>): LogEntry => ({
  id: item.logId as string,
  alertId: item.alertId as string,
  eventId: item.eventId as string,
  type: item.logType as LogEntry['type'],
  text: item.logText as string,
  createdAt: item.processedAt as string,
});

export interface LogPage {
  limit: number;
  cursor?: string;
}

/** What one page of log entries may weigh, well under Lambda's 6 MB response limit (an entry's text may be 64 KiB). */
const PAGE_BYTES = 1024 * 1024;

/** A log entry's place in its alert's log: the sort value both of its sources are ordered by. */
const positionOf = (entry: LogEntry): string => creationPosition.of(entry.createdAt, entry.id);

/** DynamoDB orders string keys by their UTF-8 bytes; positions are ASCII, where that is the code unit order. */
const compare = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The first entries, at most `limit` of them and at most PAGE_BYTES (but always one). */
function withinBudget(entries: LogEntry[], limit: number): LogEntry[] {
  let bytes = 0;
  const page: LogEntry[] = [];
  for (const entry of entries.slice(0, limit)) {
    bytes += Buffer.byteLength(JSON.stringify(entry));
    if (page.length > 0 && bytes > PAGE_BYTES) break;
    page.push(entry);
  }
  return page;
}

export interface AlertFilter {
  statuses?: AlertStatus[];
  alertSourceId?: string;
  alertKey?: string;
  limit: number;
  cursor?: string;
}

/** What applying an event needs besides the decision: the event, the clock, fresh ids, and the alert to create. */
/** The locks as read with the candidates; writes are conditioned on them being unchanged. */
export interface LockState {
  key: { revision?: string; openAlertIds: string[] };
  /** Read only under window grouping. */
  source?: { revision?: string };
}

/** How many open alerts of one key the lock remembers (ONE_ALERT_PER_EVENT can open many). */
const MAX_TRACKED_OPEN = 100;

export interface Application {
  eventId: string;
  alertSourceId: string;
  alertKeyNormalized: string;
  now: string;
  locks: LockState;
  logEntry?: { id: string; type: LogEntry['type']; text: string };
  newAlert?: Alert;
}

export interface CandidateRequest {
  alertSourceId: string;
  alertKeyNormalized: string;
  /** Window grouping: read the source's lock and newest alert too. */
  withSource: boolean;
}

export interface CandidateRead {
  candidates: Candidates;
  locks: LockState;
}

/** DynamoDB's limit on the items of one transaction. */
const MAX_TRANSACTION_ITEMS = 100;

const keyString = (key: Key) => `${key.pk}\u0000${key.sk}`;

/** The key of the item a transaction item writes. */
const itemKeyString = (item: TransactItem): string => {
  const key = item.Put?.Item ?? item.Update?.Key ?? item.Delete?.Key ?? item.ConditionCheck?.Key;
  return keyString(key as unknown as Key);
};

/** The alert an event's decision acts on (the new one for CREATE), if any. */
const alertIdOf = (decision: Decision, app: Application): string | undefined =>
  decision.kind === 'CREATE' ? app.newAlert!.id : decision.kind === 'NO_OPEN_ALERT' ? undefined : decision.alert.id;

export type ApplyResult = { applied: EventOutcome; alertId?: string } | { duplicate: true } | { conflict: true };

export class AlertStore {
  constructor(private readonly ctx: StoreContext) {}

  async get(id: string): Promise<Alert | undefined> {
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: alertKeys.item(id), ConsistentRead: true }));
    return out.Item ? fromItem(out.Item) : undefined;
  }

  private async getConsistent(key: { pk: string; sk: string }) {
    return (await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }))).Item;
  }

  /** The open alerts an event may act on, found through the locks, and the lock revisions to write against. */
  async readCandidates(alertSourceId: string, alertKeyNormalized: string, withSource: boolean): Promise<CandidateRead> {
    return (await this.readCandidatesMany([{ alertSourceId, alertKeyNormalized, withSource }]))[0];
  }

  /**
   * readCandidates for several events at once, in two round trips whatever their number: the locks, then the
   * newest alert each lock names. Consistent reads, as the transaction that follows is conditioned on them.
   */
  async readCandidatesMany(requests: CandidateRequest[]): Promise<CandidateRead[]> {
    const lockKeys = requests.flatMap((r) => [
      openAlertKeys.item(r.alertSourceId, r.alertKeyNormalized),
      ...(r.withSource ? [openAlertKeys.source(r.alertSourceId)] : []),
    ]);
    const locks = await this.getByKey(lockKeys);
    const lockOf = (key: Key) => locks.get(keyString(key));
    const newestIds = new Set<string>();
    for (const r of requests) {
      const openAlertIds = lockOf(openAlertKeys.item(r.alertSourceId, r.alertKeyNormalized))?.openAlertIds as string[] | undefined;
      if (openAlertIds?.[0]) newestIds.add(openAlertIds[0]);
      const sourceNewest = r.withSource ? (lockOf(openAlertKeys.source(r.alertSourceId))?.alertId as string | undefined) : undefined;
      if (sourceNewest) newestIds.add(sourceNewest);
    }
    const alerts = await this.getByKey([...newestIds].map((id) => alertKeys.item(id)));
    // Read whole: an alert the store cannot read is an error here, not a guess.
    const openAlert = (id: string | undefined) => {
      const item = id ? alerts.get(keyString(alertKeys.item(id))) : undefined;
      const alert = item && fromItem(item);
      return alert && isOpen(alert.status) ? { id: alert.id, status: alert.status, createdAt: alert.createdAt } : undefined;
    };
    return requests.map((r) => {
      const keyLock = lockOf(openAlertKeys.item(r.alertSourceId, r.alertKeyNormalized));
      const sourceLock = r.withSource ? lockOf(openAlertKeys.source(r.alertSourceId)) : undefined;
      const openAlertIds = (keyLock?.openAlertIds as string[] | undefined) ?? [];
      const newest = openAlert(openAlertIds[0]);
      const sourceNewest = openAlert(sourceLock?.alertId as string | undefined);
      return {
        candidates: {
          byKey: newest && { id: newest.id, status: newest.status },
          bySource: sourceNewest,
        },
        locks: {
          key: { revision: keyLock?.revision as string | undefined, openAlertIds },
          source: r.withSource ? { revision: sourceLock?.revision as string | undefined } : undefined,
        },
      };
    });
  }

  /** Items by key (each once), strongly consistent. */
  private async getByKey(wanted: Key[]): Promise<Map<string, Record<string, unknown>>> {
    const keys = [...new Map(wanted.map((k) => [keyString(k), k])).values()];
    if (keys.length === 0) return new Map();
    const items = await getMany(this.ctx, keys, { consistent: true });
    return new Map(items.map((item) => [keyString(item as unknown as Key), item]));
  }


  /**
   * Applies a decision and records the event's outcome in one transaction. The event's own condition makes a
   * redelivery harmless ({duplicate}); the alert's and the lock's conditions turn a race into {conflict}, after
   * which the caller reads again and decides again.
   */
  async apply(decision: Decision, app: Application): Promise<ApplyResult> {
    const outcome = OUTCOME_OF[decision.kind];
    const alertId = alertIdOf(decision, app);
    const items = this.itemsFor(decision, app, alertId);
    try {
      if (items.length === 1) {
        // Nothing but the outcome changes: one conditional write, not a transaction.
        await this.ctx.db.send(new UpdateCommand(items[0].Update!));
      } else {
        await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
      }
      return { applied: outcome, alertId };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'ConditionalCheckFailedException') return { duplicate: true };
      if (name === 'TransactionCanceledException') {
        const reasons = (error as { CancellationReasons?: Array<{ Code?: string }> }).CancellationReasons ?? [];
        if (reasons[0]?.Code === 'ConditionalCheckFailed') return { duplicate: true };
        if (reasons.some((r) => r.Code === 'ConditionalCheckFailed' || r.Code === 'TransactionConflict')) return { conflict: true };
      }
      if (name === 'TransactionConflictException') return { conflict: true };
      throw error;
    }
  }

  /**
   * Applies the decisions of several events in one transaction: all of them or none. A race or a redelivery among
   * them cancels the whole transaction ({cancelled}); the caller then applies them one at a time, which tells the
   * two apart. The events must touch different items (different locks, different alerts).
   */
  async applyAll(entries: Array<{ decision: Decision; app: Application }>): Promise<{ applied: Array<{ outcome: EventOutcome; alertId?: string }> } | { cancelled: true }> {
    const applied = entries.map(({ decision, app }) => ({ outcome: OUTCOME_OF[decision.kind], alertId: alertIdOf(decision, app) }));
    const items = entries.flatMap(({ decision, app }, i) => this.itemsFor(decision, app, applied[i].alertId));
    const keys = new Set(items.map(itemKeyString));
    if (keys.size !== items.length || items.length > MAX_TRANSACTION_ITEMS) return { cancelled: true };
    try {
      await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
      return { applied };
    } catch (error) {
      const name = (error as Error).name;
      if (name === 'TransactionCanceledException' || name === 'TransactionConflictException') return { cancelled: true };
      throw error;
    }
  }

  /** The writes of one event: its outcome (with its log entry, if any) and the decision's effects. */
  private itemsFor(decision: Decision, app: Application, alertId: string | undefined): TransactItem[] {
    return [this.eventUpdate(app, OUTCOME_OF[decision.kind], alertId), ...this.effects(decision, app)];
  }

  /** The event's outcome on its record; an event that leaves a log entry on its alert carries it there. */
  private eventUpdate(app: Application, outcome: EventOutcome, alertId: string | undefined): TransactItem {
    const log = app.logEntry && alertId ? { ...app.logEntry, index: logEntryKeys.onEvent(alertId, app.now, app.logEntry.id) } : undefined;
    const sets = ['outcome = :outcome', 'processedAt = :now'];
    if (alertId) sets.push('alertId = :alertId');
    if (log) sets.push('logId = :logId', 'logType = :logType', 'logText = :logText', 'gsi2pk = :logPk', 'gsi2sk = :logSk');
    return {
      Update: {
        TableName: this.ctx.tableName,
        Key: eventKeys.item(app.eventId),
        // Leaving QUEUED takes the record off the QUEUED listing (gsi2) and drops the payload kept for re-enqueueing.
        // A record that carries a log entry moves to its alert's log and is kept as long as the alert (no expiry).
        UpdateExpression: `SET ${sets.join(', ')} REMOVE ${log ? 'expiresAt' : 'gsi2pk, gsi2sk'}, payload, #error`,
        ConditionExpression: conditions.eventNotApplied.ConditionExpression,
        ExpressionAttributeNames: { '#error': 'error' },
        ExpressionAttributeValues: {
          ...conditions.eventNotApplied.ExpressionAttributeValues,
          ':outcome': outcome,
          ':now': app.now,
          ...(alertId ? { ':alertId': alertId } : {}),
          ...(log
            ? { ':logId': log.id, ':logType': log.type, ':logText': log.text, ':logPk': log.index.gsi2pk, ':logSk': log.index.gsi2sk }
            : {}),
        },
      },
    };
  }

  private effects(decision: Decision, app: Application): TransactItem[] {
    const keyLock = openAlertKeys.item(app.alertSourceId, app.alertKeyNormalized);
    switch (decision.kind) {
      case 'CREATE': {
        const alert = app.newAlert!;
        const items = [
          this.lockWrite(keyLock, app.locks.key.revision, { openAlertIds: [alert.id, ...app.locks.key.openAlertIds].slice(0, MAX_TRACKED_OPEN) }),
          { Put: { TableName: this.ctx.tableName, Item: toItem(alert), ...conditions.isNew } },
        ];
        if (app.locks.source) items.push(this.lockWrite(openAlertKeys.source(app.alertSourceId), app.locks.source.revision, { alertId: alert.id }));
        return items;
      }
      case 'APPEND':
        return [this.alertUpdate(decision.alert.id, 'ADD eventCount :one SET updatedAt = :now', { ':one': 1, ':now': app.now }, conditions.alertStatusIs(decision.alert.status))];
      case 'ACCEPT':
        return [this.statusChange(decision.alert.id, 'ACCEPTED', app.now, conditions.alertStatusIs('PENDING'))];
      case 'RESOLVE':
        return [
          this.statusChange(decision.alert.id, 'RESOLVED', app.now, conditions.alertStatusIs(decision.alert.status)),
          ...this.lockRelease(keyLock, app.locks.key, decision.alert.id),
        ];
      case 'COMMENT':
        return [this.alertUpdate(decision.alert.id, 'SET updatedAt = :now', { ':now': app.now }, conditions.alertStatusIs(decision.alert.status))];
      case 'ALREADY_ACCEPTED':
      case 'NO_OPEN_ALERT':
        return [];
    }
  }

  /** Writes a lock at a new revision, on the condition that it is still at the revision read. */
  private lockWrite(key: { pk: string; sk: string }, revision: string | undefined, fields: Record<string, unknown>): TransactItem {
    const condition = conditions.lockAt(revision);
    return { Put: { TableName: this.ctx.tableName, Item: { ...key, ...fields, revision: randomUUID() }, ...condition } };
  }

  /** Takes a resolved alert off its key's lock (deleting the lock with its last alert); nothing if the lock does not list it. */
  private lockRelease(key: { pk: string; sk: string }, lock: LockState['key'], alertId: string): TransactItem[] {
    if (!lock.openAlertIds.includes(alertId)) return [];
    const remaining = lock.openAlertIds.filter((id) => id !== alertId);
    if (remaining.length > 0) return [this.lockWrite(key, lock.revision, { openAlertIds: remaining })];
    return [{ Delete: { TableName: this.ctx.tableName, Key: key, ...conditions.lockAt(lock.revision) } }];
  }

  private alertUpdate(
    alertId: string,
    expression: string,
    values: Record<string, unknown>,
    condition: { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues?: Record<string, unknown> },
  ): TransactItem {
    return {
      Update: {
        TableName: this.ctx.tableName,
        Key: alertKeys.item(alertId),
        UpdateExpression: expression,
        ConditionExpression: condition.ConditionExpression,
        ExpressionAttributeNames: condition.ExpressionAttributeNames,
        ExpressionAttributeValues: { ...condition.ExpressionAttributeValues, ...values },
      },
    };
  }

  private statusChange(alertId: string, status: 'ACCEPTED' | 'RESOLVED', now: string, condition: Parameters<AlertStore['alertUpdate']>[3]) {
    const at = status === 'ACCEPTED' ? 'acceptedAt' : 'resolvedAt';
    const statusIndex = { gsi3pk: alertKeys.byStatusPartition(status) };
    return this.alertUpdate(
      alertId,
      `SET #status = :newStatus, ${at} = :now, updatedAt = :now, gsi3pk = :gsi3pk`,
      { ':newStatus': status, ':now': now, ':gsi3pk': statusIndex.gsi3pk },
      { ...condition, ExpressionAttributeNames: { '#status': 'status' } },
    );
  }

  /** An operator's log entry: an item of its own under the alert. */
  private logPut(alertId: string, entry: NonNullable<Application['logEntry']>, now: string): TransactItem {
    const log: LogEntry = { id: entry.id, alertId, type: entry.type, text: entry.text, createdAt: now };
    return { Put: { TableName: this.ctx.tableName, Item: { ...logEntryKeys.item(alertId, now, entry.id), entity: 'LogEntry', ...log } } };
  }

  /**
   * An operator's accept or resolve through the API: the status change and its log entry in one transaction,
   * conditioned on the status the caller saw; resolving also releases the open-alert lock if it names this alert.
   */
  async changeStatus(alert: Alert, status: 'ACCEPTED' | 'RESOLVED', log: NonNullable<Application['logEntry']>, now: string): Promise<boolean> {
    const items: TransactItem[] = [this.statusChange(alert.id, status, now, conditions.alertStatusIs(alert.status)), this.logPut(alert.id, log, now)];
    if (status === 'RESOLVED') {
      const keyLock = openAlertKeys.item(alert.alertSourceId, normalizeAlertKey(alert.alertKey));
      const lock = await this.getConsistent(keyLock);
      const state = { revision: lock?.revision as string | undefined, openAlertIds: (lock?.openAlertIds as string[] | undefined) ?? [] };
      items.push(...this.lockRelease(keyLock, state, alert.id));
    }
    try {
      await this.ctx.db.send(new TransactWriteCommand({ TransactItems: items }));
      return true;
    } catch (error) {
      if ((error as Error).name === 'TransactionCanceledException') return false;
      throw error;
    }
  }

  /**
   * One page of an alert's log, oldest first. The log has two sources, the operators' entries (items under the alert)
   * and the events' entries (on their records, listed on gsi2), sorted by the same `<createdAt>#<id>` value: each page
   * reads at most one page more than asked from each, after the position the cursor carries, and merges them, so the
   * page is exact whatever the mix. A page also stops at PAGE_BYTES, as one entry's text may be up to 64 KiB.
   */
  async logEntries(alertId: string, page: LogPage): Promise<{ items: LogEntry[]; nextCursor?: string }> {
    const query = { listing: 'log-entries', alertId };
    const after = decodeCursor(query, page.cursor, creationPosition.isValid);
    const [own, onEvents] = await Promise.all([this.operatorLog(alertId, after, page.limit + 1), this.eventLog(alertId, after, page.limit + 1)]);
    const merged = [...own, ...onEvents.entries].sort((a, b) => compare(positionOf(a), positionOf(b)));
    const items = withinBudget(merged, page.limit);
    const more = items.length > 0 && (merged.length > items.length || onEvents.more);
    return { items, nextCursor: more ? encodeCursor(query, positionOf(items[items.length - 1])) : undefined };
  }

  /** Up to `limit` operator entries of the alert after `after`, oldest first (items under the alert, so always found). */
  private async operatorLog(alertId: string, after: string | undefined, limit: number): Promise<LogEntry[]> {
    // BETWEEN is inclusive: the entry at `after` (the previous page's last) is read again and dropped.
    const out = await this.ctx.db.send(new QueryCommand({
      TableName: this.ctx.tableName,
      KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
      ExpressionAttributeValues: {
        ':pk': logEntryKeys.partition(alertId),
        ':from': after ? `${logEntryKeys.prefix}${after}` : logEntryKeys.prefix,
        ':to': logEntryKeys.afterAll,
      },
      Limit: limit + 1,
    }));
    return (out.Items ?? []).map(logFromItem).filter((e) => after === undefined || positionOf(e) > after).slice(0, limit);
  }

  /**
   * Up to `limit` events' entries of the alert after `after`, oldest first. `more` says the index listed `limit`: a
   * record listed but not found (never expected: such records do not expire) must not end the log early.
   */
  private async eventLog(alertId: string, after: string | undefined, limit: number): Promise<{ entries: LogEntry[]; more: boolean }> {
    const { keys } = await queryKeys(this.ctx, {
      IndexName: 'gsi2',
      KeyConditionExpression: after ? 'gsi2pk = :pk AND gsi2sk > :after' : 'gsi2pk = :pk',
      ExpressionAttributeValues: { ':pk': logEntryKeys.eventsPartition(alertId), ...(after ? { ':after': after } : {}) },
      Limit: limit,
    });
    const entries = (await getMany(this.ctx, keys, { projection: EVENT_LOG_FIELDS })).map(logFromEvent);
    return { entries, more: keys.length === limit };
  }

  /**
   * Alerts newest first, from the most selective index for the filters given; the other filters are applied on
   * the index's projected attributes. A page holds at most `limit` alerts; follow nextCursor until it is absent.
   * The cursor carries the index sort key where the page stopped, bound to the index, partition and filters.
   */
  async list(filter: AlertFilter): Promise<{ items: Alert[]; nextCursor?: string }> {
    const { index, partition } = this.chooseIndex(filter);
    const query = {
      listing: 'alerts', index, partition,
      statuses: filter.statuses && [...filter.statuses].sort(), alertSourceId: filter.alertSourceId,
    };
    const before = decodeCursor(query, filter.cursor, creationPosition.isValid);
    const names: Record<string, string> = {};
    const values: Record<string, unknown> = { ':pk': partition, ...(before ? { ':before': before } : {}) };
    const clauses: string[] = [];
    if (filter.statuses && !(index === 'gsi3' && filter.statuses.length === 1)) {
      names['#status'] = 'status';
      clauses.push(`#status IN (${filter.statuses.map((s, i) => ((values[`:s${i}`] = s), `:s${i}`)).join(', ')})`);
    }
    if (filter.alertSourceId && index !== 'gsi2') {
      clauses.push('alertSourceId = :source');
      values[':source'] = filter.alertSourceId;
    }
    let start: Record<string, unknown> | undefined;
    const keys: Awaited<ReturnType<typeof queryKeys>>['keys'] = [];
    // Each round reads at most the number still wanted, so the continuation key is exact; a sparse filter may
    // need several rounds, bounded so that one request stays cheap.
    for (let round = 0; round < 10 && keys.length < filter.limit; round++) {
      const page = await queryKeys(this.ctx, {
        IndexName: index,
        KeyConditionExpression: before ? `${index}pk = :pk AND ${index}sk < :before` : `${index}pk = :pk`,
        FilterExpression: clauses.length ? clauses.join(' AND ') : undefined,
        ExpressionAttributeNames: Object.keys(names).length ? names : undefined,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        Limit: filter.limit - keys.length,
        ExclusiveStartKey: start,
      });
      keys.push(...page.keys);
      start = page.lastKey;
      if (!start) break;
    }
    const items = (await getMany(this.ctx, keys)).map(fromItem);
    return { items, nextCursor: encodeCursor(query, start?.[`${index}sk`] as string | undefined) };
  }

  private chooseIndex(filter: AlertFilter): { index: IndexName; partition: string } {
    if (filter.alertKey) return { index: 'gsi4', partition: alertKeys.byAlertKeyPartition(normalizeAlertKey(filter.alertKey.trim())) };
    if (filter.alertSourceId) return { index: 'gsi2', partition: alertKeys.bySourcePartition(filter.alertSourceId) };
    if (filter.statuses?.length === 1) return { index: 'gsi3', partition: alertKeys.byStatusPartition(filter.statuses[0]) };
    return { index: 'gsi1', partition: alertKeys.allPartition };
  }
}
