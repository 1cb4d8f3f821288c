// The rules of SPEC 9's heartbeats and SPEC 11's time-driven settings: when a monitor falls due and what its check does,
// autoResolutionTimeout's durations, maintenance windows' coverage and schema, and the SUPPRESS decision's outcome.
import { OUTCOME_OF, logEntryFor } from '../../lambdas/domain/alert';
import { alertSourceSettingsSchema } from '../../lambdas/domain/alert-source';
import { autoResolveAt, durationMs, isAutoResolutionTimeout } from '../../lambdas/domain/auto-resolution';
import { jobStep, jobSubject, isTimedJob } from '../../lambdas/domain/escalation';
import { checkHeartbeat, heartbeatAlertKey, heartbeatDueAt, heartbeatSettingsSchema, type HeartbeatMonitor } from '../../lambdas/domain/heartbeat';
import { covers, maintenanceWindowSettingsSchema } from '../../lambdas/domain/maintenance-window';
import { jobKey } from '../../lambdas/store/escalation-jobs';

const T0 = '2026-03-01T12:00:00.000Z';
const plus = (seconds: number) => new Date(Date.parse(T0) + seconds * 1000).toISOString();

function monitor(fields: Partial<HeartbeatMonitor> = {}): HeartbeatMonitor {
  const base = {
    id: 'm1',
    name: 'backup',
    intervalSec: 300,
    graceSec: 60,
    alertSource: { id: 's1' },
    key: 'k',
    status: 'UNKNOWN' as const,
    createdAt: T0,
    updatedAt: T0,
  };
  return { ...base, checkAt: heartbeatDueAt(base), ...fields };
}

describe('heartbeat monitors', () => {
  it('fall due intervalSec + graceSec after the last ping, or after the creation before the first', () => {
    expect(heartbeatDueAt(monitor())).toBe(plus(360));
    expect(heartbeatDueAt(monitor({ lastPingAt: plus(100) }))).toBe(plus(460));
  });

  it('a check that is due finds the monitor overdue; one after a ping moves to the new due time', () => {
    const m = monitor();
    expect(checkHeartbeat(m, m.checkAt!, Date.parse(plus(359)))).toEqual({ reschedule: plus(360) });
    expect(checkHeartbeat(m, m.checkAt!, Date.parse(plus(360)))).toEqual({ overdue: true });
    const pinged = monitor({ lastPingAt: plus(200), status: 'UP' });
    expect(checkHeartbeat(pinged, pinged.checkAt!, Date.parse(plus(360)))).toEqual({ reschedule: plus(560) });
  });

  it('a check that is not the monitor current one, of an OVERDUE or deleted monitor, is stale', () => {
    const m = monitor();
    expect(checkHeartbeat(m, plus(999), Date.parse(plus(2000)))).toEqual({ stale: true });
    expect(checkHeartbeat(monitor({ status: 'OVERDUE', checkAt: undefined }), m.checkAt!, Date.parse(plus(2000)))).toEqual({ stale: true });
    expect(checkHeartbeat(undefined, m.checkAt!, Date.parse(plus(2000)))).toEqual({ stale: true });
  });

  it('alert under one key per monitor', () => {
    expect(heartbeatAlertKey({ id: 'abc' })).toBe('heartbeat:abc');
  });

  it('validates the settings, graceSec defaulting to 60', () => {
    const ok = heartbeatSettingsSchema.safeParse({ name: 'n', intervalSec: 60, alertSource: { id: 's' } });
    expect(ok.success && ok.data.graceSec).toBe(60);
    for (const intervalSec of [59, 2_678_401, 60.5]) {
      const bad = heartbeatSettingsSchema.safeParse({ name: 'n', intervalSec, alertSource: { id: 's' } });
      expect(bad.success).toBe(false);
      expect(bad.error?.issues[0].path).toEqual(['intervalSec']);
    }
    expect(heartbeatSettingsSchema.safeParse({ name: 'n', intervalSec: 2_678_400, graceSec: 0, alertSource: { id: 's' } }).success).toBe(true);
  });

  it('HEARTBEAT jobs are keyed by their monitor, timed, and kept apart from an alert job of the same id', () => {
    const job = { kind: 'HEARTBEAT' as const, monitorId: 'm1', dueAt: plus(360) };
    expect(isTimedJob(job)).toBe(true);
    expect(jobSubject(job)).toBe('m1');
    expect(jobKey(job, Date.parse(T0))).toEqual({ pk: 'ESCJOB#2026-03-01T12:06', sk: `${plus(360)}#m1#HEARTBEAT` });
    const autoResolve = { kind: 'AUTO_RESOLVE' as const, alertId: 'm1', dueAt: plus(360) };
    expect(jobStep(autoResolve)).toBe('AUTO_RESOLVE');
    expect(jobKey(autoResolve, Date.parse(T0)).sk).not.toBe(jobKey(job, Date.parse(T0)).sk);
    expect(isTimedJob({ kind: 'NOTICE', alertId: 'a', reason: 'RESOLVED', dueAt: T0 })).toBe(false);
  });
});

describe('autoResolutionTimeout', () => {
  it('reads ISO-8601 durations of weeks, days, hours, minutes and seconds', () => {
    expect(durationMs('PT1M')).toBe(60_000);
    expect(durationMs('PT90S')).toBe(90_000);
    expect(durationMs('P1DT12H')).toBe(36 * 3600_000);
    expect(durationMs('P2W')).toBe(14 * 24 * 3600_000);
    for (const bad of ['P', 'PT', 'P1M', 'P1Y', '1H', 'PT1.5H', 'P1DT', '']) expect(durationMs(bad)).toBeUndefined();
  });

  it('allows PT1M to P30D only', () => {
    expect(['PT1M', 'PT60S', 'P30D', 'PT720H'].map(isAutoResolutionTimeout)).toEqual([true, true, true, true]);
    expect(['PT59S', 'P30DT1S', 'P5W', 'P1M'].map(isAutoResolutionTimeout)).toEqual([false, false, false, false]);
  });

  it('resolves that long after the last change', () => {
    expect(autoResolveAt(T0, 'PT5M')).toBe(plus(300));
  });

  it('is an optional setting of the alert source, refused with its name when invalid', () => {
    const parsed = alertSourceSettingsSchema.safeParse({ name: 's', autoResolutionTimeout: 'PT4H' });
    expect(parsed.success && parsed.data.autoResolutionTimeout).toBe('PT4H');
    const absent = alertSourceSettingsSchema.safeParse({ name: 's', autoResolutionTimeout: null });
    expect(absent.success && absent.data.autoResolutionTimeout).toBeUndefined();
    const bad = alertSourceSettingsSchema.safeParse({ name: 's', autoResolutionTimeout: 'P31D' });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['autoResolutionTimeout']);
  });
});

describe('maintenance windows', () => {
  const windows = [{ start: plus(0), end: plus(3600) }];

  it('cover from their start (inclusive) to their end (exclusive)', () => {
    expect(covers(windows, plus(-1))).toBe(false);
    expect(covers(windows, plus(0))).toBe(true);
    expect(covers(windows, plus(3599))).toBe(true);
    expect(covers(windows, plus(3600))).toBe(false);
    expect(covers([], plus(0))).toBe(false);
  });

  it('normalize times to UTC, drop repeated sources, and refuse an end not after the start', () => {
    const parsed = maintenanceWindowSettingsSchema.safeParse({
      summary: 's',
      start: '2026-03-01T13:00:00+01:00',
      end: '2026-03-01T14:00:00Z',
      alertSources: [{ id: 'a' }, { id: 'a' }, { id: 'b' }],
    });
    expect(parsed.success && parsed.data).toEqual({ summary: 's', start: T0, end: '2026-03-01T14:00:00.000Z', alertSources: [{ id: 'a' }, { id: 'b' }] });
    const backwards = maintenanceWindowSettingsSchema.safeParse({ summary: 's', start: T0, end: T0, alertSources: [{ id: 'a' }] });
    expect(backwards.error?.issues.map((i) => i.path.join('.'))).toEqual(['end']);
    const zoneless = maintenanceWindowSettingsSchema.safeParse({ summary: 's', start: '2026-03-01T12:00:00', end: T0, alertSources: [{ id: 'a' }] });
    expect(zoneless.error?.issues.map((i) => i.path.join('.'))).toContain('start');
  });

  it('a suppressed ALERT is recorded as SUPPRESSED and leaves no log entry', () => {
    expect(OUTCOME_OF.SUPPRESS).toBe('SUPPRESSED');
    const event = { eventId: 'e', alertSourceId: 's', receivedAt: T0, eventType: 'ALERT' as const, alertKey: 'k', summary: 'x' };
    expect(logEntryFor({ kind: 'SUPPRESS' }, event)).toBeUndefined();
  });
});
