// The in-process batching that keeps store calls few, in Lambda and locally: rate-limit leases, group commit, and the processor's rounds.
import { rounds, type SourcedEvent } from '../../lambdas/app/apply-event';
import { MAX_LEASE, RateLimiter, leaseSize } from '../../lambdas/app/rate-limiter';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { GroupCommit, chunksOf } from '../../lambdas/shared/group-commit';

/** A shared counter store as DynamoDB's conditional ADD behaves: all of `count` fits under the limit, or nothing. */
function counterStore() {
  const counters = new Map<string, number>();
  const calls: Array<{ source: string; count: number }> = [];
  const reserve = async (source: string, minute: number, count: number, limit: number) => {
    calls.push({ source, count });
    const key = `${source}#${minute}`;
    const now = counters.get(key) ?? 0;
    if (now + count > limit) return undefined;
    counters.set(key, now + count);
    return now + count;
  };
  return { reserve, calls, counters };
}

const at = (second: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, second));

describe('RateLimiter', () => {
  it('lets exactly the limit through in a minute, then refuses with the seconds left in the minute', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    const decisions = [];
    for (let i = 0; i < 7; i++) decisions.push(await limiter.take('s1', 5, at(15)));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, true, true, true, false, false]);
    expect(decisions[4]).toEqual({ allowed: true, limit: 5, remaining: 0 });
    expect(decisions[5]).toEqual({ allowed: false, limit: 5, retryAfterSeconds: 45 });
  });

  it('never lets more than the limit through, even with many instances sharing the counter', async () => {
    const store = counterStore();
    const instances = Array.from({ length: 8 }, () => new RateLimiter(store.reserve));
    let allowed = 0;
    await Promise.all(
      instances.map(async (limiter) => {
        for (let i = 0; i < 200; i++) if ((await limiter.take('busy', 1000, at(1))).allowed) allowed++;
      }),
    );
    expect(allowed).toBeLessThanOrEqual(1000);
    expect(store.counters.get(`busy#${Math.floor(at(1).getTime() / 60_000)}`)).toBeLessThanOrEqual(1000);
    // 1,600 requests against 1,000: leases may strand a few near the end of the minute, not many.
    expect(allowed).toBeGreaterThan(900);
  });

  it('a busy source costs one counter write per many events; a quiet one reserves one event at a time', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    for (let i = 0; i < 1000; i++) await limiter.take('busy', 1_000_000, at(2));
    for (let i = 0; i < 2; i++) await limiter.take('quiet', 1_000_000, at(2));
    const busy = store.calls.filter((c) => c.source === 'busy');
    expect(busy.length).toBeLessThan(40);
    // Leases grow with demand: what a busy source reserves stays within twice what it used.
    expect(busy.reduce((n, c) => n + c.count, 0)).toBeLessThanOrEqual(2 * 1000);
    expect(store.calls.filter((c) => c.source === 'quiet')).toEqual([1, 1].map((count) => ({ source: 'quiet', count })));
  });

  it('concurrent requests wait for one reservation instead of each writing', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    for (let i = 0; i < 40; i++) await limiter.take('s', 1_000_000, at(3));
    const before = store.calls.length;
    await Promise.all(Array.from({ length: 20 }, () => limiter.take('s', 1_000_000, at(3))));
    expect(store.calls.length - before).toBeLessThanOrEqual(1);
  });

  it('renews a busy lease ahead, so that requests go on while the store answers', async () => {
    const store = counterStore();
    let held: Array<() => void> = [];
    let holding = false;
    const limiter = new RateLimiter(async (...args) => {
      if (holding) await new Promise<void>((release) => held.push(release));
      return store.reserve(...args);
    });
    for (let i = 0; i < 100; i++) await limiter.take('s', 1_000_000, at(5));
    holding = true;
    // Go on until a renewal starts (half-way through a lease) and hangs in the store...
    for (let i = 0; i < 200 && held.length === 0; i++) await limiter.take('s', 1_000_000, at(5));
    expect(held).toHaveLength(1);
    // ...then the rest of the lease still serves at once (a take that waited for the store would never resolve).
    const served = await Promise.all(Array.from({ length: 20 }, () => limiter.take('s', 1_000_000, at(5))));
    expect(served.every((d) => d.allowed)).toBe(true);
    expect(held).toHaveLength(1);
    held.forEach((release) => release());
    held = [];
  });

  it('a new minute starts a new count', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    for (let i = 0; i < 2; i++) await limiter.take('s', 2, at(59));
    expect((await limiter.take('s', 2, at(59))).allowed).toBe(false);
    expect((await limiter.take('s', 2, new Date(at(59).getTime() + 1000))).allowed).toBe(true);
  });

  it('passes a store failure to the caller, and works again once the store does', async () => {
    let down = true;
    const store = counterStore();
    const limiter = new RateLimiter((...args) => (down ? Promise.reject(new Error('store down')) : store.reserve(...args)));
    await expect(limiter.take('s', 10, at(4))).rejects.toThrow('store down');
    down = false;
    await expect(limiter.take('s', 10, at(4))).resolves.toMatchObject({ allowed: true });
  });

  it('sizes leases by demand, capped by MAX_LEASE and by a tenth of what is left', () => {
    expect(leaseSize(1_000_000, 0, 0)).toBe(1);
    expect(leaseSize(1_000_000, 0, 10)).toBe(10);
    expect(leaseSize(1_000_000, 0, 10_000)).toBe(MAX_LEASE);
    expect(leaseSize(100, 90, 10_000)).toBe(1);
    expect(leaseSize(1000, 800, 10_000)).toBe(20);
  });
});

describe('GroupCommit', () => {
  it('writes a lone entry at once, and gathers the entries that arrive meanwhile into the next group', async () => {
    const groups: number[][] = [];
    const commit = new GroupCommit<number>(async (entries) => {
      groups.push(entries);
      await new Promise((r) => setTimeout(r, 20));
      return entries.map(() => ({ ok: true as const }));
    }, 10);
    await Promise.all(Array.from({ length: 15 }, (_, i) => commit.add(i)));
    expect(groups).toEqual([[0], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10], [11, 12, 13, 14]]);
  });

  it('settles every entry on its own: one refused entry fails alone, a failed call fails its whole group', async () => {
    const commit = new GroupCommit<string>(async (entries) => {
      if (entries.includes('boom')) throw new Error('call failed');
      return entries.map((e) => (e === 'bad' ? { ok: false as const, error: new Error(`refused ${e}`) } : { ok: true as const }));
    }, 10);
    const settled = await Promise.allSettled(['a', 'bad', 'c'].map((e) => commit.add(e)));
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    await expect(commit.add('boom')).rejects.toThrow('call failed');
    await expect(commit.add('after')).resolves.toBeUndefined();
  });

  it('chunks by count and by size, in order, giving an oversized entry a chunk of its own', () => {
    const sizes = [1, 1, 1, 5, 1, 9, 1];
    expect(chunksOf(sizes, 3, 6, (n) => n)).toEqual([[1, 1, 1], [5, 1], [9], [1]]);
  });
});

describe('rounds of a processor batch', () => {
  const source = (alertCreation: AlertSource['alertCreation']) => ({ alertCreation }) as AlertSource;
  const item = (alertSourceId: string, alertKey: string, s?: AlertSource): SourcedEvent => ({
    event: { eventId: `${alertSourceId}-${alertKey}`, alertSourceId, alertKey, eventType: 'ALERT', receivedAt: '2026-11-26T12:00:00Z' } as AcceptedEvent,
    source: s,
  });
  const shape = (r: SourcedEvent[][]) => r.map((round) => round.map((i) => i.event.eventId));

  it('keeps events of different keys together and starts a new round when a key comes again', () => {
    const batch = [item('a', 'k1'), item('a', 'k2'), item('b', 'k1'), item('a', 'K1'), item('a', 'k3')];
    expect(shape(rounds(batch))).toEqual([
      ['a-k1', 'a-k2', 'b-k1'],
      ['a-K1', 'a-k3'],
    ]);
  });

  it('gives a window-grouping source one event per round, whatever the keys', () => {
    const windowed = source('ONE_ALERT_GROUPED_PER_WINDOW');
    const batch = [item('w', 'k1', windowed), item('o', 'k1'), item('w', 'k2', windowed), item('w', 'k3', windowed)];
    expect(shape(rounds(batch))).toEqual([['w-k1', 'o-k1'], ['w-k2'], ['w-k3']]);
  });

  it('keeps the batch order across rounds', () => {
    const batch = Array.from({ length: 30 }, (_, i) => item(`s${i % 3}`, `k${i % 4}`));
    expect(rounds(batch).flat()).toEqual(batch);
  });
});
