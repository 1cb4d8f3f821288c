// The escalation engine's use case: run one job (claim a level and expand it into notifications, or send notices) and
// the escalator's tick (find the due jobs by minute partition from the cursor). Every time comes from `now()`.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { Alert } from '../domain/alert';
import {
  addMinutes,
  displayTarget,
  escalatedText,
  isFirstOfRouting,
  isTimedJob,
  levelJob,
  levelStep,
  levelUserIds,
  nextStep,
  NOTICE_CONTACT_TYPES,
  notificationId,
  recipients,
  type EscalationJob,
} from '../domain/escalation';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { User } from '../domain/user';
import type { EscalationJobStore, StoredJob } from '../store/escalation-jobs';
import { notificationKeys, type Key } from '../store/keys';
import type { AlertsPort, EscalationPoliciesPort, NotificationQueuePort, NotificationRecord, NotificationsPort, UsersPort } from './ports';

export interface EscalationDeps {
  jobs: Pick<EscalationJobStore, 'get' | 'delete' | 'inMinute' | 'cursor' | 'moveCursor' | 'escalationState' | 'claimLevel' | 'postpone'>;
  alerts: Pick<AlertsPort, 'get'>;
  policies: Pick<EscalationPoliciesPort, 'get'>;
  users: Pick<UsersPort, 'get'>;
  notifications: Pick<NotificationsPort, 'putIfAbsent' | 'listForAlert'>;
  queue: Pick<NotificationQueuePort, 'deliver'>;
  /** Milliseconds since the epoch. */
  now: () => number;
  newId: () => string;
  logger?: Pick<Logger, 'error'>;
  /** Runs a due HEARTBEAT or AUTO_RESOLVE job (app/timed-jobs.ts); true when it is finished, as runJob. */
  timed?: (stored: StoredJob) => Promise<boolean>;
}

/** How long a claimer has between its claim and deleting the job before another may redo the expansion. */
export const CLAIM_LEASE_MS = 30_000;

/** Minute partitions one tick reads at most: three hours of backlog. */
export const MAX_MINUTES_PER_TICK = 180;

/** A tick keeps the cursor two minutes behind now, so that a job written late into a just-passed minute is still found. */
const CURSOR_LAG_MINUTES = 2;

const minuteOf = (ms: number): string => new Date(ms).toISOString().slice(0, 16);

/** Runs the job at `key`; true when it is finished (done and deleted, or gone), false when it stays for a later try. */
export async function runJob(key: Key, deps: EscalationDeps): Promise<boolean> {
  const stored = await deps.jobs.get(key);
  if (!stored) return true;
  if (stored.job.kind === 'NOTICE') return runNotice(stored, stored.job, deps);
  // A HEARTBEAT or AUTO_RESOLVE job runs only when due and where its runner is given (the tick): it stays otherwise.
  if (isTimedJob(stored.job)) return Date.parse(stored.job.dueAt) <= deps.now() && deps.timed ? deps.timed(stored) : false;
  return runLevel(stored as LevelJob, deps);
}

type LevelJob = StoredJob & { job: Extract<EscalationJob, { kind: 'LEVEL' }> };

async function usersOf(policy: EscalationPolicy, level: number, deps: EscalationDeps): Promise<User[]> {
  const users = await Promise.all(levelUserIds(policy, level).map((id) => deps.users.get(id)));
  return users.filter((u): u is User => u !== undefined);
}

/**
 * Claims the level and expands it. The first level of a routing that plans a next level requires PENDING; when an
 * accept came between the read and the claim, the level is decided once more on a fresh read (it still notifies,
 * without a next level), as an alert accepted before its first level went out still tells that level's users.
 */
async function runLevel(stored: LevelJob, deps: EscalationDeps, decideAgain = true): Promise<boolean> {
  const job = stored.job;
  const alert = await deps.alerts.get(job.alertId);
  const policy = alert?.escalationPolicy && (await deps.policies.get(alert.escalationPolicy.id));
  if (!alert || !policy) return finish(stored, deps);
  const users = await usersOf(policy, job.level, deps);
  if (!stored.claimedAt) {
    const nowMs = deps.now();
    const next = alert.status === 'PENDING' ? nextStep(policy, alert.priority, job) : undefined;
    const claimed = await deps.jobs.claimLevel({
      stored,
      next: next && levelJob(alert.id, next, levelStep(job)),
      log: { id: deps.newId(), alertId: alert.id, type: 'ESCALATED', text: escalatedText(job.level, users), createdAt: new Date(nowMs).toISOString() },
      nowMs,
    });
    if (claimed) return expandAndFinish(stored, alert, users, deps);
    if (decideAgain && next && isFirstOfRouting(job)) {
      const fresh = await deps.jobs.get(stored.key);
      return fresh ? runLevel(fresh as LevelJob, deps, false) : true;
    }
  }
  return afterFailedClaim(stored, alert, users, deps);
}

/**
 * The claim did not hold. Only a claim writes claimedAt on the job, so a job that has one was claimed: its level went
 * out, or its claimer died between the claim and the sends. While the claimer's lease runs it may still finish, so the
 * job stays; after that the expansion is redone (it is idempotent), whatever the alert did since (a later level, a
 * reroute), as the level fell due before, unless the alert is resolved. A job without claimedAt lost to the alert's
 * state (accepted, resolved, rerouted, a later step): it is dropped, nothing sent.
 */
async function afterFailedClaim(stored: LevelJob, alert: Alert, users: User[], deps: EscalationDeps): Promise<boolean> {
  const fresh = await deps.jobs.get(stored.key);
  if (!fresh) return true;
  if (!fresh.claimedAt) return finish(stored, deps);
  if (deps.now() - Date.parse(fresh.claimedAt) < CLAIM_LEASE_MS) return false;
  if (alert.status === 'RESOLVED') return finish(stored, deps);
  return expandAndFinish(stored, alert, users, deps);
}

/** One notification per contact of the level's users that serves the alert's priority, each sent through the queue. */
async function expandAndFinish(stored: LevelJob, alert: Alert, users: User[], deps: EscalationDeps): Promise<boolean> {
  const job = stored.job;
  const createdAt = new Date(deps.now()).toISOString();
  for (const r of recipients(users, alert.priority)) {
    const id = notificationId({ alertId: alert.id, epoch: job.epoch, round: job.round, what: job.level, userId: r.userId, contactIndex: r.contactIndex });
    await notify(record(alert.id, job.dueAt, id, r, { reason: 'ESCALATION', level: job.level, createdAt }), deps);
  }
  return finish(stored, deps);
}

function record(
  alertId: string,
  dueAt: string,
  id: string,
  r: { userId: string; contactIndex: number; contact: { type: NotificationRecord['contactType']; target: string } },
  what: Pick<NotificationRecord, 'reason' | 'level' | 'createdAt'>,
): NotificationRecord {
  return {
    id,
    alertId,
    sk: notificationKeys.item(alertId, dueAt, id).sk,
    userId: r.userId,
    contactIndex: r.contactIndex,
    contactType: r.contact.type,
    target: displayTarget({ ...r.contact, priorities: [] }),
    ...what,
    status: 'PENDING',
    attempts: 0,
  };
}

/** Written if absent, then always sent: a redo must send what a dead claimer wrote but never sent (the notifier skips SENT). */
async function notify(n: NotificationRecord, deps: EscalationDeps): Promise<void> {
  await deps.notifications.putIfAbsent(n);
  await deps.queue.deliver({ alertId: n.alertId, sk: n.sk });
}

async function finish(stored: StoredJob, deps: EscalationDeps): Promise<boolean> {
  await deps.jobs.delete(stored.key);
  return true;
}

/**
 * ACCEPTED / RESOLVED notices: one per WEBHOOK or SLACK contact already sent (or being sent) an escalation of the
 * alert. Email is left out: a mail per acknowledgement would be noise.
 */
async function runNotice(stored: StoredJob, job: Extract<EscalationJob, { kind: 'NOTICE' }>, deps: EscalationDeps): Promise<boolean> {
  const [alert, existing] = await Promise.all([deps.alerts.get(job.alertId), deps.notifications.listForAlert(job.alertId)]);
  const notified = new Map<string, NotificationRecord>();
  for (const n of existing) {
    const eligible = n.reason === 'ESCALATION' && n.status !== 'FAILED' && NOTICE_CONTACT_TYPES.includes(n.contactType);
    if (eligible) notified.set(`${n.userId}\u0000${n.contactIndex}`, n);
  }
  const createdAt = new Date(deps.now()).toISOString();
  for (const n of notified.values()) {
    const id = notificationId({ alertId: job.alertId, epoch: 0, round: 0, what: job.reason, userId: n.userId, contactIndex: n.contactIndex });
    const contact = { type: n.contactType, target: n.target };
    const notice = record(
      job.alertId,
      job.dueAt,
      id,
      { userId: n.userId, contactIndex: n.contactIndex, contact },
      {
        reason: job.reason,
        level: alert?.escalationLevel ?? n.level,
        createdAt,
      },
    );
    await notify({ ...notice, target: n.target }, deps);
  }
  return finish(stored, deps);
}

/** A job that failed this many ticks in a row is given up (logged as an error), so that it cannot hold the others back. */
export const MAX_JOB_FAILURES = 10;

/** The longest a failing HEARTBEAT or AUTO_RESOLVE job waits between tries: it is never given up (a lost check is lost for good). */
export const MAX_TIMED_RETRY_MS = 3600_000;

/** The pause after a timed job's `failures`-th failure in a row: a minute, doubled each time, at most MAX_TIMED_RETRY_MS. */
export const timedRetryDelayMs = (failures: number): number => Math.min(60_000 * 2 ** Math.min(failures - 1, 30), MAX_TIMED_RETRY_MS);

/**
 * A job that failed moves to a later minute's partition (true: it no longer holds this one, so the cursor passes it
 * and the jobs after it keep running): the next minute, or for a timed job the capped back-off. An escalation job is
 * deleted after MAX_JOB_FAILURES; a timed job never is. False when even that failed (the store is down): the job stays
 * where it is for the next tick.
 */
async function setAside(stored: StoredJob, error: unknown, deps: EscalationDeps): Promise<boolean> {
  const failures = (stored.failures ?? 0) + 1;
  const timed = isTimedJob(stored.job);
  try {
    if (!timed && failures >= MAX_JOB_FAILURES) {
      deps.logger?.error('escalation job failed too often; given up', { job: stored.key, failures, error: error as Error });
      await deps.jobs.delete(stored.key);
    } else {
      const delayMs = timed ? timedRetryDelayMs(failures) : 60_000;
      deps.logger?.error('escalation job failed; retried later', { job: stored.key, failures, delayMs, error: error as Error });
      await deps.jobs.postpone(stored.key, deps.now() + delayMs, failures);
    }
    return true;
  } catch {
    return false;
  }
}

/**
 * One tick of the escalator: reads the minute partitions from the cursor up to now's (at most MAX_MINUTES_PER_TICK),
 * runs every job due by now, each on its own (one failing job does not stop the others), and moves the cursor forward
 * to the first partition that still holds a job, or to two minutes before now.
 */
export async function tick(deps: EscalationDeps): Promise<{ ran: number; failed: number }> {
  const nowMs = deps.now();
  const nowMinute = minuteOf(nowMs);
  const nowIso = new Date(nowMs).toISOString();
  const start = (await deps.jobs.cursor()) ?? addMinutes(nowMinute, -(MAX_MINUTES_PER_TICK - 1));
  let firstHolding: string | undefined;
  let minute = start;
  let ran = 0;
  let failed = 0;
  for (let read = 0; minute <= nowMinute && read < MAX_MINUTES_PER_TICK; read++, minute = addMinutes(minute, 1)) {
    const jobs = await deps.jobs.inMinute(minute);
    const outcomes = await Promise.all(
      jobs.map(async (stored) => {
        if (stored.job.dueAt > nowIso) return false;
        ran++;
        try {
          return await runJob(stored.key, deps);
        } catch (error) {
          failed++;
          return setAside(stored, error, deps);
        }
      }),
    );
    if (firstHolding === undefined && outcomes.some((finished) => !finished)) firstHolding = minute;
  }
  const lagging = addMinutes(nowMinute, -CURSOR_LAG_MINUTES);
  const target = [firstHolding ?? minute, lagging].sort()[0];
  if (target > start) await deps.jobs.moveCursor(target);
  return { ran, failed };
}
