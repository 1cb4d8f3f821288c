// Heartbeat monitors: their settings and schema, when a monitor falls due, and the events an overdue monitor makes.
import * as z from 'zod';

export const HEARTBEAT_STATUSES = ['UNKNOWN', 'UP', 'OVERDUE'] as const;
export type HeartbeatStatus = (typeof HEARTBEAT_STATUSES)[number];

/** SPEC 9: from a minute to 31 days between pings; the grace period defaults to a minute. */
export const HEARTBEAT_LIMITS = { minIntervalSec: 60, maxIntervalSec: 2_678_400, defaultGraceSec: 60, maxGraceSec: 2_678_400 } as const;

export interface HeartbeatMonitor {
  id: string;
  name: string;
  intervalSec: number;
  graceSec: number;
  alertSource: { id: string };
  /** The secret in the ping URL: whoever holds it can mark the monitor up. */
  key: string;
  status: HeartbeatStatus;
  lastPingAt?: string;
  /** The due time of the monitor's one pending HEARTBEAT job (absent while OVERDUE: no job until a ping). */
  checkAt?: string;
  /**
   * While OVERDUE: the check that found it so and the alert source its ALERT went to (its RESOLVE goes there too, even
   * after the monitor's source changed). The job of that check stays until its ALERT is sent, so a retry re-sends it.
   */
  overdue?: { check: string; alertSourceId: string };
  createdAt: string;
  updatedAt: string;
}

/** A monitor as the API answers it: lastPingAt null before the first ping, the job's bookkeeping left out. */
export const heartbeatMonitorView = ({ checkAt: _c, overdue: _o, ...monitor }: HeartbeatMonitor) => ({ ...monitor, lastPingAt: monitor.lastPingAt ?? null });

const L = HEARTBEAT_LIMITS;
const seconds = (min: number, max: number) =>
  z.number({ error: 'must be a number of seconds' }).int('must be an integer').min(min, `must be at least ${min}`).max(max, `must be at most ${max}`);

/** What a client may write; id, key, status and timestamps are the server's. */
export const heartbeatSettingsSchema = z.object({
  name: z.string().trim().min(1, 'must not be empty').max(255, 'must be at most 255 characters'),
  intervalSec: seconds(L.minIntervalSec, L.maxIntervalSec),
  graceSec: seconds(0, L.maxGraceSec).default(L.defaultGraceSec),
  alertSource: z.object({ id: z.string().min(1, 'must not be empty') }),
});
export type HeartbeatSettings = z.output<typeof heartbeatSettingsSchema>;

/** PUT merges the given fields over the stored monitor, then validates the whole as on create. */
export function mergeHeartbeatSettings(current: HeartbeatMonitor, patch: Record<string, unknown>): Record<string, unknown> {
  return { name: current.name, intervalSec: current.intervalSec, graceSec: current.graceSec, alertSource: current.alertSource, ...patch };
}

/** When the monitor is overdue without a ping: intervalSec + graceSec after the last ping, or after its creation before the first. */
export const heartbeatDueAt = (m: Pick<HeartbeatMonitor, 'lastPingAt' | 'createdAt' | 'intervalSec' | 'graceSec'>): string =>
  new Date(Date.parse(m.lastPingAt ?? m.createdAt) + (m.intervalSec + m.graceSec) * 1000).toISOString();

/** What a HEARTBEAT job due at `jobDueAt` does when it runs at `nowMs`. */
export type HeartbeatCheck = { stale: true } | { reschedule: string } | { overdue: true } | { alertUnsent: true };

/**
 * A job that is not the monitor's current one (the monitor was edited, recovered or deleted since) is stale; the job of
 * the check that made the monitor OVERDUE has its ALERT still to send (again: a retry). Otherwise the monitor is overdue
 * once its due time passed; a ping since the job was planned moves the check to the new due time.
 */
export function checkHeartbeat(monitor: HeartbeatMonitor | undefined, jobDueAt: string, nowMs: number): HeartbeatCheck {
  if (monitor?.status === 'OVERDUE' && monitor.overdue?.check === jobDueAt) return { alertUnsent: true };
  if (!monitor || monitor.status === 'OVERDUE' || monitor.checkAt !== jobDueAt) return { stale: true };
  const due = heartbeatDueAt(monitor);
  return Date.parse(due) > nowMs ? { reschedule: due } : { overdue: true };
}

/** The alert key of a monitor's alerts: one per monitor, so grouping by key keeps it to one open alert. */
export const heartbeatAlertKey = (monitor: Pick<HeartbeatMonitor, 'id'>): string => `heartbeat:${monitor.id}`;

/** The source a monitor's alert is on: where its OVERDUE check sent the ALERT, else its current one. */
export const heartbeatAlertSourceId = (monitor: HeartbeatMonitor): string => monitor.overdue?.alertSourceId ?? monitor.alertSource.id;

/** The one ALERT of a monitor's overdue check: the same on every try, so that a retried job does not send a second. */
export const heartbeatAlertSeed = (monitorId: string, check: string): string => `heartbeat-alert:${monitorId}:${check}`;

export const heartbeatSummary = (monitor: Pick<HeartbeatMonitor, 'name'>): string => `Heartbeat ${monitor.name} is overdue`;

export const heartbeatDetails = (monitor: HeartbeatMonitor): string =>
  `No ping for ${monitor.intervalSec + monitor.graceSec} s (interval ${monitor.intervalSec} s + grace ${monitor.graceSec} s); ` +
  `last ping ${monitor.lastPingAt ?? 'never'}.`;
