// Claiming an Idempotency-Key for an accepted event: the first request owns the key, a repeat replays its answer, and a claim whose owner died changes hands.
import type { EventStore } from '../store/events';
import type { FirstAnswer, IdempotencyStore } from '../store/idempotency';

export interface ClaimDeps {
  idempotency: Pick<IdempotencyStore, 'claim' | 'takeOver' | 'commit' | 'settled'>;
  events: Pick<EventStore, 'withdrawAll' | 'get'>;
  now: () => Date;
  /** Told when a key changes hands after its owner died. */
  onTakeOver?: (staleEventId: string) => void;
}

/** How long a repeat waits for a first request still under way before it is told to retry. */
export const PENDING_CLAIM_WAIT_MS = 1500;

/** A first request with this key is still under way (and alive): the repeat should retry shortly. */
export class KeyInUseError extends Error {
  override readonly name = 'KeyInUseError';
  constructor() {
    super('A request with this Idempotency-Key is still being processed; retry');
  }
}

/**
 * Claims the key for this event (undefined), or returns the committed answer of the request that holds it. A first
 * request still under way is waited for briefly, then KeyInUseError; if it fails and releases the key, the key is
 * claimed here. A claim whose lease ran out (its owner died) is taken over.
 */
export async function claimKey(deps: ClaimDeps, sourceId: string, key: string, answer: FirstAnswer): Promise<FirstAnswer | undefined> {
  const waitUntil = Date.now() + PENDING_CLAIM_WAIT_MS;
  for (let pause = 25; ; pause *= 2) {
    const claim = await deps.idempotency.claim(sourceId, key, answer, deps.now());
    if ('claimed' in claim) return undefined;
    if ('committed' in claim) return claim.committed;
    if (claim.leaseExpired) {
      const outcome = await takeOver(deps, sourceId, key, claim.pending, answer);
      if (outcome !== 'lost') return outcome === 'taken' ? undefined : outcome;
      continue;
    }
    const left = waitUntil - Date.now();
    if (left <= 0) {
      if (await appliedAlready(deps, claim.pending)) {
        // Its owner answered 202 but could not mark the claim committed (the store failed just then): the processor
        // applied the event, so it was queued, and it is the key's answer.
        await deps.idempotency.commit(sourceId, key, claim.pending.eventId).catch(() => undefined);
        return claim.pending;
      }
      throw new KeyInUseError();
    }
    // Woken at once when the first request runs in this process; otherwise re-read with a growing pause.
    await deps.idempotency.settled(sourceId, key, Math.min(pause, left));
  }
}

/**
 * Whether the event of a pending claim was already applied (or parked) by the processor, i.e. it was queued. Not when
 * its record is QUEUED (locally), absent (in AWS ingest writes none: queued and not applied yet, or never queued) or a
 * tombstone (withdrawn after a failed send: it never will be).
 */
async function appliedAlready(deps: ClaimDeps, pending: FirstAnswer): Promise<boolean> {
  const record = await deps.events.get(pending.eventId);
  return record !== undefined && record.outcome !== 'QUEUED' && record.outcome !== 'WITHDRAWN';
}

/**
 * The owner of a pending claim died between its claim and its answer. If the queue took its message and the processor
 * applied it, its events are the key's answer. Otherwise they are withdrawn, all in one transaction so that none of
 * them is ever applied (one by one, the processor could apply the later ones after the first was withdrawn): each gets
 * a tombstone, whether it has no record (never recorded, or in AWS not applied yet: a message the queue did take is
 * then refused by the processor), a QUEUED one, or a tombstone already (the owner withdrew them itself before dying);
 * and the key changes hands.
 */
async function takeOver(deps: ClaimDeps, sourceId: string, key: string, stale: FirstAnswer, answer: FirstAnswer): Promise<FirstAnswer | 'taken' | 'lost'> {
  if ((await deps.events.withdrawAll(stale.eventIds ?? [stale.eventId])) === 'not-queued') {
    await deps.idempotency.commit(sourceId, key, stale.eventId);
    return stale;
  }
  deps.onTakeOver?.(stale.eventId);
  return (await deps.idempotency.takeOver(sourceId, key, stale.eventId, answer, deps.now())) ? 'taken' : 'lost';
}
