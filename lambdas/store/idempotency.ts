// DynamoDB adapter for Idempotency-Key claims: one conditional put decides, across all Lambda instances, which request owns a key.
import { DeleteCommand, GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { StoreContext } from './client';
import { idempotencyKeys, type Key } from './keys';
import { ifConditionFailed } from './sdk-errors';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/** A claim's owner answers within 5 s or is dead (ingest's function timeout is 10 s): then the key can be taken over. */
export const IDEMPOTENCY_LEASE_SECONDS = 30;

export interface FirstAnswer {
  eventId: string;
  alertKey: string;
  /** A tool's payload of several events: all of them, in order (eventId and alertKey are the first's). */
  eventIds?: string[];
  alertKeys?: string[];
}

/**
 * PENDING from the claim until the event is queued, then COMMITTED: only a committed claim is an answer to replay.
 * TAKING: a repeat found the owner's lease run out and is withdrawing its events before it claims the key; the owner
 * can no longer commit (see beginTakeOver). Claims written before there were states have none and count as committed
 * (that version answered only then).
 */
export type ClaimState = 'PENDING' | 'COMMITTED' | 'TAKING';

export type Claim = { claimed: true } | { committed: FirstAnswer } | { pending: FirstAnswer; leaseExpired: boolean };

export class IdempotencyStore {
  /** Requests of this process waiting for a pending claim of this process to settle: woken at once, not by polling. */
  private readonly waiters = new Map<string, Set<() => void>>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly leaseSeconds = IDEMPOTENCY_LEASE_SECONDS,
  ) {}

  /**
   * Claims the key (PENDING) for this event; when another request holds it (within 24 h), says how: committed (its
   * answer stands) or pending (under way, or its owner died once the lease ran out). An expired claim that DynamoDB's
   * TTL has not removed yet counts as free.
   */
  async claim(alertSourceId: string, idempotencyKey: string, answer: FirstAnswer, now: Date): Promise<Claim> {
    const key = idempotencyKeys.item(alertSourceId, idempotencyKey);
    const free = await this.putPending(key, answer, now, {
      ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
      ExpressionAttributeValues: { ':now': Math.floor(now.getTime() / 1000) },
    });
    if (free) return { claimed: true };
    const out = await this.ctx.db.send(new GetCommand({ TableName: this.ctx.tableName, Key: key, ConsistentRead: true }));
    if (!out.Item) return this.claim(alertSourceId, idempotencyKey, answer, now); // released meanwhile
    const first = answerOf(out.Item);
    if (out.Item.state === 'TAKING') return { pending: first, leaseExpired: true };
    if (out.Item.state !== 'PENDING') return { committed: first };
    return { pending: first, leaseExpired: Number(out.Item.leaseUntil) <= now.getTime() };
  }

  /**
   * Marks a pending claim whose lease ran out TAKING, before its events are withdrawn: from then on its owner, if it is
   * alive after all, cannot commit it (and answer 202 for events about to be withdrawn). False when the claim was
   * committed meanwhile, or names another event.
   */
  async beginTakeOver(alertSourceId: string, idempotencyKey: string, staleEventId: string, now: Date): Promise<boolean> {
    const update = this.ctx.db.send(
      new UpdateCommand({
        TableName: this.ctx.tableName,
        Key: idempotencyKeys.item(alertSourceId, idempotencyKey),
        UpdateExpression: 'SET #state = :taking',
        ConditionExpression: 'eventId = :stale AND (#state = :taking OR (#state = :pending AND leaseUntil <= :now))',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':stale': staleEventId, ':taking': 'TAKING', ':pending': 'PENDING', ':now': now.getTime() },
      }),
    );
    return ifConditionFailed(
      update.then(() => true),
      () => false,
    );
  }

  /**
   * Takes over a claim marked TAKING once the dead owner's events are withdrawn, on the condition that it still names
   * them (another request may have taken it over first: then false).
   */
  async takeOver(alertSourceId: string, idempotencyKey: string, staleEventId: string, answer: FirstAnswer, now: Date): Promise<boolean> {
    const key = idempotencyKeys.item(alertSourceId, idempotencyKey);
    return this.putPending(key, answer, now, {
      ConditionExpression: 'eventId = :stale AND #state = :taking',
      ExpressionAttributeNames: { '#state': 'state' },
      ExpressionAttributeValues: { ':stale': staleEventId, ':taking': 'TAKING' },
    });
  }

  /** Writes a PENDING claim on the condition given; false when the condition fails. */
  private async putPending(
    key: Key,
    answer: FirstAnswer,
    now: Date,
    condition: { ConditionExpression: string; ExpressionAttributeNames?: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> },
  ): Promise<boolean> {
    const put = this.ctx.db.send(new PutCommand({ TableName: this.ctx.tableName, Item: this.pendingItem(key, answer, now), ...condition }));
    return ifConditionFailed(
      put.then(() => true),
      () => false,
    );
  }

  /**
   * Marks the claim COMMITTED once its event is queued: from now on a repeat gets this answer. False when the claim
   * names another event, or (unless `taking`: the repeat taking it over found its events applied) is being taken over.
   */
  async commit(alertSourceId: string, idempotencyKey: string, eventId: string, options: { taking?: boolean } = {}): Promise<boolean> {
    try {
      const update = this.ctx.db.send(
        new UpdateCommand({
          TableName: this.ctx.tableName,
          Key: idempotencyKeys.item(alertSourceId, idempotencyKey),
          UpdateExpression: 'SET #state = :committed REMOVE leaseUntil',
          ConditionExpression: options.taking ? 'eventId = :eventId' : 'eventId = :eventId AND (attribute_not_exists(#state) OR #state <> :taking)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':eventId': eventId, ':committed': 'COMMITTED', ...(options.taking ? {} : { ':taking': 'TAKING' }) },
        }),
      );
      return await ifConditionFailed(
        update.then(() => true),
        () => false,
      );
    } finally {
      this.wake(alertSourceId, idempotencyKey);
    }
  }

  /** Frees a key whose request failed (503), so that the caller's retry is accepted. */
  async release(alertSourceId: string, idempotencyKey: string, eventId: string): Promise<void> {
    try {
      const del = this.ctx.db.send(
        new DeleteCommand({
          TableName: this.ctx.tableName,
          Key: idempotencyKeys.item(alertSourceId, idempotencyKey),
          ConditionExpression: 'eventId = :eventId',
          ExpressionAttributeValues: { ':eventId': eventId },
        }),
      );
      // Another request holds the key now: it is not ours to free.
      await ifConditionFailed(del, () => undefined);
    } finally {
      this.wake(alertSourceId, idempotencyKey);
    }
  }

  /**
   * Resolves when a claim of this process on the key is committed or released, or after `ms` (the owner may be
   * another Lambda instance, which cannot wake us).
   */
  settled(alertSourceId: string, idempotencyKey: string, ms: number): Promise<void> {
    const id = `${alertSourceId}#${idempotencyKey}`;
    return new Promise<void>((resolve) => {
      const waiters = this.waiters.get(id) ?? new Set();
      this.waiters.set(id, waiters);
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        if (waiters.size === 0 && this.waiters.get(id) === waiters) this.waiters.delete(id);
        resolve();
      };
      const timer = setTimeout(done, ms);
      waiters.add(done);
    });
  }

  private wake(alertSourceId: string, idempotencyKey: string): void {
    for (const done of [...(this.waiters.get(`${alertSourceId}#${idempotencyKey}`) ?? [])]) done();
  }

  private pendingItem(key: ReturnType<typeof idempotencyKeys.item>, answer: FirstAnswer, now: Date) {
    const state: ClaimState = 'PENDING';
    return {
      ...key,
      ...answer,
      state,
      leaseUntil: now.getTime() + this.leaseSeconds * 1000,
      expiresAt: Math.floor(now.getTime() / 1000) + IDEMPOTENCY_TTL_SECONDS,
    };
  }
}

const answerOf = (item: Record<string, unknown>): FirstAnswer => {
  const first: FirstAnswer = { eventId: item.eventId as string, alertKey: item.alertKey as string };
  return Array.isArray(item.eventIds) ? { ...first, eventIds: item.eventIds as string[], alertKeys: item.alertKeys as string[] } : first;
};
