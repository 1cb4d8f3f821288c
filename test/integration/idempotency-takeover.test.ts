// An Idempotency-Key whose first request is slow (or dead) and a repeat that takes the key over once the lease ran out,
// interleaved every way on a real DynamoDB: the slow owner answers 202 only for events that will be applied, and the
// events of a 202 are never withdrawn. Records as in AWS, where ingest writes none.
import { claimKey, commitAfterSend, type ClaimDeps } from '../../lambdas/app/idempotency-claim';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { eventId as newEventId } from '../../lambdas/handlers/ids';
import { EventStore } from '../../lambdas/store/events';
import { IdempotencyStore, type FirstAnswer } from '../../lambdas/store/idempotency';
import { startLocalStore, type LocalStore } from '../support/local-store';

jest.setTimeout(60_000);

let store: LocalStore;
let events: EventStore;
let idempotency: IdempotencyStore;
const LEASE_SECONDS = 30;

beforeAll(async () => {
  store = await startLocalStore();
  events = new EventStore(store.ctx);
  idempotency = new IdempotencyStore(store.ctx, LEASE_SECONDS);
});
afterAll(() => store?.stop());

let n = 0;
const answer = (): FirstAnswer => ({ eventId: newEventId(), alertKey: 'disk' });
/** A repeat arriving once the owner's lease ran out. */
const repeatDeps = (overrides: Partial<ClaimDeps['idempotency']> = {}, withdrawAll?: EventStore['withdrawAll']): ClaimDeps => ({
  idempotency: Object.assign(Object.create(idempotency) as IdempotencyStore, overrides),
  events: { get: (id) => events.get(id), withdrawAll: withdrawAll ?? ((ids) => events.withdrawAll(ids)) },
  now: () => new Date(Date.now() + (LEASE_SECONDS + 1) * 1000),
});
/** The slow first request, its events sent: it commits, or finds its claim taken over. */
const owner = () => ({ idempotency, events });

async function claimedByOwner(): Promise<{ key: string; first: FirstAnswer }> {
  const key = `key-${++n}`;
  const first = answer();
  expect(await idempotency.claim('S', key, first, new Date())).toEqual({ claimed: true });
  return { key, first };
}

const outcomeOf = async (eventId: string) => (await events.get(eventId))?.outcome;

it('a repeat takes the key over after the lease; the slow owner then answers 409 (withdrawn) and its event is never applied', async () => {
  const { key, first } = await claimedByOwner();
  const second = answer();
  expect(await claimKey(repeatDeps(), 'S', key, second)).toBeUndefined();
  expect(await commitAfterSend(owner(), 'S', key, first)).toBe('withdrawn');
  expect(await outcomeOf(first.eventId)).toBe('WITHDRAWN');
  expect(await idempotency.claim('S', key, answer(), new Date())).toMatchObject({ pending: second });
});

it('an owner that commits while the repeat is about to take over keeps its 202: the repeat replays it, nothing is withdrawn', async () => {
  const { key, first } = await claimedByOwner();
  let owned: string | undefined;
  const racing = repeatDeps({
    beginTakeOver: async (...args: Parameters<IdempotencyStore['beginTakeOver']>) => {
      owned = await commitAfterSend(owner(), 'S', key, first);
      return idempotency.beginTakeOver(...args);
    },
  });
  expect(await claimKey(racing, 'S', key, answer())).toEqual(first);
  expect(owned).toBe('committed');
  expect(await outcomeOf(first.eventId)).toBeUndefined();
});

it('an owner that commits between the repeat’s withdrawal and its claim answers 409 (withdrawn), not a 202 for a withdrawn event', async () => {
  const { key, first } = await claimedByOwner();
  let owned: string | undefined;
  const racing = repeatDeps({}, async (ids) => {
    const result = await events.withdrawAll(ids);
    owned = await commitAfterSend(owner(), 'S', key, first);
    return result;
  });
  const second = answer();
  expect(await claimKey(racing, 'S', key, second)).toBeUndefined();
  expect(owned).toBe('withdrawn');
  expect(await outcomeOf(first.eventId)).toBe('WITHDRAWN');
});

it('an owner whose event the processor applied (or parked) before the take-over answers 202, and so does the repeat, with its answer', async () => {
  const { key, first } = await claimedByOwner();
  const event: AcceptedEvent = { eventId: first.eventId, alertSourceId: 'S', receivedAt: new Date().toISOString(), eventType: 'ALERT', alertKey: 'disk' };
  await events.markFailed(event, 'parked', new Date().toISOString());
  expect(await claimKey(repeatDeps(), 'S', key, answer())).toEqual(first);
  expect(await commitAfterSend(owner(), 'S', key, first)).toBe('committed');
  expect(await outcomeOf(first.eventId)).toBe('FAILED');
});

it('an owner refused by a take-over that finds its event applied answers 202 and commits the claim itself', async () => {
  const { key, first } = await claimedByOwner();
  const event: AcceptedEvent = { eventId: first.eventId, alertSourceId: 'S', receivedAt: new Date().toISOString(), eventType: 'ALERT', alertKey: 'disk' };
  await events.markFailed(event, 'parked', new Date().toISOString());
  // The repeat marks the claim TAKING and dies before it withdraws anything.
  expect(await idempotency.beginTakeOver('S', key, first.eventId, repeatDeps().now())).toBe(true);
  expect(await commitAfterSend(owner(), 'S', key, first)).toBe('applied');
  expect(await idempotency.claim('S', key, answer(), new Date())).toEqual({ committed: first });
});

it('a repeat that died after marking the claim TAKING: the owner answers 409 (withdrawn), and the next repeat takes the key', async () => {
  const { key, first } = await claimedByOwner();
  expect(await idempotency.beginTakeOver('S', key, first.eventId, repeatDeps().now())).toBe(true);
  expect(await commitAfterSend(owner(), 'S', key, first)).toBe('withdrawn');
  const third = answer();
  expect(await claimKey(repeatDeps(), 'S', key, third)).toBeUndefined();
  expect(await idempotency.claim('S', key, answer(), new Date())).toMatchObject({ pending: third });
  expect(await outcomeOf(first.eventId)).toBe('WITHDRAWN');
});
