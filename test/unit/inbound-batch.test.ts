// A tool's payload of several events taken as one: the rate limit counts them all or none, and one queue message carries
// them in order (the single-event message keeps its old shape, so messages in flight at an upgrade still read).
import { RateLimiter } from '../../lambdas/app/rate-limiter';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { asciiJson, parseQueuedEvents, queueMessageBody } from '../../lambdas/queue/event-queue';

function counterStore() {
  const counters = new Map<string, number>();
  const reserve = async (source: string, minute: number, count: number, limit: number) => {
    const key = `${source}#${minute}`;
    const now = counters.get(key) ?? 0;
    if (now + count > limit) return undefined;
    counters.set(key, now + count);
    return now + count;
  };
  return { reserve, counters };
}
const at = (second: number) => new Date(Date.UTC(2026, 11, 1, 6, 0, second));

describe('RateLimiter.take of several events', () => {
  it('counts all of them, and refuses a payload that does not fit without taking any, leaving room for smaller ones', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    expect(await limiter.take('s', 10, at(1), 4)).toEqual({ allowed: true, limit: 10, remaining: 6 });
    expect(await limiter.take('s', 10, at(2), 7)).toEqual({ allowed: false, limit: 10, retryAfterSeconds: 58 });
    expect(store.counters.get(`s#${Math.floor(at(0).getTime() / 60_000)}`)).toBe(4);
    expect(await limiter.take('s', 10, at(3), 6)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.take('s', 10, at(4))).toMatchObject({ allowed: false });
  });

  it('uses tokens a lease already holds before reserving the rest: the whole limit can be taken', async () => {
    const store = counterStore();
    const limiter = new RateLimiter(store.reserve);
    for (let i = 0; i < 30; i++) await limiter.take('busy', 100, at(5));
    expect(store.counters.get(`busy#${Math.floor(at(0).getTime() / 60_000)}`)).toBeGreaterThan(30); // a lease reserved ahead
    expect(await limiter.take('busy', 100, at(6), 70)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await limiter.take('busy', 100, at(7))).toMatchObject({ allowed: false });
  });

  it('reports a failing store to the caller, and the next take tries again', async () => {
    let fail = true;
    const store = counterStore();
    const limiter = new RateLimiter((...args) => (fail ? Promise.reject(new Error('store down')) : store.reserve(...args)));
    await expect(limiter.take('s', 10, at(1), 3)).rejects.toThrow('store down');
    fail = false;
    expect(await limiter.take('s', 10, at(1), 3)).toMatchObject({ allowed: true });
  });
});

describe('the queue message of a payload', () => {
  const event = (n: number): AcceptedEvent => ({
    eventId: `01J${n}`,
    alertSourceId: 'src',
    receivedAt: '2026-12-01T06:00:00.000Z',
    eventType: 'ALERT',
    alertKey: `fp-${n}`,
    summary: `é ${n}`,
  });

  it('carries several events in order, and reads back the same', () => {
    const body = queueMessageBody([event(1), event(2), event(3)]);
    expect(JSON.parse(body)).toEqual({ events: [event(1), event(2), event(3)] });
    expect(parseQueuedEvents(body)).toEqual([event(1), event(2), event(3)]);
  });

  it('keeps the shape of a single event, and reads a message in the old shape as one event', () => {
    expect(queueMessageBody([event(1)])).toBe(asciiJson(event(1)));
    expect(parseQueuedEvents(asciiJson(event(7)))).toEqual([event(7)]);
  });

  it('refuses a message whose events lack their envelope', () => {
    expect(() => parseQueuedEvents(JSON.stringify({ events: [{ eventId: 'x' }] }))).toThrow();
    expect(() => parseQueuedEvents(JSON.stringify({ events: [] }))).toThrow();
  });
});
