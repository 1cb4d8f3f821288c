// The processor's cached question "did a maintenance window cover this event's source when it was received?".
import { suppressionCheck } from '../../lambdas/app/maintenance-windows';
import type { Coverage } from '../../lambdas/domain/maintenance-window';

const T0 = Date.parse('2026-03-01T12:00:00.000Z');
const iso = (minutes: number) => new Date(T0 + minutes * 60_000).toISOString();

/** One source's coverage items, answered as the store does: the windows that end after `after`. */
function store(windows: Coverage[]) {
  const reads: string[] = [];
  return {
    reads,
    coverageOf: async (_source: string, after: string) => (reads.push(after), windows.filter((w) => w.end > after)),
  };
}

it('an event processed hours after it was received (a backlog, a redrive) inside a window long ended is suppressed', async () => {
  const windows = store([{ windowId: 'w1', start: iso(-300), end: iso(-180) }]);
  const suppressed = suppressionCheck(windows, 60_000, () => T0);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-240) })).toBe(true);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-170) })).toBe(false);
});

it('events received within the last hour share one read per source and TTL; an older one reads back to its receivedAt', async () => {
  const windows = store([{ windowId: 'w1', start: iso(-30), end: iso(30) }]);
  const suppressed = suppressionCheck(windows, 60_000, () => T0);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-1) })).toBe(true);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-40) })).toBe(false);
  expect(windows.reads).toEqual([iso(-60)]);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-90) })).toBe(false);
  expect(await suppressed({ alertSourceId: 's1', receivedAt: iso(-80) })).toBe(false);
  expect(windows.reads).toEqual([iso(-60), iso(-90)]);
});
