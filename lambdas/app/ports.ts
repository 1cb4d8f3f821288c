// What the API's use cases need from the stores and the host, as the narrow interfaces they call: the DynamoDB stores
// implement them, unit tests hand in fakes. A conditional write's result is `unknown`: see conditionalWrite in ./errors.
import type { Alert, AlertStatus, LogEntry, LogEntryType } from '../domain/alert';
import type { AlertSource } from '../domain/alert-source';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { ContactType, User } from '../domain/user';
import type { EventRecord, WithdrawnEvent } from '../store/events';
import type { Key } from '../store/keys';

export interface Page<T> {
  items: T[];
  nextCursor?: string;
}

export interface PageRequest {
  limit: number;
  cursor?: string;
}

export interface AlertFilter extends PageRequest {
  statuses?: AlertStatus[];
  alertSourceId?: string;
  alertKey?: string;
}

export interface AlertSourcesPort {
  list(): Promise<AlertSource[]>;
  get(id: string): Promise<AlertSource | undefined>;
  create(source: AlertSource): Promise<unknown>;
  replace(source: AlertSource): Promise<unknown>;
  delete(id: string): Promise<unknown>;
}

export interface EscalationPoliciesPort {
  list(): Promise<EscalationPolicy[]>;
  get(id: string): Promise<EscalationPolicy | undefined>;
  create(policy: EscalationPolicy): Promise<unknown>;
  /** Conditioned on the policy being as `previous` was read. */
  replace(policy: EscalationPolicy, previous: EscalationPolicy): Promise<unknown>;
  /** Conditioned on the policy being as it was read. */
  delete(policy: EscalationPolicy): Promise<unknown>;
}

export interface UsersPort {
  get(id: string): Promise<User | undefined>;
  /** Newest first. */
  list(page: PageRequest): Promise<Page<User>>;
  create(user: User): Promise<unknown>;
  /** Conditioned on the user being as `previous` was read. */
  replace(user: User, previous: User): Promise<unknown>;
  /** Conditioned on the user being as it was read. */
  delete(user: User): Promise<unknown>;
}

export interface AlertsPort {
  get(id: string): Promise<Alert | undefined>;
  list(filter: AlertFilter): Promise<Page<Alert>>;
  logEntries(alertId: string, page: PageRequest): Promise<Page<LogEntry>>;
  /** Conditioned on the alert's status being the one read. `job`: a NOTICE job written with it, to run at once. */
  changeStatus(
    alert: Alert,
    status: 'ACCEPTED' | 'RESOLVED',
    log: { id: string; type: LogEntryType; text: string },
    now: string,
    /** Also conditioned on the alert's updatedAt being this (an auto-resolve of the idle alert it read). */
    unchangedSince?: string,
  ): Promise<{ job?: Key } | void>;
  /** Conditioned on the status and the routing read; Conflict when they changed. `job`: level 1 of the new routing. */
  reroute(
    alert: Alert,
    change: { policyId: string; nextEscalationAt?: string; log: { id: string; type: LogEntryType; text: string }; now: string },
  ): Promise<{ job: Key }>;
  /** An entry of the alert's log written by the engine or the notifier (an item of its own under the alert). */
  addLogEntry(entry: LogEntry): Promise<void>;
}

export type NotificationReason = 'ESCALATION' | 'ACCEPTED' | 'RESOLVED';
export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED';

/** One message to one contact of one user; its full target and secret are read from the user when it is sent. */
export interface NotificationRecord {
  id: string;
  alertId: string;
  /** Its sort key under the alert: `NOTIFICATION#<dueAt of its job>#<id>`. */
  sk: string;
  userId: string;
  contactIndex: number;
  contactType: ContactType;
  /** An email address, or only the scheme and host of a URL. */
  target: string;
  reason: NotificationReason;
  level: number;
  status: NotificationStatus;
  attempts: number;
  lastError?: string;
  createdAt: string;
  sentAt?: string;
}

export interface NotificationsPort {
  /** Writes the record unless one with its key exists; true when it was written. */
  putIfAbsent(n: NotificationRecord): Promise<boolean>;
  get(alertId: string, sk: string): Promise<NotificationRecord | undefined>;
  /** Oldest first. */
  listForAlert(alertId: string): Promise<NotificationRecord[]>;
  /** Conditional on the record still having `attempts` = n.attempts and status PENDING; false when it changed. */
  recordAttempt(n: NotificationRecord, change: { status: NotificationStatus; attempts: number; lastError?: string; sentAt?: string }): Promise<boolean>;
}

export interface NotificationQueuePort {
  /** Message {"kind":"job", pk, sk}: run an escalation job now (the fast path; the tick finds it otherwise). */
  runJob(job: { pk: string; sk: string }): Promise<void>;
  /** Message {"kind":"deliver", alertId, sk, attempt}: send one notification, after `delaySeconds` (0 to 900). */
  deliver(d: { alertId: string; sk: string; attempt?: number }, delaySeconds?: number): Promise<void>;
}

export interface EventsPort {
  get(eventId: string): Promise<EventRecord | WithdrawnEvent | undefined>;
}

/** The clock and the id generators, passed in so that the use cases stay deterministic under test. */
export interface Host {
  now(): string;
  newId(): string;
  newIntegrationKey(): string;
}
