// The open-alert lock protocol: reading the locks with the alerts they name, and the conditional writes that move them.
import { randomUUID } from 'node:crypto';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { isOpen, type Candidates } from '../domain/alert';
import { alertFromItem, alertStatusOf } from './alert-rows';
import type { StoreContext } from './client';
import { conditions } from './conditions';
import { getMany } from './items';
import { alertKeys, openAlertKeys, type Key } from './keys';
import { keyString, type TransactItem } from './transactions';

/** The locks as read with the candidates; writes are conditioned on them being unchanged. */
export interface LockState {
  key: KeyLock;
  /** Read only under window grouping. */
  source?: { revision?: string };
}

/** The lock of one (alert source, alert key): its revision (none: no lock) and the open alerts it lists, newest first. */
export interface KeyLock {
  revision?: string;
  openAlertIds: string[];
  /** What the lock was told of its newest alert when it opened it (see NewestAlert). */
  newest?: NewestAlert;
}

/**
 * What a lock keeps of the alert it opened last, so that most events are decided on the lock alone (one read instead
 * of two): its id and whether it escalates when created. Not its status, which an ACCEPT changes without writing the
 * lock: an event decided on the lock assumes the alert open and PENDING, and its write's conditions (open; PENDING to
 * accept, or to append under ONE_PENDING_ALERT_ALLOWED; not escalating, where a notice would be due) find out
 * otherwise, after which the alert is read.
 */
export interface NewestAlert {
  id: string;
  escalates: boolean;
}

/** How many open alerts of one key the lock remembers (ONE_ALERT_PER_EVENT can open many). */
export const MAX_TRACKED_OPEN = 100;

export interface CandidateRequest {
  alertSourceId: string;
  alertKeyNormalized: string;
  /** Window grouping: read the source's lock and newest alert too. */
  withSource: boolean;
  /** Read the alerts even where the lock tells enough (after a write whose conditions found the alert otherwise). */
  fresh?: boolean;
  /**
   * The event's decision turns on the alert's status (an ACCEPT: accepted or already; an ALERT under
   * ONE_PENDING_ALERT_ALLOWED): where the lock tells the rest, the alert is read too, eventually consistent (half a read
   * unit), as a better guess than PENDING; the write's conditions still decide.
   */
  needsStatus?: boolean;
}

export interface CandidateRead {
  candidates: Candidates;
  locks: LockState;
  /** Decided on the lock alone: the candidate is assumed open, PENDING and not escalating (see NewestAlert). */
  fromLock?: boolean;
}

const keyLockOf = (item: Record<string, unknown> | undefined): KeyLock => {
  const openAlertIds = (item?.openAlertIds as string[] | undefined) ?? [];
  const newest = item?.newest as NewestAlert | undefined;
  return { revision: item?.revision as string | undefined, openAlertIds, newest: newest?.id === openAlertIds[0] ? newest : undefined };
};

/** The lock alone decides: it knows its newest alert, which did not escalate when created, and no source lock is needed. */
const lockTells = (r: CandidateRequest, lock: KeyLock): boolean => !r.fresh && !r.withSource && !!lock.newest && !lock.newest.escalates;

/** Items by key (each once); strongly consistent unless told (the transaction that follows is conditioned on them). */
async function getByKey(ctx: StoreContext, wanted: Key[], consistent = true): Promise<Map<string, Record<string, unknown>>> {
  const keys = [...new Map(wanted.map((k) => [keyString(k), k])).values()];
  if (keys.length === 0) return new Map();
  const items = await getMany(ctx, keys, { consistent });
  return new Map(items.map((item) => [keyString(item as unknown as Key), item]));
}

/**
 * The open alerts several events may act on, found through the locks, with the lock revisions to write against: in
 * two round trips whatever their number (the locks, then the newest alert each lock names, unless the lock tells enough).
 */
export async function readCandidates(ctx: StoreContext, requests: CandidateRequest[]): Promise<CandidateRead[]> {
  const lockKeys = requests.flatMap((r) => [
    openAlertKeys.item(r.alertSourceId, r.alertKeyNormalized),
    ...(r.withSource ? [openAlertKeys.source(r.alertSourceId)] : []),
  ]);
  const locks = await getByKey(ctx, lockKeys);
  // Each request's key lock, parsed once, and whether it alone decides the event.
  const keyLocks = requests.map((r) => keyLockOf(locks.get(keyString(openAlertKeys.item(r.alertSourceId, r.alertKeyNormalized)))));
  const tells = requests.map((r, i) => lockTells(r, keyLocks[i]));
  const sourceLock = (r: CandidateRequest) => (r.withSource ? locks.get(keyString(openAlertKeys.source(r.alertSourceId))) : undefined);
  const newestIds = new Set<string>();
  for (const [i, r] of requests.entries()) {
    if (tells[i]) continue;
    const newestOfKey = keyLocks[i].openAlertIds[0];
    if (newestOfKey) newestIds.add(newestOfKey);
    const newestOfSource = sourceLock(r)?.alertId as string | undefined;
    if (newestOfSource) newestIds.add(newestOfSource);
  }
  const guessed = requests.flatMap((r, i) => (r.needsStatus && tells[i] ? [alertKeys.item(keyLocks[i].newest!.id)] : []));
  const [alerts, statuses] = await Promise.all([
    getByKey(
      ctx,
      [...newestIds].map((id) => alertKeys.item(id)),
    ),
    getByKey(ctx, guessed, false),
  ]);
  // Read whole: an alert the store cannot read is an error here, not a guess.
  const openAlert = (id: string | undefined) => {
    const item = id ? alerts.get(keyString(alertKeys.item(id))) : undefined;
    const alert = item && alertFromItem(item);
    return alert && isOpen(alert.status)
      ? { id: alert.id, status: alert.status, createdAt: alert.createdAt, escalationLevel: alert.escalationLevel }
      : undefined;
  };
  return requests.map((r, i) => {
    const key = keyLocks[i];
    if (tells[i]) {
      // The status as last read, if the read found the alert accepted; otherwise the guess (PENDING).
      const item = statuses.get(keyString(alertKeys.item(key.newest!.id)));
      const status = item && alertStatusOf(item) === 'ACCEPTED' ? ('ACCEPTED' as const) : ('PENDING' as const);
      return { candidates: { byKey: { id: key.newest!.id, status } }, locks: { key }, fromLock: true };
    }
    const source = sourceLock(r);
    const newest = openAlert(key.openAlertIds[0]);
    return {
      candidates: {
        byKey: newest && { id: newest.id, status: newest.status, escalationLevel: newest.escalationLevel },
        bySource: openAlert(source?.alertId as string | undefined),
      },
      locks: { key, source: r.withSource ? { revision: source?.revision as string | undefined } : undefined },
    };
  });
}

/** The lock of an alert's key as it is now (consistent), for a write that may release it. */
export async function readKeyLock(ctx: StoreContext, alertSourceId: string, alertKeyNormalized: string): Promise<KeyLock> {
  const key = openAlertKeys.item(alertSourceId, alertKeyNormalized);
  const out = await ctx.db.send(new GetCommand({ TableName: ctx.tableName, Key: key, ConsistentRead: true }));
  return keyLockOf(out.Item);
}

/** Writes a lock at a new revision, on the condition that it is still at the revision read. */
export function lockWrite(tableName: string, key: Key, revision: string | undefined, fields: Record<string, unknown>): TransactItem {
  return { Put: { TableName: tableName, Item: { ...key, ...fields, revision: randomUUID() }, ...conditions.lockAt(revision) } };
}

/** Puts a new alert first on its key's lock, with what the lock keeps of it (see NewestAlert). */
export function lockOpen(tableName: string, key: Key, lock: KeyLock, newest: NewestAlert): TransactItem {
  return lockWrite(tableName, key, lock.revision, { openAlertIds: [newest.id, ...lock.openAlertIds].slice(0, MAX_TRACKED_OPEN), newest });
}

/** Takes a resolved alert off its key's lock (deleting the lock with its last alert); nothing if the lock does not list it. */
export function lockRelease(tableName: string, key: Key, lock: KeyLock, alertId: string): TransactItem[] {
  if (!lock.openAlertIds.includes(alertId)) return [];
  const remaining = lock.openAlertIds.filter((id) => id !== alertId);
  if (remaining.length > 0) return [lockWrite(tableName, key, lock.revision, { openAlertIds: remaining })];
  return [{ Delete: { TableName: tableName, Key: key, ...conditions.lockAt(lock.revision) } }];
}
