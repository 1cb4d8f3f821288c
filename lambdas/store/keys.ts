// Every DynamoDB key format of Alertline's single table, one builder per entity.

/** The table's key attributes and its global secondary indexes (the CDK stack and the local runtime build the table from this). */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /**
   * Indexes project keys plus the few attributes listings filter on, all of which rarely change: an update of
   * eventCount or updatedAt then costs no index write. Listings read the items by key afterwards.
   */
  projection: { type: 'INCLUDE', nonKeyAttributes: ['status', 'alertSourceId', 'alertKeyNormalized'] },
  indexes: [
    /** gsi1: every item of one kind, newest first (alerts, alert sources). */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /** gsi2: by owner: alerts of an alert source; alert source by integration key; QUEUED events of a source; an alert's events. */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** gsi3: alerts by status, newest first. */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** gsi4: alerts by alert key, newest first. */
    { name: 'gsi4', partitionKey: 'gsi4pk', sortKey: 'gsi4sk' },
  ],
} as const;

export type IndexName = (typeof TABLE_SCHEMA.indexes)[number]['name'];

export interface Key {
  pk: string;
  sk: string;
}

/** Sort key that orders items newest first when read backwards. */
const byCreation = (createdAt: string, id: string): string => `${createdAt}#${id}`;

/**
 * Where a page of alerts or of log entries stopped: the `<createdAt>#<id>` sort value of its last item, which orders
 * both the alert indexes and an alert's log. Page cursors carry it; `isValid` is what a cursor's position must look like.
 */
export const creationPosition = {
  of: byCreation,
  isValid: (position: string): boolean => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[A-Za-z0-9_-]{1,128}$/.test(position),
};

export const alertSourceKeys = {
  item: (id: string): Key => ({ pk: `SOURCE#${id}`, sk: 'SOURCE' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'SOURCES', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'SOURCES',
  byIntegrationKey: (integrationKey: string) => ({ gsi2pk: `IKEY#${integrationKey}`, gsi2sk: 'SOURCE' }),
};

export const alertKeys = {
  item: (id: string): Key => ({ pk: `ALERT#${id}`, sk: 'ALERT' }),
  /** The index attributes of an alert: all, by source, by status, by alert key. */
  indexes: (a: { id: string; alertSourceId: string; status: string; alertKeyNormalized: string; createdAt: string }) => {
    const sk = byCreation(a.createdAt, a.id);
    return {
      gsi1pk: 'ALERTS', gsi1sk: sk,
      gsi2pk: alertKeys.bySourcePartition(a.alertSourceId), gsi2sk: sk,
      gsi3pk: alertKeys.byStatusPartition(a.status), gsi3sk: sk,
      gsi4pk: alertKeys.byAlertKeyPartition(a.alertKeyNormalized), gsi4sk: sk,
    };
  },
  allPartition: 'ALERTS',
  bySourcePartition: (alertSourceId: string) => `SOURCE#${alertSourceId}`,
  byStatusPartition: (status: string) => `STATUS#${status}`,
  byAlertKeyPartition: (alertKeyNormalized: string) => `AKEY#${alertKeyNormalized}`,
};

/**
 * The open-alert lock of (alert source, alert key): exists while the key has open alerts and lists them, newest
 * first, with a random revision. Every write that opens or resolves an alert of the key rewrites it on the condition
 * that the revision is still the one read, in the same transaction as the alert, so the grouping mode's invariant (one
 * open, or one pending, alert per key) holds whatever the concurrency.
 */
export const openAlertKeys = {
  item: (alertSourceId: string, alertKeyNormalized: string): Key => ({
    pk: `OPEN#${alertSourceId}#${alertKeyNormalized}`,
    sk: 'OPEN',
  }),
  /** Window grouping: the alert source's newest alert, under a revision the same way. */
  source: (alertSourceId: string): Key => ({ pk: `OPEN#${alertSourceId}`, sk: 'SOURCE' }),
};

/**
 * An alert's log. An operator's entry is an item of its own under the alert; an event's entry lives on the event's
 * record (one item fewer per event), listed by the alert on gsi2. Both sort by creation time, then id.
 */
export const logEntryKeys = {
  item: (alertId: string, createdAt: string, id: string): Key => ({ pk: `ALERT#${alertId}`, sk: `LOG#${byCreation(createdAt, id)}` }),
  prefix: 'LOG#',
  /** Sort key above every operator entry of an alert ('$' follows '#'), the upper bound of a range read of them. */
  afterAll: 'LOG$',
  partition: (alertId: string) => `ALERT#${alertId}`,
  /** The index attributes of an event record that carries a log entry of the alert. */
  onEvent: (alertId: string, createdAt: string, id: string) => ({ gsi2pk: logEntryKeys.eventsPartition(alertId), gsi2sk: byCreation(createdAt, id) }),
  eventsPartition: (alertId: string) => `LOG#${alertId}`,
};

export const eventKeys = {
  item: (eventId: string): Key => ({ pk: `EVENT#${eventId}`, sk: 'EVENT' }),
  /** Sparse: present only while the event is QUEUED, so that the local runtime can re-enqueue it after a crash. */
  queued: (alertSourceId: string, eventId: string) => ({ gsi2pk: eventKeys.queuedPartition(alertSourceId), gsi2sk: eventId }),
  queuedPartition: (alertSourceId: string) => `QUEUED#${alertSourceId}`,
};

export const escalationPolicyKeys = {
  item: (id: string): Key => ({ pk: `POLICY#${id}`, sk: 'POLICY' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'POLICIES', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'POLICIES',
};

/**
 * A routing key's claim: exists while an escalation policy has that routing key, and names the policy.
 * Created with attribute_not_exists in the same transaction as the policy, so a routing key belongs to one
 * policy at most; it is also how an event's routing key finds its policy (one GetItem, no index).
 */
export const routingKeyKeys = {
  item: (routingKey: string): Key => ({ pk: `ROUTINGKEY#${routingKey}`, sk: 'ROUTINGKEY' }),
};

/** An Idempotency-Key claimed by an alert source for 24 hours, naming its event: PENDING (with a lease) until the event is queued, then COMMITTED. */
export const idempotencyKeys = {
  item: (alertSourceId: string, idempotencyKey: string): Key => ({ pk: `IDEMPOTENCY#${alertSourceId}#${idempotencyKey}`, sk: 'IDEMPOTENCY' }),
};

/** One counter per alert source and minute (fixed window), expiring soon after its minute. */
export const rateLimitKeys = {
  item: (alertSourceId: string, minute: number): Key => ({ pk: `RATE#${alertSourceId}#${minute}`, sk: 'RATE' }),
};
