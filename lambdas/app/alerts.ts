// Use cases of alerts and events for the API: reads, paged lists and log entries, and an operator's accept or resolve.
import { operatorTransition, type Alert, type LogEntry, type OperatorAction } from '../domain/alert';
import type { EventRecord } from '../store/events';
import { InvalidCursorError } from '../store/cursor';
import { conditionalWrite, ConflictError, NotFoundError, ValidationError } from './errors';
import type { AlertFilter, AlertsPort, EventsPort, Host, Page, PageRequest } from './ports';

export interface AlertDeps {
  alerts: AlertsPort;
  events: EventsPort;
  host: Pick<Host, 'now' | 'newId'>;
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

  async event(eventId: string): Promise<EventRecord> {
    const event = await this.deps.events.get(eventId);
    if (!event) throw new NotFoundError('Event');
    return event;
  }

  /**
   * An operator's accept or resolve: unchanged when the alert is already there, refused when the state machine
   * forbids it. The write is conditioned on the status read; when the processor changed the alert in between, the
   * action is decided again on a fresh read.
   */
  async act(id: string, action: OperatorAction): Promise<Alert> {
    for (let attempt = 0; attempt < FRESH_READS; attempt++) {
      const alert = await this.get(id);
      const transition = operatorTransition(alert.status, action);
      if ('conflict' in transition) throw new ConflictError('INVALID_STATE', transition.conflict);
      if ('unchanged' in transition) return alert;
      const status = transition.change as 'ACCEPTED' | 'RESOLVED';
      const log = { id: this.deps.host.newId(), type: status, text: ACTION_TEXT[status] };
      if (await conditionalWrite(() => this.deps.alerts.changeStatus(alert, status, log, this.deps.host.now()))) return this.get(id);
    }
    throw new ConflictError('CONFLICT', 'The alert changed while it was being updated; retry');
  }
}
