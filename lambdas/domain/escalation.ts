// The escalation engine's rules, pure: which level follows which and when, who a level notifies, and the engine's names.
import { createHash } from 'node:crypto';
import type { EscalationPolicy } from './escalation-policy';
import type { Priority } from './event';
import type { Contact, ContactType, User } from './user';

/** A level of one round of one routing (epoch) of an alert, due at a time. Level is 1-based, round and epoch 0-based. */
export interface EscalationStep {
  epoch: number;
  round: number;
  level: number;
  dueAt: string;
}

export type NoticeReason = 'ACCEPTED' | 'RESOLVED';

/** A LEVEL job's step name: also what the alert records once that level is claimed. */
export const levelStep = (s: { epoch: number; round: number; level: number }): string => `E${s.epoch}R${s.round}L${s.level}`;

export const noticeStep = (reason: NoticeReason): string => `N${reason}`;

/** The minute partition a job is written to: of its due time, or of now when it is already due (the cursor may have passed it). */
export function jobMinute(dueAt: string, nowMs: number): string {
  return new Date(Math.max(Date.parse(dueAt), nowMs)).toISOString().slice(0, 16);
}

/** The minute `minutes` after a minute partition's name (negative: before). */
export function addMinutes(minute: string, minutes: number): string {
  return new Date(Date.parse(`${minute}:00.000Z`) + minutes * 60_000).toISOString().slice(0, 16);
}

const plusMinutes = (at: string, minutes: number): string => new Date(Date.parse(at) + minutes * 60_000).toISOString();

/** The first level of a routing: due at once, the alert's creation or its reroute. */
export const firstStep = (epoch: number, dueAt: string): EscalationStep => ({ epoch, round: 0, level: 1, dueAt });

/**
 * The level that follows `step`, when it is due, or undefined when nothing follows. LOW never escalates. HIGH goes to
 * the next rule `escalationTimeout` minutes after this level was due; after the last rule a repeating policy starts
 * round+1 at level 1 after the last rule's timeout, while round < frequency (so `frequency` more rounds at most).
 */
export function nextStep(policy: EscalationPolicy, priority: Priority, step: EscalationStep): EscalationStep | undefined {
  if (priority !== 'HIGH') return undefined;
  const rule = policy.escalationRules[step.level - 1];
  if (!rule) return undefined;
  const dueAt = plusMinutes(step.dueAt, rule.escalationTimeout);
  if (step.level < policy.escalationRules.length) return { ...step, level: step.level + 1, dueAt };
  if (policy.repeating && step.round < policy.frequency) return { ...step, round: step.round + 1, level: 1, dueAt };
  return undefined;
}

/** The user ids a level notifies (rule n's users, in order, each once). */
export function levelUserIds(policy: EscalationPolicy, level: number): string[] {
  const users = policy.escalationRules[level - 1]?.users ?? [];
  return [...new Set(users.map((u) => u.id))];
}

/** Whether the contact is used for alerts of this priority. */
const servesPriority = (contact: Contact, priority: Priority): boolean => contact.priorities.includes(priority);

export interface Recipient {
  userId: string;
  contactIndex: number;
  contact: Contact;
}

/** Every contact of the users, in order, that is used for the alert's priority. */
export function recipients(users: User[], priority: Priority): Recipient[] {
  return users.flatMap((user) =>
    user.contacts.flatMap((contact, contactIndex) => (servesPriority(contact, priority) ? [{ userId: user.id, contactIndex, contact }] : [])),
  );
}

/** Contacts that get ACCEPTED / RESOLVED notices; an email per acknowledgement would be noise. */
export const NOTICE_CONTACT_TYPES: readonly ContactType[] = ['WEBHOOK', 'SLACK'];

/**
 * A notification's id, the same whenever the same step is expanded for the same contact, so that a second expansion
 * (a retried job, a redone claim) finds the first one's records instead of sending again. 26 hex characters.
 */
export function notificationId(parts: { alertId: string; epoch: number; round: number; what: number | string; userId: string; contactIndex: number }): string {
  const text = [parts.alertId, parts.epoch, parts.round, parts.what, parts.userId, parts.contactIndex].join('|');
  return createHash('sha256').update(text).digest('hex').slice(0, 26);
}

/** What a notification shows of its target: an address whole, a URL only by scheme and host (its path may be a secret). */
export function displayTarget(contact: Contact): string {
  if (contact.type === 'EMAIL') return contact.target;
  try {
    const url = new URL(contact.target);
    return `${url.protocol}//${url.host}`;
  } catch {
    return '';
  }
}

/** The ESCALATED log line: who a level went to, by name. */
export function escalatedText(level: number, users: Array<Pick<User, 'firstName' | 'lastName'>>): string {
  const names = users.map((u) => `${u.firstName} ${u.lastName}`.trim()).join(', ');
  return `Escalated to level ${level}: ${names || 'nobody (the rule names no existing user)'}`;
}

/**
 * A job of the engine: notify a level (LEVEL), or tell those notified that the alert was accepted or resolved (NOTICE).
 * `after`: the step the alert must show before a LEVEL job may run (absent for level 1 of a routing).
 * The tick also runs the other time-driven checks of SPEC 11: a heartbeat monitor's next check (HEARTBEAT) and an
 * alert's auto-resolution (AUTO_RESOLVE); only the tick runs those, when they are due.
 */
export type EscalationJob =
  | { kind: 'LEVEL'; alertId: string; epoch: number; round: number; level: number; dueAt: string; after?: string }
  | { kind: 'NOTICE'; alertId: string; reason: NoticeReason; dueAt: string }
  | { kind: 'HEARTBEAT'; monitorId: string; dueAt: string }
  | { kind: 'AUTO_RESOLVE'; alertId: string; dueAt: string };

export type TimedJob = Extract<EscalationJob, { kind: 'HEARTBEAT' | 'AUTO_RESOLVE' }>;
export const isTimedJob = (job: EscalationJob): job is TimedJob => job.kind === 'HEARTBEAT' || job.kind === 'AUTO_RESOLVE';

export const jobStep = (job: EscalationJob): string => (job.kind === 'LEVEL' ? levelStep(job) : job.kind === 'NOTICE' ? noticeStep(job.reason) : job.kind);

/** What a job is about: the alert, or the heartbeat monitor. */
export const jobSubject = (job: EscalationJob): string => (job.kind === 'HEARTBEAT' ? job.monitorId : job.alertId);

/** The LEVEL job of a step; `after` is the step claimed before it, if any. */
export const levelJob = (alertId: string, step: EscalationStep, after?: string): EscalationJob => ({ kind: 'LEVEL', alertId, ...step, after });

/** The first level of a routing, the round and level of a later one: which alert status the claim requires. */
export const isFirstOfRouting = (step: { round: number; level: number }): boolean => step.round === 0 && step.level === 1;
