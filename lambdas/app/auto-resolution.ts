// The tick's AUTO_RESOLVE job: an open alert of a source with autoResolutionTimeout that no event touched for that long is resolved.
import { isOpen } from '../domain/alert';
import { autoResolveAt, autoResolvedText } from '../domain/auto-resolution';
import type { EscalationJob } from '../domain/escalation';
import type { EscalationJobStore, StoredJob } from '../store/escalation-jobs';
import type { Alerts } from './alerts';
import type { AlertSource } from '../domain/alert-source';
import type { AlertSourcesPort, AlertsPort } from './ports';

type AutoResolveJob = Extract<EscalationJob, { kind: 'AUTO_RESOLVE' }>;

export interface AutoResolveDeps {
  alerts: Pick<AlertsPort, 'get'>;
  sources: Pick<AlertSourcesPort, 'get'>;
  /** The operator's resolve (the same transition, log entry, lock release and RESOLVED notices). */
  resolver: Pick<Alerts, 'act'>;
  jobs: Pick<EscalationJobStore, 'delete' | 'replace'>;
  now: () => number;
}

/** The AUTO_RESOLVE job of a new alert of a source with a timeout: due that long after the alert's creation. */
export const autoResolveJob = (alert: { id: string; createdAt: string }, timeout: string): AutoResolveJob => ({
  kind: 'AUTO_RESOLVE',
  alertId: alert.id,
  dueAt: autoResolveAt(alert.createdAt, timeout),
});

/** What planning the jobs of a source's open alerts needs: the alerts by source (paged), and the job store. */
export interface AutoResolvePlanDeps {
  alerts: Pick<AlertsPort, 'list'>;
  jobs: Pick<EscalationJobStore, 'plan'>;
  now: () => number;
}

/** Open alerts read (and jobs written) per page when a source's timeout is set. */
const PLAN_PAGE = 100;

/**
 * A source's autoResolutionTimeout was set or changed: each of its open alerts (also those opened before the setting)
 * gets an AUTO_RESOLVE job at its due time under the new timeout, page by page (the source's alerts index). A job the
 * alert already had stays: the first to run moves it or resolves the alert, the other then finds that and ends.
 */
export async function planAutoResolution(deps: AutoResolvePlanDeps, source: Pick<AlertSource, 'id' | 'autoResolutionTimeout'>): Promise<number> {
  const timeout = source.autoResolutionTimeout;
  if (!timeout) return 0;
  let planned = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.alerts.list({ alertSourceId: source.id, statuses: ['PENDING', 'ACCEPTED'], limit: PLAN_PAGE, cursor });
    const jobs = page.items.filter((a) => isOpen(a.status)).map((a) => ({ ...autoResolveJob(a, timeout), dueAt: autoResolveAt(a.updatedAt, timeout) }));
    await deps.jobs.plan(jobs, deps.now());
    planned += jobs.length;
    cursor = page.nextCursor;
  } while (cursor);
  return planned;
}

/**
 * A due AUTO_RESOLVE job. The alert's updatedAt is when an event (or an operator) last changed it; the source's
 * timeout is read now, so that a changed setting counts and a removed one ends the job. An alert changed since the job
 * was planned is checked again at its new time; one idle for the whole timeout is resolved.
 */
export async function runAutoResolveJob(stored: StoredJob & { job: AutoResolveJob }, deps: AutoResolveDeps): Promise<boolean> {
  const alert = await deps.alerts.get(stored.job.alertId);
  const timeout = alert && isOpen(alert.status) ? (await deps.sources.get(alert.alertSourceId))?.autoResolutionTimeout : undefined;
  if (!alert || !timeout) {
    await deps.jobs.delete(stored.key);
    return true;
  }
  const nowMs = deps.now();
  const dueAt = autoResolveAt(alert.updatedAt, timeout);
  if (Date.parse(dueAt) > nowMs) {
    await deps.jobs.replace(stored.key, { ...stored.job, dueAt }, nowMs);
    return true;
  }
  // Only the alert as read: an event applied since (it changed updatedAt) postpones the resolution instead.
  const after = await deps.resolver.act(alert.id, 'resolve', autoResolvedText(timeout), alert.updatedAt);
  if (isOpen(after.status)) {
    await deps.jobs.replace(stored.key, { ...stored.job, dueAt: autoResolveAt(after.updatedAt, timeout) }, nowMs);
    return true;
  }
  await deps.jobs.delete(stored.key);
  return true;
}
