// Delivering one notification: read it, find the user's contact, send it, and record the attempt on the notification and the alert's log.
import type { Alert, LogEntryType } from '../domain/alert';
import { signActionToken } from '../domain/action-token';
import { displayName, type Contact, type ContactType, type User } from '../domain/user';
import type { NotificationView } from '../notify/messages';
import type { Senders } from '../notify/senders';
import type { AlertsPort, NotificationQueuePort, NotificationRecord, NotificationsPort, UsersPort } from './ports';

export interface DeliverDeps {
  notifications: NotificationsPort;
  alerts: Pick<AlertsPort, 'get' | 'addLogEntry'>;
  users: Pick<UsersPort, 'get'>;
  senders: Senders;
  queue: Pick<NotificationQueuePort, 'deliver'>;
  /** Milliseconds since the epoch: the engine's clock, injected. */
  now: () => number;
  /** The base of the alert and action links, without a trailing slash. */
  publicUrl: string;
  /** Signs the action links. */
  actionSecret: string;
}

export interface NotificationRef {
  alertId: string;
  sk: string;
}

/** Attempts of one notification, the first included: a retryable failure on the last one fails it. */
export const MAX_ATTEMPTS = 5;

const CHANNEL_WORDS: Record<ContactType, string> = { EMAIL: 'email', WEBHOOK: 'webhook', SLACK: 'Slack' };

/** Seconds before the next attempt after `attempts` attempts: 2, 4, 8, 16. */
export const retryDelaySeconds = (attempts: number): number => 2 ** attempts;

type Outcome = { status: 'SENT' } | { status: 'PENDING' | 'FAILED'; error: string };

/** The status this call recorded (PENDING: an attempt failed and another is scheduled), or none when it recorded nothing. */
export type DeliveryResult = Outcome['status'] | undefined;

/**
 * Sends the notification once and records what happened. A notification already SENT or FAILED is left alone (a
 * repeated message); when another deliverer recorded an attempt meanwhile, this one's result is dropped, so the record
 * and the log count each attempt once. A retryable failure schedules the next attempt as a delayed message. Answers
 * what it recorded, so that the caller counts each notification that ended FAILED once.
 */
export async function deliverNotification(ref: NotificationRef, deps: DeliverDeps): Promise<DeliveryResult> {
  const record = await deps.notifications.get(ref.alertId, ref.sk);
  if (!record || record.status !== 'PENDING') return undefined;
  const { alert, user, outcome } = await sendOnce(deps, record);
  const attempts = record.attempts + 1;
  const at = new Date(deps.now()).toISOString();
  const change = outcome.status === 'SENT' ? { status: 'SENT' as const, attempts, sentAt: at } : { status: outcome.status, attempts, lastError: outcome.error };
  if (!(await deps.notifications.recordAttempt(record, change))) return undefined;
  if (alert) await log(deps, record, attempts, at, logLine(record, user, outcome, attempts));
  if (outcome.status === 'PENDING') await deps.queue.deliver({ alertId: ref.alertId, sk: ref.sk, attempt: attempts }, retryDelaySeconds(attempts));
  return outcome.status;
}

/** One attempt: the alert and the user as they are now, and what became of the send (FAILED at once when one is gone). */
async function sendOnce(deps: DeliverDeps, record: NotificationRecord): Promise<{ alert?: Alert; user?: User; outcome: Outcome }> {
  const alert = await deps.alerts.get(record.alertId);
  if (!alert) return { outcome: { status: 'FAILED', error: 'the alert no longer exists' } };
  const user = await deps.users.get(record.userId);
  if (!user) return { alert, outcome: { status: 'FAILED', error: 'the user was removed' } };
  const contact = contactOf(user, record);
  if (!contact) return { alert, user, outcome: { status: 'FAILED', error: 'the contact was removed' } };
  return { alert, user, outcome: await attempt(deps, record, alert, user, contact) };
}

/** The user's contact the notification was made for: the same place in the list and the same type, else it was removed. */
function contactOf(user: User, record: NotificationRecord): Contact | undefined {
  const contact = user.contacts[record.contactIndex];
  return contact?.type === record.contactType ? contact : undefined;
}

async function attempt(deps: DeliverDeps, record: NotificationRecord, alert: Alert, user: User, contact: Contact): Promise<Outcome> {
  const result = await deps.senders.send(contact, notificationView(deps, record, alert, user));
  if (result.ok) return { status: 'SENT' };
  const retry = result.retryable && record.attempts + 1 < MAX_ATTEMPTS;
  return { status: retry ? 'PENDING' : 'FAILED', error: result.error };
}

/** What the senders render: the alert, who it is for, and that user's own action links on this channel. */
export function notificationView(
  deps: Pick<DeliverDeps, 'now' | 'publicUrl' | 'actionSecret'>,
  record: NotificationRecord,
  alert: Alert,
  user: User,
): NotificationView {
  const link = (action: 'accept' | 'resolve') => {
    const token = signActionToken(deps.actionSecret, { alertId: alert.id, action, userId: user.id, channel: record.contactType }, deps.now());
    return `${deps.publicUrl}/api/actions/${token}`;
  };
  const { id, alertSourceId, alertKey, summary, details, status, priority, createdAt, images, links, customDetails } = alert;
  return {
    id: record.id,
    reason: record.reason,
    level: record.level,
    alert: { id, alertSourceId, alertKey, summary, details, status, priority, createdAt, images, links, customDetails },
    alertUrl: `${deps.publicUrl}/alerts/${alert.id}`,
    user: { id: user.id, firstName: user.firstName, lastName: user.lastName },
    actions: { accept: link('accept'), resolve: link('resolve') },
  };
}

/** "Notified Uma Oncall by webhook (level 1)", or why not. */
function logLine(record: NotificationRecord, user: User | undefined, outcome: Outcome, attempts: number): { type: LogEntryType; text: string } {
  const who = user ? displayName(user) : `user ${record.userId}`;
  const what = `${who} by ${CHANNEL_WORDS[record.contactType]} (${record.reason === 'ESCALATION' ? `level ${record.level}` : `${record.reason.toLowerCase()} notice`})`;
  if (outcome.status === 'SENT') return { type: 'NOTIFICATION_SENT', text: `Notified ${what}` };
  const next = outcome.status === 'PENDING' ? `; retrying in ${retryDelaySeconds(attempts)} s` : '';
  return { type: 'NOTIFICATION_FAILED', text: `Could not notify ${what}, attempt ${attempts} of ${MAX_ATTEMPTS}: ${outcome.error}${next}` };
}

/** The entry's id is the notification's and the attempt's, so that writing it again after a crash writes the same entry. */
function log(deps: DeliverDeps, record: NotificationRecord, attempts: number, at: string, line: { type: LogEntryType; text: string }) {
  return deps.alerts.addLogEntry({ id: `${record.id}-a${attempts}`, alertId: record.alertId, createdAt: at, ...line });
}
