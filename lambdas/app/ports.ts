// What the API's use cases need from the stores and the host, as the narrow interfaces they call: the DynamoDB stores
// implement them, unit tests hand in fakes. A conditional write's result is `unknown`: see conditionalWrite in ./errors.
import type { Alert, AlertStatus, LogEntry, LogEntryType } from '../domain/alert';
import type { AlertSource } from '../domain/alert-source';
import type { EscalationPolicy } from '../domain/escalation-policy';
import type { EventRecord } from '../store/events';

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

export interface AlertsPort {
  get(id: string): Promise<Alert | undefined>;
  list(filter: AlertFilter): Promise<Page<Alert>>;
  logEntries(alertId: string, page: PageRequest): Promise<Page<LogEntry>>;
  /** Conditioned on the alert's status being the one read. */
  changeStatus(alert: Alert, status: 'ACCEPTED' | 'RESOLVED', log: { id: string; type: LogEntryType; text: string }, now: string): Promise<unknown>;
}

export interface EventsPort {
  get(eventId: string): Promise<EventRecord | undefined>;
}

/** The clock and the id generators, passed in so that the use cases stay deterministic under test. */
export interface Host {
  now(): string;
  newId(): string;
  newIntegrationKey(): string;
}
