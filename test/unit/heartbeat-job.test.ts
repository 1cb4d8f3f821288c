// The tick's HEARTBEAT job on fakes: what it writes and sends in each case, including two ticks and a ping racing its check.
import { runHeartbeatJob, type HeartbeatJobDeps } from '../../lambdas/app/heartbeats';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { heartbeatDueAt, type HeartbeatMonitor } from '../../lambdas/domain/heartbeat';
import type { EventRecord } from '../../lambdas/store/events';

const T0 = '2026-03-01T12:00:00.000Z';
const at = (seconds: number) => Date.parse(T0) + seconds * 1000;
const jobKey = { pk: 'ESCJOB#x', sk: 'y' };

interface Options {
  markOverdue?: () => boolean;
  reschedule?: boolean;
  nowMs?: number;
  noQueue?: boolean;
  /** Event records already written (a retry after a try that wrote one). */
  records?: Map<string, EventRecord>;
  /** The job's due time, when it is not the monitor's check. */
  jobDueAt?: string;
}

function setup(monitor: HeartbeatMonitor | undefined, options: Options = {}) {
  const sent: AcceptedEvent[] = [];
  const writes: string[] = [];
  const records = options.records ?? new Map<string, EventRecord>();
  let ids = 0;
  const deps: HeartbeatJobDeps = {
    monitors: {
      get: async () => monitor,
      reschedule: async (_m, _k, job) => (writes.push(`reschedule ${job.dueAt}`), options.reschedule ?? true),
      markOverdue: async (_m, sourceId) => (writes.push(`overdue on ${sourceId}`), options.markOverdue?.() ?? true),
    },
    jobs: { delete: async () => void writes.push('delete job') },
    sources: { get: async (id: string) => ({ id, active: true }) as AlertSource },
    systemEvents: options.noQueue
      ? undefined
      : {
          events: {
            get: async (id) => records.get(id),
            recordQueued: async (e) => void records.set(e.eventId, { ...e, outcome: 'QUEUED' }),
            withdraw: async () => 'withdrawn',
          },
          queue: { send: async (e) => void (sent.push(e), writes.push(`send ${e.eventType}`)) },
          now: () => options.nowMs ?? at(0),
          newEventId: () => `e${ids++}`,
        },
    now: () => options.nowMs ?? at(0),
  };
  const job = { kind: 'HEARTBEAT' as const, monitorId: 'm1', dueAt: options.jobDueAt ?? monitor?.checkAt ?? monitor?.overdue?.check ?? T0 };
  return { run: () => runHeartbeatJob({ key: jobKey, job }, deps), sent, writes, records };
}

function monitor(fields: Partial<HeartbeatMonitor> = {}): HeartbeatMonitor {
  const base = {
    id: 'm1',
    name: 'backup',
    intervalSec: 60,
    graceSec: 0,
    alertSource: { id: 's1' },
    key: 'k',
    status: 'UNKNOWN' as const,
    createdAt: T0,
    updatedAt: T0,
  };
  return { ...base, checkAt: heartbeatDueAt(base), ...fields };
}

/** The monitor as its check left it OVERDUE (the ALERT's job still there when the send failed). */
const overdueMonitor = (alertSourceId = 's1', fields: Partial<HeartbeatMonitor> = {}) =>
  monitor({ status: 'OVERDUE', checkAt: undefined, overdue: { check: heartbeatDueAt(monitor()), alertSourceId }, ...fields });

it('an overdue monitor turns OVERDUE first, then sends one ALERT, and its job ends', async () => {
  const { run, sent, writes } = setup(monitor(), { nowMs: at(60) });
  expect(await run()).toBe(true);
  expect(sent.map((e) => [e.eventType, e.alertKey, e.summary, e.alertSourceId])).toEqual([['ALERT', 'heartbeat:m1', 'Heartbeat backup is overdue', 's1']]);
  expect(writes).toEqual(['overdue on s1', 'send ALERT', 'delete job']);
});

it('a monitor pinged since the check was planned moves the check to its new due time, sending nothing', async () => {
  const { run, sent, writes } = setup(monitor({ lastPingAt: new Date(at(30)).toISOString(), status: 'UP' }), { nowMs: at(60) });
  expect(await run()).toBe(true);
  expect(sent).toEqual([]);
  expect(writes).toEqual([`reschedule ${new Date(at(90)).toISOString()}`]);
});

it('a lost OVERDUE write (a ping, or another tick, came first) sends nothing, no ALERT and no RESOLVE, and the job runs again', async () => {
  const { run, sent, writes } = setup(monitor(), { nowMs: at(61), markOverdue: () => false });
  expect(await run()).toBe(false);
  expect(sent).toEqual([]);
  expect(writes).toEqual(['overdue on s1']);
});

it('two ticks running the same due job: one ALERT; the loser, run again, finds it sent and only ends the job', async () => {
  const records = new Map<string, EventRecord>();
  let marked = false;
  const markOverdue = () => (marked ? false : (marked = true));
  const first = setup(monitor(), { nowMs: at(61), markOverdue, records });
  const second = setup(monitor(), { nowMs: at(61), markOverdue, records });
  expect(await Promise.all([first.run(), second.run()])).toEqual([true, false]);
  expect([...first.sent, ...second.sent].map((e) => e.eventType)).toEqual(['ALERT']);
  const [id] = [...records.keys()];
  records.set(id, { ...records.get(id)!, outcome: 'CREATED' });
  // The next tick reads the monitor OVERDUE by this check.
  const retry = setup(overdueMonitor(), { nowMs: at(120), records });
  expect(await retry.run()).toBe(true);
  expect(retry.sent).toEqual([]);
  expect(retry.writes).toEqual(['delete job']);
});

it('a retry after a failed ALERT sends the same event again (same event id, no second record), on the source it was marked on', async () => {
  const records = new Map<string, EventRecord>();
  const first = setup(overdueMonitor('s-old', { alertSource: { id: 's-new' } }), { nowMs: at(120), records });
  const again = setup(overdueMonitor('s-old', { alertSource: { id: 's-new' } }), { nowMs: at(180), records });
  await first.run();
  await again.run();
  expect(records.size).toBe(1);
  expect([...first.sent, ...again.sent].map((e) => [e.eventId, e.alertSourceId])).toEqual([
    [[...records.keys()][0], 's-old'],
    [[...records.keys()][0], 's-old'],
  ]);
});

it('a stale check (the monitor deleted, edited, or OVERDUE by another check) ends without sending', async () => {
  const dueAt = heartbeatDueAt(monitor());
  for (const m of [undefined, monitor({ checkAt: T0 }), overdueMonitor('s1', { overdue: { check: T0, alertSourceId: 's1' } })]) {
    const { run, sent, writes } = setup(m, { nowMs: at(600), jobDueAt: dueAt });
    expect(await run()).toBe(true);
    expect(sent).toEqual([]);
    expect(writes).toEqual(['delete job']);
  }
});

it('without an event queue an overdue check fails, saying which setting is missing, and changes nothing', async () => {
  const { run, writes } = setup(monitor(), { nowMs: at(60), noQueue: true });
  await expect(run()).rejects.toThrow(/EVENT_QUEUE_URL/);
  expect(writes).toEqual([]);
});
