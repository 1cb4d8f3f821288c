// Use cases of heartbeat monitors: management (CRUD), the ping, and the tick's HEARTBEAT job (overdue opens an alert, a ping resolves it).
import type { EscalationJob } from '../domain/escalation';
import {
  checkHeartbeat,
  heartbeatAlertKey,
  heartbeatAlertSeed,
  heartbeatAlertSourceId,
  heartbeatDetails,
  heartbeatDueAt,
  heartbeatSettingsSchema,
  heartbeatSummary,
  mergeHeartbeatSettings,
  type HeartbeatMonitor,
  type HeartbeatSettings,
} from '../domain/heartbeat';
import { fieldErrors } from '../domain/validation';
import { InvalidCursorError } from '../store/cursor';
import { Unavailable } from '../store/errors';
import type { EscalationJobStore, StoredJob } from '../store/escalation-jobs';
import type { HeartbeatMonitorStore } from '../store/heartbeat-monitors';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { AlertSourcesPort, Host, Page, PageRequest } from './ports';
import { enqueueSystemEvent, enqueueSystemEventOnce, type SystemEventDeps } from './system-events';

type HeartbeatJob = Extract<EscalationJob, { kind: 'HEARTBEAT' }>;

export interface HeartbeatDeps {
  monitors: Pick<HeartbeatMonitorStore, 'create' | 'get' | 'getByKey' | 'list' | 'replace' | 'delete' | 'recordPing' | 'recover'>;
  sources: Pick<AlertSourcesPort, 'get'>;
  host: Host;
  /** Where a ping of an OVERDUE monitor sends its RESOLVE; absent, such a ping is refused (503) and retried by the caller. */
  systemEvents?: SystemEventDeps;
}

/** How many times a change is decided again on a fresh read before the caller is asked to retry. */
const FRESH_READS = 5;

const checkJob = (monitorId: string, dueAt: string): HeartbeatJob => ({ kind: 'HEARTBEAT', monitorId, dueAt });

function parseSettings(input: unknown): HeartbeatSettings {
  const parsed = heartbeatSettingsSchema.safeParse(input, { reportInput: true });
  if (parsed.success) return parsed.data;
  const errors = fieldErrors(parsed.error);
  throw new ValidationError(`Invalid heartbeat monitor: ${errors.map((e) => `${e.path} ${e.message}`).join('; ')}`, errors);
}

export class HeartbeatMonitors {
  constructor(private readonly deps: HeartbeatDeps) {}

  async list(page: PageRequest): Promise<Page<HeartbeatMonitor>> {
    try {
      return await this.deps.monitors.list(page);
    } catch (error) {
      if (error instanceof InvalidCursorError) throw new ValidationError(error.message, [{ path: 'nextCursor', message: error.message }], 'INVALID_CURSOR');
      throw error;
    }
  }

  async get(id: string): Promise<HeartbeatMonitor> {
    const monitor = await this.deps.monitors.get(id);
    if (!monitor) throw new NotFoundError('Heartbeat monitor');
    return monitor;
  }

  /** A new monitor is UNKNOWN until its first ping; its first check falls due intervalSec + graceSec after its creation. */
  async create(input: Record<string, unknown>): Promise<HeartbeatMonitor> {
    const settings = parseSettings(input);
    await this.checkSource(settings);
    const { host } = this.deps;
    const now = host.now();
    const base = { id: host.newId(), key: host.newIntegrationKey(), ...settings, status: 'UNKNOWN' as const, createdAt: now, updatedAt: now };
    const monitor: HeartbeatMonitor = { ...base, checkAt: heartbeatDueAt(base) };
    await this.deps.monitors.create(monitor, checkJob(monitor.id, monitor.checkAt!), Date.parse(now));
    return monitor;
  }

  /** `patch` holds the settings to change. A monitor that is not OVERDUE is checked again at the due time of its new settings. */
  async replace(id: string, patch: Record<string, unknown>): Promise<HeartbeatMonitor> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const current = await this.get(id);
      const settings = parseSettings(mergeHeartbeatSettings(current, patch));
      await this.checkSource(settings);
      const now = this.deps.host.now();
      const updatedAt = now > current.updatedAt ? now : new Date(Date.parse(current.updatedAt) + 1).toISOString();
      const changed = { ...current, ...settings, updatedAt };
      const job = current.status === 'OVERDUE' ? undefined : checkJob(id, heartbeatDueAt(changed));
      if (await this.deps.monitors.replace(current, settings, updatedAt, job, Date.parse(now))) return { ...changed, checkAt: job?.dueAt };
    }
    throw new ConflictError('CONFLICT', 'The heartbeat monitor changed while it was being updated; retry');
  }

  /** An OVERDUE monitor sends the RESOLVE of its alert first, so that deleting it leaves no alert open for good. */
  async delete(id: string): Promise<void> {
    const monitor = await this.get(id);
    if (monitor.status === 'OVERDUE') await this.resolveAlert(monitor);
    if (!(await conditionalWrite(() => this.deps.monitors.delete(id)))) throw new NotFoundError('Heartbeat monitor');
  }

  /**
   * A ping: the monitor is up. One that was OVERDUE sends the RESOLVE of its alert first (a ping that cannot send it
   * fails, and the caller's next ping tries again), then is UP with its next check; any other just records the time.
   */
  async ping(key: string): Promise<{ status: 'UP' }> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const monitor = await this.deps.monitors.getByKey(key);
      if (!monitor) throw new NotFoundError('Heartbeat monitor');
      const now = this.deps.host.now();
      if (monitor.status !== 'OVERDUE') {
        if (await this.deps.monitors.recordPing(monitor.id, now)) return { status: 'UP' };
        continue;
      }
      await this.resolveAlert(monitor);
      const job = checkJob(monitor.id, heartbeatDueAt({ ...monitor, lastPingAt: now }));
      if (await this.deps.monitors.recover(monitor.id, now, job, Date.parse(now))) return { status: 'UP' };
    }
    throw new ConflictError('CONFLICT', 'The heartbeat monitor changed while it was being pinged; retry');
  }

  private async resolveAlert(monitor: HeartbeatMonitor): Promise<void> {
    if (!this.deps.systemEvents) throw new Unavailable('the api has no event queue to resolve an overdue heartbeat with: set EVENT_QUEUE_URL');
    // The source the ALERT went to, not the monitor's current one (it may have changed since).
    const sourceId = heartbeatAlertSourceId(monitor);
    if (!(await this.deps.sources.get(sourceId))) return;
    await enqueueSystemEvent(this.deps.systemEvents, sourceId, {
      eventType: 'RESOLVE',
      alertKey: heartbeatAlertKey(monitor),
      summary: `Heartbeat ${monitor.name} is up again`,
    });
  }

  /** A monitor may only name an alert source that exists. */
  private async checkSource(settings: HeartbeatSettings): Promise<void> {
    if (await this.deps.sources.get(settings.alertSource.id)) return;
    const message = `names no existing alert source: ${settings.alertSource.id}`;
    throw new ValidationError(`Invalid heartbeat monitor: alertSource.id ${message}`, [{ path: 'alertSource.id', message }]);
  }
}

export interface HeartbeatJobDeps {
  monitors: Pick<HeartbeatMonitorStore, 'get' | 'reschedule' | 'markOverdue'>;
  jobs: Pick<EscalationJobStore, 'delete'>;
  sources: Pick<AlertSourcesPort, 'get'>;
  /** Absent: the tick cannot send the ALERT, and the job fails (retried next minute) with a message saying why. */
  systemEvents?: SystemEventDeps;
  now: () => number;
}

/**
 * A due HEARTBEAT job: a stale one (not the monitor's current check) ends; a monitor pinged since is checked again at
 * its new due time; an overdue one turns OVERDUE first (the conditional write is the claim: of two ticks running the
 * job, or a ping in between, one wins), then sends its ALERT, the same one on every try, and the job ends. A job that
 * lost the race sends nothing and runs again next tick, on a fresh read; one whose ALERT failed finds the monitor
 * OVERDUE by its check and sends it again.
 */
export async function runHeartbeatJob(stored: StoredJob & { job: HeartbeatJob }, deps: HeartbeatJobDeps): Promise<boolean> {
  const nowMs = deps.now();
  const monitor = await deps.monitors.get(stored.job.monitorId);
  const check = checkHeartbeat(monitor, stored.job.dueAt, nowMs);
  if ('stale' in check || !monitor) {
    await deps.jobs.delete(stored.key);
    return true;
  }
  if ('reschedule' in check) {
    if (!(await deps.monitors.reschedule(monitor, stored.key, checkJob(monitor.id, check.reschedule), nowMs))) await deps.jobs.delete(stored.key);
    return true;
  }
  const events = deps.systemEvents;
  if (!events) throw new Error('the escalator has no event queue to open a heartbeat alert with: set EVENT_QUEUE_URL');
  if ('overdue' in check && !(await deps.monitors.markOverdue(monitor, monitor.alertSource.id))) return false;
  await sendAlert({ ...monitor, overdue: monitor.overdue ?? { check: stored.job.dueAt, alertSourceId: monitor.alertSource.id } }, events, deps);
  await deps.jobs.delete(stored.key);
  return true;
}

/** The ALERT of an OVERDUE monitor's check, on the source it was marked on (none when that source is gone or inactive). */
async function sendAlert(monitor: HeartbeatMonitor & { overdue: { check: string; alertSourceId: string } }, events: SystemEventDeps, deps: HeartbeatJobDeps) {
  const source = await deps.sources.get(monitor.overdue.alertSourceId);
  if (!source?.active) return;
  const event = {
    eventType: 'ALERT' as const,
    alertKey: heartbeatAlertKey(monitor),
    summary: heartbeatSummary(monitor),
    details: heartbeatDetails(monitor),
    customDetails: { heartbeatMonitorId: monitor.id, intervalSec: monitor.intervalSec, graceSec: monitor.graceSec, lastPingAt: monitor.lastPingAt ?? null },
  };
  const once = { seed: heartbeatAlertSeed(monitor.id, monitor.overdue.check), atMs: Date.parse(monitor.overdue.check) };
  await enqueueSystemEventOnce(events, source.id, event, once);
}
