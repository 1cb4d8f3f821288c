// In-memory stand-ins for the stores the API's use cases call, keeping the same conditions: a write conditioned on
// what was read fails with the store vocabulary (NotFound, Conflict) when the item is gone or changed.
import type {
  AlertFilter,
  AlertSourcesPort,
  AlertsPort,
  EscalationPoliciesPort,
  EventsPort,
  Host,
  Page,
  PageRequest,
  UsersPort,
} from '../../../lambdas/app/ports';
import type { Alert, LogEntry } from '../../../lambdas/domain/alert';
import type { AlertSource } from '../../../lambdas/domain/alert-source';
import type { EscalationPolicy } from '../../../lambdas/domain/escalation-policy';
import type { User } from '../../../lambdas/domain/user';
import { InvalidCursorError } from '../../../lambdas/store/cursor';
import { RoutingKeyTakenError } from '../../../lambdas/store/escalation-policies';
import { Conflict, NotFound } from '../../../lambdas/store/errors';
import type { EventRecord } from '../../../lambdas/store/events';

/** A clock that starts at a fixed time, and ids that count up. */
export function fixedHost(): Host {
  let n = 0;
  return { now: () => '2025-01-15T09:30:00.000Z', newId: () => `id-${++n}`, newIntegrationKey: () => `al1key-${++n}` };
}

export class MemorySources implements AlertSourcesPort {
  readonly items = new Map<string, AlertSource>();
  async list() {
    return [...this.items.values()];
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async create(source: AlertSource) {
    this.items.set(source.id, source);
  }
  async replace(source: AlertSource) {
    if (!this.items.has(source.id)) throw new NotFound(source.id);
    this.items.set(source.id, source);
  }
  async delete(id: string) {
    if (!this.items.delete(id)) throw new NotFound(id);
  }
}

export class MemoryPolicies implements EscalationPoliciesPort {
  readonly items = new Map<string, EscalationPolicy>();
  /** Called before each conditional write: a test changes the policy there to lose the race. */
  beforeWrite: () => void = () => {};
  async list() {
    return [...this.items.values()];
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async create(policy: EscalationPolicy) {
    this.checkRoutingKey(policy);
    this.items.set(policy.id, policy);
  }
  async replace(policy: EscalationPolicy, previous: EscalationPolicy) {
    this.beforeWrite();
    if (this.items.get(policy.id)?.updatedAt !== previous.updatedAt) throw new Conflict(policy.id);
    this.checkRoutingKey(policy);
    this.items.set(policy.id, policy);
  }
  async delete(policy: EscalationPolicy) {
    this.beforeWrite();
    if (this.items.get(policy.id)?.updatedAt !== policy.updatedAt) throw new Conflict(policy.id);
    this.items.delete(policy.id);
  }
  private checkRoutingKey(policy: EscalationPolicy) {
    const holder = [...this.items.values()].find((p) => p.routingKey !== undefined && p.routingKey === policy.routingKey);
    if (holder && holder.id !== policy.id) throw new RoutingKeyTakenError(policy.routingKey!);
  }
}

export class MemoryUsers implements UsersPort {
  readonly items = new Map<string, User>();
  async list(page: PageRequest): Promise<Page<User>> {
    return { items: [...this.items.values()].slice(0, page.limit) };
  }
  async get(id: string) {
    return this.items.get(id);
  }
  async create(user: User) {
    this.items.set(user.id, user);
  }
  async replace(user: User, previous: User) {
    if (this.items.get(user.id)?.updatedAt !== previous.updatedAt) throw new Conflict(user.id);
    this.items.set(user.id, user);
  }
  async delete(user: User) {
    if (this.items.get(user.id)?.updatedAt !== user.updatedAt) throw new Conflict(user.id);
    this.items.delete(user.id);
  }
}

export class MemoryAlerts implements AlertsPort {
  readonly items = new Map<string, Alert>();
  readonly log: LogEntry[] = [];
  /** Called before each status change: a test changes the alert there, as the processor would at that moment. */
  beforeWrite: (alert: Alert) => void = () => {};
  async get(id: string) {
    const alert = this.items.get(id);
    return alert && { ...alert };
  }
  async list(filter: AlertFilter): Promise<Page<Alert>> {
    if (filter.cursor === 'altered') throw new InvalidCursorError('The cursor is not valid');
    return { items: [...this.items.values()].filter((a) => !filter.statuses || filter.statuses.includes(a.status)).slice(0, filter.limit) };
  }
  async logEntries(alertId: string, page: PageRequest): Promise<Page<LogEntry>> {
    if (page.cursor === 'altered') throw new InvalidCursorError('The cursor is not valid');
    return { items: this.log.filter((e) => e.alertId === alertId).slice(0, page.limit) };
  }
  async changeStatus(alert: Alert, status: 'ACCEPTED' | 'RESOLVED', log: { id: string; type: LogEntry['type']; text: string }, now: string) {
    this.beforeWrite(alert);
    const current = this.items.get(alert.id);
    if (current?.status !== alert.status) throw new Conflict(alert.id);
    this.items.set(alert.id, { ...current, status, updatedAt: now });
    this.log.push({ ...log, alertId: alert.id, createdAt: now });
  }
  async addLogEntry(entry: LogEntry) {
    this.log.push(entry);
  }
  async reroute(alert: Alert, change: { policyId: string; nextEscalationAt?: string; log: { id: string; type: LogEntry['type']; text: string }; now: string }) {
    const current = this.items.get(alert.id);
    if (current?.status !== alert.status) throw new Conflict(alert.id);
    const rerouted = { escalationPolicy: { id: change.policyId }, escalationLevel: 1, nextEscalationAt: change.nextEscalationAt, updatedAt: change.now };
    this.items.set(alert.id, { ...current, ...rerouted });
    this.log.push({ ...change.log, alertId: alert.id, createdAt: change.now });
    return { job: { pk: 'ESCJOB#memory', sk: alert.id } };
  }
  add(fields: Partial<Alert> & { id: string }): Alert {
    const alert: Alert = {
      alertSourceId: 'source-1',
      alertKey: 'disk-full',
      summary: 'Disk full',
      status: 'PENDING',
      priority: 'HIGH',
      images: [],
      links: [],
      customDetails: {},
      eventCount: 1,
      createdAt: '2025-01-15T09:00:00.000Z',
      updatedAt: '2025-01-15T09:00:00.000Z',
      ...fields,
    };
    this.items.set(alert.id, alert);
    return alert;
  }
}

export class MemoryEvents implements EventsPort {
  readonly items = new Map<string, EventRecord>();
  async get(eventId: string) {
    return this.items.get(eventId);
  }
}
