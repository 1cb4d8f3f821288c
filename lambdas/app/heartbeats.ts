// Use cases of heartbeat monitors: management (CRUD), the ping, and the tick's HEARTBEAT job (overdue opens an alert, a ping resolves it).
import type { EscalationJob } from '../domain/escalation';
import {
  checkHeartbeat,
  heartbeatAlertKey,
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
import { enqueueSystemEvent, type SystemEventDeps } from './system-events';

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

  async delete(id: string): Promise<void> {
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
    if (!(await this.deps.sources.get(monitor.alertSource.id))) return;
    await enqueueSystemEvent(this.deps.systemEvents, monitor.alertSource.id, {
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
 * its new due time; an overdue one sends its ALERT, then turns OVERDUE and plans nothing until a ping. When a ping came
 * between the read and that write, the ALERT is taken back with a RESOLVE and the job runs again next tick.
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
  const source = await deps.sources.get(monitor.alertSource.id);
  const send = (eventType: 'ALERT' | 'RESOLVE') =>
    source?.active
      ? enqueueSystemEvent(events, source.id, {
          eventType,
          alertKey: heartbeatAlertKey(monitor),
          summary: eventType === 'ALERT' ? heartbeatSummary(monitor) : `Heartbeat ${monitor.name} is up again`,
          details: eventType === 'ALERT' ? heartbeatDetails(monitor) : undefined,
          customDetails: {
            heartbeatMonitorId: monitor.id,
            intervalSec: monitor.intervalSec,
            graceSec: monitor.graceSec,
            lastPingAt: monitor.lastPingAt ?? null,
          },
        })
      : undefined;
  await send('ALERT');
  if (await deps.monitors.markOverdue(monitor, stored.key)) return true;
  await send('RESOLVE');
  return false;
}
