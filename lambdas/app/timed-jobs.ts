// The tick's time-driven jobs besides escalation (SPEC 11): a heartbeat monitor's check and an alert's auto-resolution.
import type { StoredJob } from '../store/escalation-jobs';
import { runAutoResolveJob, type AutoResolveDeps } from './auto-resolution';
import { runHeartbeatJob, type HeartbeatJobDeps } from './heartbeats';

export type TimedJobDeps = HeartbeatJobDeps & AutoResolveDeps;

/** The runner the escalation engine hands HEARTBEAT and AUTO_RESOLVE jobs to (EscalationDeps.timed). */
export const timedJobRunner =
  (deps: TimedJobDeps) =>
  (stored: StoredJob): Promise<boolean> => {
    const job = stored.job;
    if (job.kind === 'HEARTBEAT') return runHeartbeatJob({ ...stored, job }, deps);
    if (job.kind === 'AUTO_RESOLVE') return runAutoResolveJob({ ...stored, job }, deps);
    return Promise.resolve(false);
  };
