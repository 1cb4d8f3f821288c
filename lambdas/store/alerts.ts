// DynamoDB adapter for alerts, their log entries and the open-alert locks: one facade over the modules of each concern.
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { Alert, Decision, LogEntry } from '../domain/alert';
import { applyDecision, applyDecisions, finishSingleWrite, type Application } from './alert-apply';
import { findEarlierAttempt, type SingleWriteKind } from './applied-marker';
import { listAlerts, type AlertFilter } from './alert-list';
import { readCandidates, type CandidateRead, type CandidateRequest } from './alert-locks';
import { logEntries, type LogPage } from './alert-log';
import { alertFromItem, operatorLogItem } from './alert-rows';
import { changeStatus, reroute, type OperatorLogEntry, type Reroute } from './alert-status';
import type { StoreContext } from './client';
import { alertKeys } from './keys';

export type { Application, ApplyResult } from './alert-apply';
export type { AlertFilter } from './alert-list';
export type { CandidateRead, CandidateRequest, LockState } from './alert-locks';
export type { LogPage } from './alert-log';
export type { EarlierAttempt, SingleWriteKind } from './applied-marker';

export class AlertStore {
  constructor(private readonly ctx: StoreContext) {}

  /** The alert with its details: one query of its partition reads both items (see alertKeys.details). */
  async get(id: string): Promise<Alert | undefined> {
    const item = alertKeys.item(id);
    const details = alertKeys.details(id);
    const out = await this.ctx.db.send(
      new QueryCommand({
        TableName: this.ctx.tableName,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :item AND :details',
        ExpressionAttributeValues: { ':pk': item.pk, ':item': item.sk, ':details': details.sk },
        ConsistentRead: true,
      }),
    );
    const bySortKey = (sk: string) => out.Items?.find((i) => i.sk === sk);
    const found = bySortKey(item.sk);
    return found && alertFromItem(found, bySortKey(details.sk));
  }

  /** The open alerts an event may act on, found through the locks, and the lock revisions to write against. */
  async readCandidates(request: CandidateRequest): Promise<CandidateRead> {
    return (await readCandidates(this.ctx, [request]))[0];
  }

  /** readCandidates for several events at once, in two round trips whatever their number. */
  readCandidatesMany(requests: CandidateRequest[]): Promise<CandidateRead[]> {
    return readCandidates(this.ctx, requests);
  }

  /** One event's decision and outcome in one transaction: {applied}, {duplicate} (a redelivery) or {conflict} (a lost race). */
  apply(decision: Decision, app: Application) {
    return applyDecision(this.ctx, decision, app);
  }

  /** Several events' decisions: those needing a transaction in one, all or none ({cancelled}), then the single writes. */
  applyAll(entries: Array<{ decision: Decision; app: Application }>) {
    return applyDecisions(this.ctx, entries);
  }

  /** What an earlier attempt of an event did: its record, its mark on an alert, or nothing (see applied-marker.ts). */
  findEarlierAttempt(event: Parameters<typeof findEarlierAttempt>[1], options?: Parameters<typeof findEarlierAttempt>[2]) {
    return findEarlierAttempt(this.ctx, event, options);
  }

  /** Finishes what an earlier attempt of an event began with a single write and did not record (see applied-marker.ts). */
  finishSingleWrite(decision: Extract<Decision, { kind: SingleWriteKind }>, app: Application) {
    return finishSingleWrite(this.ctx, decision, app, true);
  }

  /** An operator's accept or resolve, conditioned on the status read; Conflict when the alert changed since. */
  changeStatus(alert: Alert, status: 'ACCEPTED' | 'RESOLVED', log: OperatorLogEntry, now: string, unchangedSince?: string) {
    return changeStatus(this.ctx, alert, status, log, now, unchangedSince);
  }

  /** Another policy for an open alert, its escalation restarted at level 1; Conflict when the alert changed since it was read. */
  reroute(alert: Alert, change: Reroute) {
    return reroute(this.ctx, alert, change);
  }

  /** An entry of the engine or the notifier: an item of its own under the alert, like an operator's. */
  async addLogEntry(entry: LogEntry): Promise<void> {
    await this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: operatorLogItem(entry) }));
  }

  /** One page of an alert's log, oldest first. */
  logEntries(alertId: string, page: LogPage) {
    return logEntries(this.ctx, alertId, page);
  }

  /** Alerts newest first, filtered, one page at a time. */
  list(filter: AlertFilter) {
    return listAlerts(this.ctx, filter);
  }
}
