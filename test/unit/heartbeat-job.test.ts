// The tick's HEARTBEAT job on fakes: what it writes and sends in each case, including a ping that races its check.
import { runHeartbeatJob, type HeartbeatJobDeps } from '../../lambdas/app/heartbeats';
import type { SystemEvent } from '../../lambdas/app/system-events';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import { heartbeatDueAt, type HeartbeatMonitor } from '../../lambdas/domain/heartbeat';

const T0 = '2026-03-01T12:00:00.000Z';
const at = (seconds: number) => Date.parse(T0) + seconds * 1000;
const jobKey = { pk: 'ESCJOB#x', sk: 'y' };

function setup(monitor: HeartbeatMonitor | undefined, options: { markOverdue?: boolean; reschedule?: boolean; nowMs?: number; noQueue?: boolean } = {}) {
  const sent: SystemEvent[] = [];
  const writes: string[] = [];
  const deps: HeartbeatJobDeps = {
    monitors: {
      get: async () => monitor,
      reschedule: async (_m, _k, job) => (writes.push(`reschedule ${job.dueAt}`), options.reschedule ?? true),
      markOverdue: async () => (writes.push('overdue'), options.markOverdue ?? true),
    },
    jobs: { delete: async () => void writes.push('delete job') },
    sources: { get: async (id: string) => ({ id, active: true }) as AlertSource },
    systemEvents: options.noQueue
      ? undefined
      : {
          events: { recordQueued: async (e) => void sent.push(e as SystemEvent), withdraw: async () => 'withdrawn' },
          queue: { send: async () => undefined },
          now: () => options.nowMs ?? at(0),
          newEventId: () => `e${sent.length}`,
        },
    now: () => options.nowMs ?? at(0),
  };
  const job = { kind: 'HEARTBEAT' as const, monitorId: 'm1', dueAt: monitor?.checkAt ?? T0 };
  return { run: () => runHeartbeatJob({ key: jobKey, job }, deps), sent, writes };
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

it('an overdue monitor sends one ALERT and turns OVERDUE, its job ended', async () => {
  const { run, sent, writes } = setup(monitor(), { nowMs: at(60) });
  expect(await run()).toBe(true);
  expect(sent.map((e) => [e.eventType, e.alertKey, e.summary])).toEqual([['ALERT', 'heartbeat:m1', 'Heartbeat backup is overdue']]);
  expect(writes).toEqual(['overdue']);
});

it('a monitor pinged since the check was planned moves the check to its new due time, sending nothing', async () => {
  const { run, sent, writes } = setup(monitor({ lastPingAt: new Date(at(30)).toISOString(), status: 'UP' }), { nowMs: at(60) });
  expect(await run()).toBe(true);
  expect(sent).toEqual([]);
  expect(writes).toEqual([`reschedule ${new Date(at(90)).toISOString()}`]);
});

it('a ping between the read and the OVERDUE write wins: the ALERT is taken back with a RESOLVE, and the job runs again', async () => {
  const { run, sent, writes } = setup(monitor(), { nowMs: at(61), markOverdue: false });
  expect(await run()).toBe(false);
  expect(sent.map((e) => e.eventType)).toEqual(['ALERT', 'RESOLVE']);
  expect(writes).toEqual(['overdue']);
});

it('a stale check (the monitor deleted, edited, or OVERDUE) ends without sending', async () => {
  for (const m of [undefined, monitor({ status: 'OVERDUE', checkAt: undefined })]) {
    const { run, sent, writes } = setup(m, { nowMs: at(600) });
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
