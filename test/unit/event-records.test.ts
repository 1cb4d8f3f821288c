// Event records that may be absent (AWS: ingest writes none) or a withdrawal's tombstone: what GET /api/events/{id}
// answers from an event id alone, and how the events Alertline makes itself are sent and withdrawn.
import { Alerts } from '../../lambdas/app/alerts';
import { NotFoundError } from '../../lambdas/app/errors';
import type { EventsPort } from '../../lambdas/app/ports';
import { enqueueSystemEvent, enqueueSystemEventOnce, type SystemEventDeps } from '../../lambdas/app/system-events';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { ulidOf, ulidTime } from '../../lambdas/domain/ulid';
import type { EventRecord, WithdrawnEvent } from '../../lambdas/store/events';
import { fixedHost, MemoryAlerts } from './support/memory-stores';

const NOW = Date.parse(fixedHost().now());
const DAY = 24 * 3600 * 1000;
const digits = Array.from({ length: 16 }, (_, i) => (i * 5) % 32);

describe('ulidTime', () => {
  it('reads back the time of an id ulidOf made', () => {
    for (const t of [0, NOW, 2 ** 48 - 1]) expect(ulidTime(ulidOf(t, digits))).toBe(t);
  });

  it('is undefined for anything not shaped as such an id', () => {
    const id = ulidOf(NOW, digits);
    for (const other of [id.toLowerCase(), id.slice(1), `${id}0`, `8${id.slice(1)}`, `${id.slice(0, 25)}U`, `${id.slice(0, 25)}I`, '', 'evt-1']) {
      expect({ other, time: ulidTime(other) }).toEqual({ other, time: undefined });
    }
  });
});

describe('Alerts.event', () => {
  function alertsWith(records: Array<EventRecord | WithdrawnEvent>, aws: boolean) {
    const events: EventsPort = { get: async (id) => records.find((r) => r.eventId === id) };
    return new Alerts({ alerts: new MemoryAlerts(), events, host: fixedHost(), queuedWithoutRecord: aws ? { retentionSeconds: 4 * 24 * 3600 } : undefined });
  }
  const applied: EventRecord = {
    eventId: ulidOf(NOW - DAY * 10, digits),
    alertSourceId: 's1',
    eventType: 'ALERT',
    alertKey: 'disk',
    receivedAt: new Date(NOW - DAY * 10).toISOString(),
    processedAt: new Date(NOW - DAY * 10).toISOString(),
    outcome: 'CREATED',
    alertId: 'a1',
  };
  const withdrawn: WithdrawnEvent = { eventId: ulidOf(NOW - 1000, digits), outcome: 'WITHDRAWN' };

  it('answers a record as it is, in both modes, however old its id', async () => {
    for (const aws of [true, false]) await expect(alertsWith([applied], aws).event(applied.eventId)).resolves.toEqual(applied);
  });

  it('answers 404 for a withdrawn event, in both modes, though its id is young', async () => {
    for (const aws of [true, false]) await expect(alertsWith([withdrawn], aws).event(withdrawn.eventId)).rejects.toEqual(new NotFoundError('Event'));
  });

  it('in AWS, answers QUEUED for an id without a record whose time is past and within the retention, receivedAt from the id', async () => {
    const alerts = alertsWith([], true);
    for (const ago of [0, 1000, 4 * DAY]) {
      const eventId = ulidOf(NOW - ago, digits);
      await expect(alerts.event(eventId)).resolves.toEqual({ eventId, receivedAt: new Date(NOW - ago).toISOString(), outcome: 'QUEUED' });
    }
  });

  it('in AWS, answers 404 for an id older than the retention, in the future, or of another shape', async () => {
    const alerts = alertsWith([], true);
    for (const eventId of [ulidOf(NOW - 4 * DAY - 1, digits), ulidOf(NOW + 1, digits), ulidOf(NOW, digits).toLowerCase(), 'nope']) {
      await expect(alerts.event(eventId)).rejects.toEqual(new NotFoundError('Event'));
    }
  });

  it('locally, where ingest records every event, answers 404 for any id without a record', async () => {
    await expect(alertsWith([], false).event(ulidOf(NOW - 1000, digits))).rejects.toEqual(new NotFoundError('Event'));
  });
});

describe('system events', () => {
  function deps(options: { failSends?: number; records?: Map<string, EventRecord | WithdrawnEvent> } = {}) {
    const records = options.records ?? new Map<string, EventRecord | WithdrawnEvent>();
    const sent: string[] = [];
    const withdrawn: string[] = [];
    let failures = options.failSends ?? 0;
    let ids = 0;
    const d: SystemEventDeps = {
      events: {
        get: async (id) => records.get(id),
        // As in AWS: nothing is written before the processor applies the event.
        recordQueued: async () => undefined,
        withdraw: async (id) => {
          withdrawn.push(id);
          records.set(id, { eventId: id, outcome: 'WITHDRAWN' });
          return 'withdrawn';
        },
      },
      queue: {
        send: async (event: AcceptedEvent) => {
          if (failures-- > 0) throw new Error('queue unavailable');
          sent.push(event.eventId);
        },
      },
      now: () => NOW,
      newEventId: () => `fresh-${ids++}`,
    };
    return { deps: d, sent, withdrawn, records };
  }
  const alert = { eventType: 'ALERT' as const, alertKey: 'heartbeat:m1', summary: 'overdue' };
  const once = { seed: 'm1@check', atMs: NOW - 60_000 };

  it('a fresh event whose send fails is withdrawn, and the error thrown: the next try is another event', async () => {
    const { deps: d, sent, withdrawn } = deps({ failSends: 1 });
    await expect(enqueueSystemEvent(d, 's1', alert)).rejects.toThrow('queue unavailable');
    expect(withdrawn).toEqual(['fresh-0']);
    await expect(enqueueSystemEvent(d, 's1', alert)).resolves.toBe('fresh-1');
    expect(sent).toEqual(['fresh-1']);
  });

  it('the event of a `once` whose send fails is not withdrawn: the retry sends the same id, which no tombstone blocks', async () => {
    const { deps: d, sent, withdrawn } = deps({ failSends: 1 });
    await expect(enqueueSystemEventOnce(d, 's1', alert, once)).rejects.toThrow('queue unavailable');
    const eventId = await enqueueSystemEventOnce(d, 's1', alert, once);
    expect(withdrawn).toEqual([]);
    expect(sent).toEqual([eventId]);
    expect(ulidTime(eventId)).toBe(once.atMs);
  });

  it('the event of a `once` without a record (AWS: not applied yet) is sent again; once applied, it is not', async () => {
    const { deps: d, sent, records } = deps();
    const eventId = await enqueueSystemEventOnce(d, 's1', alert, once);
    await enqueueSystemEventOnce(d, 's1', alert, once);
    expect(sent).toEqual([eventId, eventId]);
    records.set(eventId, {
      eventId,
      alertSourceId: 's1',
      eventType: 'ALERT',
      alertKey: alert.alertKey,
      receivedAt: new Date(NOW).toISOString(),
      outcome: 'CREATED',
    });
    await enqueueSystemEventOnce(d, 's1', alert, once);
    expect(sent).toEqual([eventId, eventId]);
  });

  it('the event of a `once` found withdrawn fails, saying why, rather than be taken for sent', async () => {
    const { deps: d, sent, records } = deps();
    const eventId = await enqueueSystemEventOnce(d, 's1', alert, once);
    records.set(eventId, { eventId, outcome: 'WITHDRAWN' });
    await expect(enqueueSystemEventOnce(d, 's1', alert, once)).rejects.toThrow(/withdrawn/);
    expect(sent).toEqual([eventId]);
  });
});
