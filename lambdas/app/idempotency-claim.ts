// Claiming an Idempotency-Key for an accepted event: the first request owns the key, a repeat replays its answer, and a claim whose owner died changes hands.
import type { EventStore } from '../store/events';
import type { FirstAnswer, IdempotencyStore } from '../store/idempotency';

export interface ClaimDeps {
  idempotency: Pick<IdempotencyStore, 'claim' | 'beginTakeOver' | 'takeOver' | 'commit' | 'settled'>;
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
        await deps.idempotency.commit(sourceId, key, claim.pending.eventId).catch(() => false);
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
 * The owner of a pending claim died between its claim and its answer (or is too slow to count on). First the claim is
 * marked TAKING, so that an owner alive after all can no longer commit it and answer 202 for events withdrawn next (a
 * claim it committed first is not taken: 'lost', and the loop replays it). If the queue took its message and the
 * processor applied it, its events are the key's answer. Otherwise they are withdrawn, all in one transaction so that
 * none of them is ever applied (one by one, the processor could apply the later ones after the first was withdrawn):
 * each gets a tombstone, whether it has no record (never recorded, or in AWS not applied yet: a message the queue did
 * take is then refused by the processor), a QUEUED one, or a tombstone already (the owner withdrew them itself before
 * dying); and the key changes hands.
 */
async function takeOver(deps: ClaimDeps, sourceId: string, key: string, stale: FirstAnswer, answer: FirstAnswer): Promise<FirstAnswer | 'taken' | 'lost'> {
  if (!(await deps.idempotency.beginTakeOver(sourceId, key, stale.eventId, deps.now()))) return 'lost';
  if ((await deps.events.withdrawAll(stale.eventIds ?? [stale.eventId])) === 'not-queued') {
    await deps.idempotency.commit(sourceId, key, stale.eventId, { taking: true });
    return stale;
  }
  deps.onTakeOver?.(stale.eventId);
  return (await deps.idempotency.takeOver(sourceId, key, stale.eventId, answer, deps.now())) ? 'taken' : 'lost';
}

/**
 * The owner's answer once its events are queued: 'committed' (202: a repeat gets this answer); 'applied' (202: the
 * claim is being taken over, but the processor applied the events, which the repeat finds too); 'withdrawn' (the claim
 * was taken over and its events are withdrawn: the caller's retry gets the repeat's answer); 'unknown' (the store
 * failed: 503, and the retry settles it, by this answer or by taking the claim over). Never a 202 for events a repeat
 * withdraws. `onError` hears the store's failures.
 */
export async function commitAfterSend(
  deps: Pick<ClaimDeps, 'idempotency' | 'events'>,
  sourceId: string,
  key: string,
  answer: FirstAnswer,
  onError: (error: unknown) => void = () => undefined,
): Promise<'committed' | 'applied' | 'withdrawn' | 'unknown'> {
  for (let attempt = 1; ; attempt++) {
    try {
      if (await deps.idempotency.commit(sourceId, key, answer.eventId)) return 'committed';
      break;
    } catch (error) {
      onError(error);
      // The commit may have landed: withdrawing now could leave a committed answer whose events are never applied.
      if (attempt === 2) return 'unknown';
    }
  }
  try {
    if ((await deps.events.withdrawAll(answer.eventIds ?? [answer.eventId])) === 'withdrawn') return 'withdrawn';
  } catch (error) {
    onError(error);
    return 'unknown';
  }
  // Applied: the claim is its answer, whether or not the repeat taking it over lives to commit it.
  await deps.idempotency.commit(sourceId, key, answer.eventId, { taking: true }).catch(onError);
  return 'applied';
}
