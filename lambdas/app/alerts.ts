// Use cases of alerts and events for the API: reads, paged lists and log entries, and an operator's accept or resolve.
import { operatorTransition, type Alert, type LogEntry, type OperatorAction } from '../domain/alert';
import { firstStep, nextStep } from '../domain/escalation';
import { ulidTime } from '../domain/ulid';
import { isPlainObject } from '../domain/validation';
import type { EventJournal, EventView } from '../store/events';
import { InvalidCursorError } from '../store/cursor';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { Key } from '../store/keys';
import type {
  AlertFilter,
  AlertsPort,
  EscalationPoliciesPort,
  EventsPort,
  Host,
  NotificationQueuePort,
  NotificationRecord,
  NotificationsPort,
  Page,
  PageRequest,
} from './ports';

export interface AlertDeps {
  alerts: AlertsPort;
  events: EventsPort;
  host: Pick<Host, 'now' | 'newId'>;
  /** Reroute reads the new policy. */
  policies?: Pick<EscalationPoliciesPort, 'get'>;
  notifications?: Pick<NotificationsPort, 'listForAlert'>;
  /** Runs the escalation jobs a change wrote at once (absent: the escalator's tick finds them). */
  queue?: Pick<NotificationQueuePort, 'runJob'>;
  /**
   * What an event id with no record is, ingest writing none: the local runtime's journal knows the events not applied
   * yet; in AWS an id is QUEUED if Alertline could have issued it within the event queue's retention (see event()).
   * Absent: an event without a record is 404.
   */
  queuedWithoutRecord?: { retentionSeconds: number } | { journal: Pick<EventJournal, 'queued'> };
}

/** How many times an operator action is decided again on a fresh read before the caller is asked to retry. */
const FRESH_READS = 5;

const ACTION_TEXT = { ACCEPTED: 'Alert accepted through the API', RESOLVED: 'Alert resolved through the API' } as const;

/** A paged read; a cursor the store refuses is the caller's mistake (altered, or from other filters), never a 500. */
async function paged<T>(read: () => Promise<Page<T>>): Promise<Page<T>> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof InvalidCursorError) throw new ValidationError(error.message, [{ path: 'nextCursor', message: error.message }], 'INVALID_CURSOR');
    throw error;
  }
}

/** A conditional write's result, or undefined when its condition failed (the alert changed since it was read). */
async function unlessChanged<T>(write: () => Promise<T>): Promise<{ value: T } | undefined> {
  let value: T | undefined;
  const done = await conditionalWrite(async () => {
    value = await write();
    return value;
  });
  return done ? { value: value as T } : undefined;
}

const invalidPolicy = (message: string) =>
  new ValidationError(`Invalid assignment: escalationPolicy.id ${message}`, [{ path: 'escalationPolicy.id', message }]);

/** The body of a reroute: {"escalationPolicy": {"id": "..."}}. */
function policyIdOf(body: unknown): string {
  const policy = isPlainObject(body) ? body.escalationPolicy : undefined;
  const id = isPlainObject(policy) ? policy.id : undefined;
  if (typeof id !== 'string' || id.trim() === '') throw invalidPolicy('is required: a non-empty string');
  return id;
}

/** An event still in the queue as its id tells: issued at a past time within the queue's retention. */
function queuedByItsId(eventId: string, nowMs: number, retentionSeconds: number): EventView | undefined {
  const issuedAt = ulidTime(eventId);
  if (issuedAt === undefined || issuedAt > nowMs || nowMs - issuedAt > retentionSeconds * 1000) return undefined;
  return { eventId, receivedAt: new Date(issuedAt).toISOString(), outcome: 'QUEUED' };
}

export class Alerts {
  constructor(private readonly deps: AlertDeps) {}

  async get(id: string): Promise<Alert> {
    const alert = await this.deps.alerts.get(id);
    if (!alert) throw new NotFoundError('Alert');
    return alert;
  }

  list(filter: AlertFilter): Promise<Page<Alert>> {
    return paged(() => this.deps.alerts.list(filter));
  }

  async logEntries(alertId: string, page: PageRequest): Promise<Page<LogEntry>> {
    await this.get(alertId);
    return paged(() => this.deps.alerts.logEntries(alertId, page));
  }

  /**
   * What became of an event: its record; 404 when it was withdrawn (refused with a 503) or is unknown. An event has no
   * record until the processor applies it: the local runtime's journal answers for those it holds; in AWS an id shaped
   * as Alertline's event ids (a ULID) whose time is past and within the queue's retention is answered QUEUED, with
   * receivedAt from the id (an id nobody was given looks the same: the answer cannot tell them apart); an older one is
   * 404, its message gone from the queue.
   */
  async event(eventId: string): Promise<EventView> {
    // The journal is asked before the record is read: an event it lets go of meanwhile has its record by then.
    const queued = this.queuedWithoutRecord(eventId);
    const event = await this.deps.events.get(eventId);
    if (event?.outcome === 'WITHDRAWN') throw new NotFoundError('Event');
    if (event) return event;
    if (!queued) throw new NotFoundError('Event');
    return queued;
  }

  private queuedWithoutRecord(eventId: string): EventView | undefined {
    const known = this.deps.queuedWithoutRecord;
    if (!known) return undefined;
    if ('journal' in known) return known.journal.queued(eventId);
    return queuedByItsId(eventId, Date.parse(this.deps.host.now()), known.retentionSeconds);
  }

  /**
   * An operator's accept or resolve: unchanged when the alert is already there, refused when the state machine
   * forbids it. The write is conditioned on the status read; when the processor changed the alert in between, the
   * action is decided again on a fresh read. `logText` replaces the log entry's text (an action link names its user).
   */
  /** `unchangedSince`: act only on the alert as last changed then (an auto-resolve); changed since, it is returned as is. */
  async act(id: string, action: OperatorAction, logText?: string, unchangedSince?: string): Promise<Alert> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const alert = await this.get(id);
      if (unchangedSince !== undefined && alert.updatedAt !== unchangedSince) return alert;
      const transition = operatorTransition(alert.status, action);
      if ('conflict' in transition) throw new ConflictError('INVALID_STATE', transition.conflict);
      if ('unchanged' in transition) return alert;
      const status = transition.change as 'ACCEPTED' | 'RESOLVED';
      const log = { id: this.deps.host.newId(), type: status, text: logText ?? ACTION_TEXT[status] };
      const written = await unlessChanged(() => this.deps.alerts.changeStatus(alert, status, log, this.deps.host.now(), unchangedSince));
      if (written) {
        await this.runJob(written.value?.job);
        return this.get(id);
      }
    }
    throw new ConflictError('CONFLICT', 'The alert changed while it was being updated; retry');
  }

  /**
   * Reroute: gives an open alert another escalation policy and restarts its escalation at level 1 of that policy
   * (a PENDING alert escalates on from there; an ACCEPTED one notifies level 1 once). 404 for an unknown alert, 400 for
   * an unknown policy, 409 ALERT_NOT_OPEN for a resolved alert.
   */
  async assign(id: string, body: unknown): Promise<Alert> {
    const policyId = policyIdOf(body);
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const alert = await this.get(id);
      const policy = await this.deps.policies?.get(policyId);
      if (!policy) throw invalidPolicy(`names no existing escalation policy: ${policyId}`);
      if (alert.status === 'RESOLVED') throw new ConflictError('ALERT_NOT_OPEN', 'A resolved alert cannot be rerouted');
      const now = this.deps.host.now();
      const next = alert.status === 'PENDING' ? nextStep(policy, alert.priority, firstStep(0, now)) : undefined;
      const log = { id: this.deps.host.newId(), type: 'REROUTED' as const, text: `Rerouted to escalation policy ${policy.name}` };
      const written = await unlessChanged(() => this.deps.alerts.reroute(alert, { policyId, nextEscalationAt: next?.dueAt, log, now }));
      if (written) {
        await this.runJob(written.value.job);
        return this.get(id);
      }
    }
    throw new ConflictError('CONFLICT', 'The alert changed while it was being updated; retry');
  }

  /** An alert's notifications, oldest first, without the store's own fields (sort key, contact index). */
  async notifications(alertId: string): Promise<Array<Omit<NotificationRecord, 'sk' | 'contactIndex'>>> {
    await this.get(alertId);
    const records = this.deps.notifications ? await this.deps.notifications.listForAlert(alertId) : [];
    return records.map(({ sk: _sk, contactIndex: _contactIndex, ...answered }) => answered);
  }

  /** The fast path; a failed send is left to the escalator's tick, which finds the job all the same. */
  private async runJob(job: Key | undefined): Promise<void> {
    if (job && this.deps.queue) await this.deps.queue.runJob(job).catch(() => undefined);
  }
}
