// Claiming an Idempotency-Key when the first request's claim is still PENDING: a live owner makes the repeat wait and
// retry; an owner whose event was applied although its claim never got marked committed is the key's answer.
import { claimKey, commitAfterSend, KeyInUseError, type ClaimDeps } from '../../lambdas/app/idempotency-claim';
import type { EventRecord } from '../../lambdas/store/events';

const first = { eventId: 'E1', alertKey: 'disk' };
const repeat = { eventId: 'E2', alertKey: 'disk' };

/** A key held PENDING by E1 whose lease is still running, and an event store that knows E1 with `outcome`. */
function pendingKey(outcome: EventRecord['outcome'] | 'WITHDRAWN' | undefined) {
  const committed: string[] = [];
  const deps: ClaimDeps = {
    idempotency: {
      claim: async () => ({ pending: first, leaseExpired: false }),
      beginTakeOver: async () => false,
      takeOver: async () => false,
      commit: async (_source, _key, eventId) => {
        committed.push(eventId);
        return true;
      },
      settled: (_source, _key, ms) => new Promise((r) => setTimeout(r, Math.min(ms, 5))),
    },
    events: {
      withdrawAll: async () => 'not-queued',
      get: async (id) => (outcome && id === first.eventId ? ({ eventId: id, outcome } as EventRecord) : undefined),
    },
    now: () => new Date(),
  };
  return { deps, committed };
}

describe('claimKey with a pending first request', () => {
  it('tells the repeat to retry while the first event is still queued', async () => {
    const { deps, committed } = pendingKey('QUEUED');
    await expect(claimKey(deps, 'S', 'k', repeat)).rejects.toBeInstanceOf(KeyInUseError);
    expect(committed).toEqual([]);
  });

  it('tells the repeat to retry when the first event has no record yet', async () => {
    const { deps } = pendingKey(undefined);
    await expect(claimKey(deps, 'S', 'k', repeat)).rejects.toBeInstanceOf(KeyInUseError);
  });

  it('never replays a first event that was withdrawn (its send failed): the repeat is told to retry', async () => {
    const { deps, committed } = pendingKey('WITHDRAWN');
    await expect(claimKey(deps, 'S', 'k', repeat)).rejects.toBeInstanceOf(KeyInUseError);
    expect(committed).toEqual([]);
  });

  it.each(['CREATED', 'APPENDED', 'FAILED'] as const)(
    'replays the first answer once its event was applied (%s) and marks the claim committed',
    async (outcome) => {
      const { deps, committed } = pendingKey(outcome);
      await expect(claimKey(deps, 'S', 'k', repeat)).resolves.toEqual(first);
      expect(committed).toEqual(['E1']);
    },
  );
});

describe('commitAfterSend: the owner’s answer once its event is queued', () => {
  const failure = new Error('store unreachable');
  /** `commits`: what each commit does in turn (true, false: refused, or a failure); `withdrawal`: withdrawAll's result. */
  function owner(commits: Array<boolean | Error>, withdrawal: 'withdrawn' | 'not-queued' | Error = 'withdrawn') {
    const calls: string[] = [];
    const deps = {
      idempotency: {
        commit: async (_s: string, _k: string, _e: string, options?: { taking?: boolean }) => {
          calls.push(options?.taking ? 'commit taking' : 'commit');
          const next = commits.shift() ?? true;
          if (next instanceof Error) throw next;
          return next;
        },
      },
      events: {
        withdrawAll: async () => {
          calls.push('withdraw');
          if (withdrawal instanceof Error) throw withdrawal;
          return withdrawal;
        },
      },
    } as unknown as Parameters<typeof commitAfterSend>[0];
    return { deps, calls };
  }

  it('commits: 202', async () => {
    const { deps, calls } = owner([true]);
    expect(await commitAfterSend(deps, 'S', 'k', first)).toBe('committed');
    expect(calls).toEqual(['commit']);
  });

  it('retries a failed commit once, and never withdraws after a failure (the commit may have landed)', async () => {
    const once = owner([failure, true]);
    expect(await commitAfterSend(once.deps, 'S', 'k', first)).toBe('committed');
    const twice = owner([failure, failure]);
    expect(await commitAfterSend(twice.deps, 'S', 'k', first)).toBe('unknown');
    expect(twice.calls).toEqual(['commit', 'commit']);
  });

  it('refused (a repeat is taking the key over): withdraws its events, or, applied already, answers with them', async () => {
    const withdrawn = owner([false], 'withdrawn');
    expect(await commitAfterSend(withdrawn.deps, 'S', 'k', first)).toBe('withdrawn');
    expect(withdrawn.calls).toEqual(['commit', 'withdraw']);
    const applied = owner([false], 'not-queued');
    expect(await commitAfterSend(applied.deps, 'S', 'k', first)).toBe('applied');
    expect(applied.calls).toEqual(['commit', 'withdraw', 'commit taking']);
    expect(await commitAfterSend(owner([false], failure).deps, 'S', 'k', first)).toBe('unknown');
  });
});
