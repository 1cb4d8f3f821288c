// The reference model of test/model (the oracle of the model-based integration test): hand-written streams, its invariants,
// and agreement with the domain's decide() on random streams, so that a disagreement shrinks here rather than over a live server.
import fc from 'fast-check';
import { decide, OUTCOME_OF, type OpenAlertRef } from '../../lambdas/domain/alert';
import { applyStream, sameKey, type ModelEvent, type ModelEventType } from '../model/alert-model';

let counter = 0;
const ev = (eventType: ModelEventType, alertKey?: string): ModelEvent => ({ eventId: `e${++counter}`, eventType, alertKey });
const outcomes = (events: ModelEvent[]) => applyStream(events).events.map((r) => [r.outcome, r.alert]);

it('groups ALERTs of one key, trimmed and in any case, into one alert', () => {
  const stream = [ev('ALERT', 'db-1'), ev('ALERT', '  DB-1 '), ev('ALERT', '\tdb-1')];
  const { events, alerts } = applyStream(stream);
  expect(events.map((r) => [r.outcome, r.alert])).toEqual([
    ['CREATED', 0],
    ['APPENDED', 0],
    ['APPENDED', 0],
  ]);
  expect(alerts).toEqual([{ index: 0, alertKey: 'db-1', status: 'PENDING', eventCount: 3, log: stream.map((e) => e.eventId), createdBy: stream[0].eventId }]);
});

it('accepts, reports a second accept without a log entry, resolves, and opens a new alert for a later ALERT', () => {
  const stream = [ev('ALERT', 'web-7'), ev('ACCEPT', 'web-7'), ev('ACCEPT', 'WEB-7'), ev('RESOLVE', ' web-7'), ev('ALERT', 'Web-7')];
  const { events, alerts } = applyStream(stream);
  expect(events.map((r) => [r.outcome, r.alert])).toEqual([
    ['CREATED', 0],
    ['ACCEPTED', 0],
    ['ALREADY_ACCEPTED', 0],
    ['RESOLVED', 0],
    ['CREATED', 1],
  ]);
  expect(alerts.map((a) => [a.alertKey, a.status, a.eventCount, a.log])).toEqual([
    ['web-7', 'RESOLVED', 1, [stream[0], stream[1], stream[3]].map((e) => e.eventId)],
    ['Web-7', 'PENDING', 1, [stream[4].eventId]],
  ]);
});

it('answers NO_OPEN_ALERT to ACCEPT, RESOLVE and COMMENT without an open alert, and creates nothing', () => {
  const stream = [ev('ACCEPT', 'ghost'), ev('RESOLVE', 'ghost'), ev('COMMENT', 'ghost')];
  expect(applyStream(stream)).toEqual({
    events: stream.map((e) => ({ eventId: e.eventId, outcome: 'NO_OPEN_ALERT', alert: undefined })),
    alerts: [],
  });
  // ...and after a RESOLVE the key has no open alert any more.
  expect(outcomes([ev('ALERT', 'k'), ev('RESOLVE', 'k'), ev('RESOLVE', 'k'), ev('COMMENT', 'K'), ev('ACCEPT', 'k')])).toEqual([
    ['CREATED', 0],
    ['RESOLVED', 0],
    ['NO_OPEN_ALERT', undefined],
    ['NO_OPEN_ALERT', undefined],
    ['NO_OPEN_ALERT', undefined],
  ]);
});

it('appends an ALERT to an accepted alert, and comments change neither status nor count', () => {
  const stream = [ev('ALERT', 'q'), ev('ACCEPT', 'q'), ev('ALERT', 'Q'), ev('COMMENT', 'q')];
  const { events, alerts } = applyStream(stream);
  expect(events.map((r) => r.outcome)).toEqual(['CREATED', 'ACCEPTED', 'APPENDED', 'COMMENTED']);
  expect(alerts).toMatchObject([{ status: 'ACCEPTED', eventCount: 2, log: stream.map((e) => e.eventId) }]);
});

it('keeps keys apart, and gives every keyless ALERT an alert of its own', () => {
  const stream = [ev('ALERT', 'a'), ev('ALERT', 'b'), ev('RESOLVE', 'A'), ev('ALERT'), ev('ALERT'), ev('ALERT', 'b')];
  const { events, alerts } = applyStream(stream);
  expect(events.map((r) => [r.outcome, r.alert])).toEqual([
    ['CREATED', 0],
    ['CREATED', 1],
    ['RESOLVED', 0],
    ['CREATED', 2],
    ['CREATED', 3],
    ['APPENDED', 1],
  ]);
  expect(alerts.map((a) => [a.alertKey, a.status, a.eventCount])).toEqual([
    ['a', 'RESOLVED', 1],
    ['b', 'PENDING', 2],
    [undefined, 'PENDING', 1],
    [undefined, 'PENDING', 1],
  ]);
});

// ---------------------------------------------------------------------------------------------------------------
// Properties over random streams

const keyArb = fc.oneof({ weight: 9, arbitrary: fc.constantFrom('a', ' A', 'b\t', 'B', 'c') }, { weight: 1, arbitrary: fc.constant(undefined) });
const typeArb = fc.constantFrom<ModelEventType>('ALERT', 'ALERT', 'ACCEPT', 'RESOLVE', 'COMMENT');
const streamArb = fc
  .array(fc.record({ eventType: typeArb, alertKey: keyArb }), { maxLength: 60 })
  .map((raw) =>
    raw.map((e, i): ModelEvent => ({ eventId: `e${i}`, eventType: e.eventType, alertKey: e.eventType === 'ALERT' ? e.alertKey : (e.alertKey ?? 'a') })),
  );

it('holds its invariants: one open alert per key, counts and logs add up', () => {
  fc.assert(
    fc.property(streamArb, (stream) => {
      const { events, alerts } = applyStream(stream);
      expect(events.map((r) => r.eventId)).toEqual(stream.map((e) => e.eventId));
      const open = alerts.filter((a) => a.status !== 'RESOLVED' && a.alertKey !== undefined).map((a) => sameKey(a.alertKey!));
      expect(new Set(open).size).toBe(open.length);
      expect(alerts.reduce((n, a) => n + a.eventCount, 0)).toBe(stream.filter((e) => e.eventType === 'ALERT').length);
      const logged = events.filter((r) => r.outcome !== 'ALREADY_ACCEPTED' && r.outcome !== 'NO_OPEN_ALERT').map((r) => r.eventId);
      expect(alerts.flatMap((a) => a.log).sort()).toEqual([...logged].sort());
      for (const a of alerts) expect(a.log[0]).toBe(a.createdBy);
    }),
  );
});

/** The domain's decide() over an in-memory list of alerts (what the store would find), event by event. */
function viaDecide(stream: ModelEvent[]) {
  const alerts: Array<{ id: string; key: string; status: 'PENDING' | 'ACCEPTED' | 'RESOLVED' }> = [];
  return stream.map((e, i) => {
    const key = e.alertKey === undefined ? `generated-${i}` : e.alertKey.trim().toLowerCase();
    const byKey = alerts.filter((a) => a.key === key && a.status !== 'RESOLVED').at(-1) as OpenAlertRef | undefined;
    const decision = decide(
      { eventType: e.eventType, receivedAt: '2025-01-01T00:00:00.000Z' },
      { byKey: byKey && { ...byKey } },
      { mode: 'ONE_OPEN_ALERT_ALLOWED' },
    );
    let alertId: string | undefined = 'alert' in decision ? decision.alert.id : undefined;
    if (decision.kind === 'CREATE') alerts.push({ id: (alertId = `alert-${alerts.length}`), key, status: 'PENDING' });
    const target = alerts.find((a) => a.id === alertId);
    if (decision.kind === 'ACCEPT') target!.status = 'ACCEPTED';
    if (decision.kind === 'RESOLVE') target!.status = 'RESOLVED';
    return [OUTCOME_OF[decision.kind], alertId === undefined ? undefined : Number(alertId.slice('alert-'.length))];
  });
}

it("agrees with the domain's decide() on every event of random streams", () => {
  fc.assert(
    fc.property(streamArb, (stream) => expect(viaDecide(stream)).toEqual(outcomes(stream))),
    { numRuns: 300 },
  );
});
