// Every DynamoDB key format of Alertline's single table, one builder per entity, and the index queries each access reads with.
import { ALERT_STATUSES } from '../domain/alert';

/** The table's key attributes and its global secondary indexes (the CDK stack and the local runtime build the table from this). */
export const TABLE_SCHEMA = {
  partitionKey: 'pk',
  sortKey: 'sk',
  ttlAttribute: 'expiresAt',
  /**
   * Indexes project keys plus the attributes listings filter on: alertSourceId and alertKeyNormalized, which never
   * change, and `status`, which new alert items do not carry. Their status is `alertStatus`, which no index projects,
   * so that a status change rewrites only the gsi3 entry (whose key it is) and an update of eventCount or updatedAt no
   * index entry. An alert written before keeps `status` on its entries until its first status change removes it (see
   * statusChange). Listings read the items by key afterwards and filter a status there. The projection stays as the
   * deployed tables have it: CloudFormation cannot change a GSI's projection in place.
   */
  projection: { type: 'INCLUDE', nonKeyAttributes: ['status', 'alertSourceId', 'alertKeyNormalized'] },
  indexes: [
    /**
     * gsi1, every item of one kind, newest first (sort: `<createdAt>#<id>`). Serves these listings:
     * - alerts written before the listing of all alerts merged gsi3's partitions: gsi1pk `ALERTS` (read by nothing);
     * - alert sources: gsi1pk `SOURCES`;
     * - escalation policies: gsi1pk `POLICIES`;
     * - users: gsi1pk `USERS`;
     * - heartbeat monitors: gsi1pk `HEARTBEATS`; maintenance windows: gsi1pk `MWINDOWS`.
     */
    { name: 'gsi1', partitionKey: 'gsi1pk', sortKey: 'gsi1sk' },
    /**
     * gsi2, by owner. Serves unrelated look-ups, told apart by the partition's prefix (none can meet another):
     * - alerts of an alert source, newest first: gsi2pk `SOURCE#<alertSourceId>`, gsi2sk `<createdAt>#<alertId>`;
     * - the alert source of an integration key (ingest): gsi2pk `IKEY#<integrationKey>`, gsi2sk `SOURCE`;
     * - the heartbeat monitor of a ping key: gsi2pk `HBKEY#<key>`, gsi2sk `HEARTBEAT`;
     * - the QUEUED events of an alert source (local crash recovery of data folders from before the journal; sparse):
     *   gsi2pk `QUEUED#<alertSourceId>`, gsi2sk `<eventId>`;
     * - the events' entries of an alert's log (on the event records): gsi2pk `LOG#<alertId>`, gsi2sk `<processedAt>#<logId>`.
     */
    { name: 'gsi2', partitionKey: 'gsi2pk', sortKey: 'gsi2sk' },
    /** gsi3: alerts by status, newest first: gsi3pk `STATUS#<status>`, gsi3sk `<createdAt>#<alertId>`. */
    { name: 'gsi3', partitionKey: 'gsi3pk', sortKey: 'gsi3sk' },
    /** gsi4: alerts by alert key, newest first: gsi4pk `AKEY#<alertKeyNormalized>`, gsi4sk `<createdAt>#<alertId>`. */
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
  /** The alert id of an alert item's key (as `item` makes it). */
  idOf: (key: Key): string => key.pk.slice('ALERT#'.length),
  /**
   * The alert's large, write-once fields (details, images, links, custom details), apart from its item, which every
   * event rewrites: that one stays under 1 KB. Sorts between the item and the log ('ALERT' < 'DETAILS' < 'LOG#'), so
   * one query of the partition reads both. Alerts written before the split carry the fields on their item.
   */
  details: (id: string): Key => ({ pk: `ALERT#${id}`, sk: alertKeys.detailsSortKey }),
  detailsSortKey: 'DETAILS',
  /**
   * The index attributes of an alert: by source, by status (the only one a status change moves), by alert key. None on
   * gsi1: every alert is on one status partition of gsi3, which the listing of all alerts merges (see
   * alertListingIndex); alerts written before also have a gsi1 entry (`ALERTS`), which nothing reads any more.
   */
  indexes: (a: { id: string; alertSourceId: string; status: string; alertKeyNormalized: string; createdAt: string }) => {
    const sk = byCreation(a.createdAt, a.id);
    return {
      gsi2pk: alertKeys.bySourcePartition(a.alertSourceId),
      gsi2sk: sk,
      gsi3pk: alertKeys.byStatusPartition(a.status),
      gsi3sk: sk,
      gsi4pk: alertKeys.byAlertKeyPartition(a.alertKeyNormalized),
      gsi4sk: sk,
    };
  },
  bySourcePartition: (alertSourceId: string) => `SOURCE#${alertSourceId}`,
  /**
   * An alert's gsi3 partition: `STATUS#OPEN` while PENDING or ACCEPTED (an accept moves no index entry),
   * `STATUS#RESOLVED` once resolved. Alerts written before have `STATUS#PENDING` or `STATUS#ACCEPTED` while open,
   * until their next status change (legacyStatusPartition).
   */
  byStatusPartition: (status: string) => (status === 'RESOLVED' ? 'STATUS#RESOLVED' : 'STATUS#OPEN'),
  /** The partition an alert written before had for its status (read beside the new ones by the listings). */
  legacyStatusPartition: (status: string) => `STATUS#${status}`,
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
  /** Sparse: present only while the event is QUEUED (records of the local runtime before its journal), for re-enqueueing. */
  queued: (alertSourceId: string, eventId: string) => ({ gsi2pk: eventKeys.queuedPartition(alertSourceId), gsi2sk: eventId }),
  queuedPartition: (alertSourceId: string) => `QUEUED#${alertSourceId}`,
};

export const escalationPolicyKeys = {
  item: (id: string): Key => ({ pk: `POLICY#${id}`, sk: 'POLICY' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'POLICIES', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'POLICIES',
};

export const userKeys = {
  item: (id: string): Key => ({ pk: `USER#${id}`, sk: 'USER' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'USERS', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'USERS',
};

/**
 * An alert's notifications, under the alert: `NOTIFICATION#<dueAt of its job>#<id>`, so a query on the prefix lists
 * them oldest first.
 */
export const notificationKeys = {
  item: (alertId: string, dueAt: string, id: string): Key => ({ pk: `ALERT#${alertId}`, sk: `NOTIFICATION#${dueAt}#${id}` }),
  prefix: 'NOTIFICATION#',
  partition: (alertId: string) => `ALERT#${alertId}`,
};

/**
 * The escalation engine's timer and outbox: one item per job, in the partition of the minute it may first run
 * (`YYYY-MM-DDTHH:MM`), sorted by due time. The escalator reads partitions by key from its cursor, never by scanning.
 */
export const escalationJobKeys = {
  item: (minute: string, dueAt: string, alertId: string, step: string): Key => ({ pk: `ESCJOB#${minute}`, sk: `${dueAt}#${alertId}#${step}` }),
  partition: (minute: string) => `ESCJOB#${minute}`,
  /** The oldest minute partition that may still hold a job: an entity of its own, which only the escalator writes. */
  get cursor(): Key {
    return escalationCursorKeys.item();
  },
};

/**
 * Heartbeat monitors: by id, listed on gsi1 `HEARTBEATS` newest first, and by their ping key on gsi2 `HBKEY#<key>`
 * (the ping's look-up, as an alert source's by integration key).
 */
export const heartbeatMonitorKeys = {
  item: (id: string): Key => ({ pk: `HEARTBEAT#${id}`, sk: 'HEARTBEAT' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'HEARTBEATS', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'HEARTBEATS',
  byKey: (key: string) => ({ gsi2pk: `HBKEY#${key}`, gsi2sk: 'HEARTBEAT' }),
};

/** Maintenance windows: by id, listed on gsi1 `MWINDOWS` newest first. */
export const maintenanceWindowKeys = {
  item: (id: string): Key => ({ pk: `MWINDOW#${id}`, sk: 'MWINDOW' }),
  list: (createdAt: string, id: string) => ({ gsi1pk: 'MWINDOWS', gsi1sk: byCreation(createdAt, id) }),
  listPartition: 'MWINDOWS',
};

/**
 * A maintenance window's coverage of one alert source it names: under `MWSOURCE#<alertSourceId>`, sorted by the
 * window's end, so that the processor reads a source's current and future windows with one query (sort key after a
 * time), never a scan. Written and deleted with the window.
 */
export const maintenanceCoverageKeys = {
  item: (alertSourceId: string, end: string, windowId: string): Key => ({ pk: `MWSOURCE#${alertSourceId}`, sk: `${end}#${windowId}` }),
  partition: (alertSourceId: string) => `MWSOURCE#${alertSourceId}`,
};

/** The escalator's cursor (see escalationJobKeys): one item. */
export const escalationCursorKeys = {
  item: (): Key => ({ pk: 'ESCCURSOR#escalator', sk: 'CURSOR' }),
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

/** A query's key condition: one partition of an index, the sort key optionally bounded (exclusive). */
export interface IndexQuery {
  IndexName: IndexName;
  KeyConditionExpression: string;
  ExpressionAttributeValues: Record<string, unknown>;
}

/** Sorted by an index's sort key, the items strictly before or after a position. */
export type SortBound = { before: string } | { after: string };

/** The key condition on `partition` of `index` (whose attributes are `<index>pk` and `<index>sk`), within `bound`. */
export function indexQuery(index: IndexName, partition: string, bound?: SortBound): IndexQuery {
  const values: Record<string, unknown> = { ':pk': partition };
  let condition = `${index}pk = :pk`;
  if (bound && 'before' in bound) {
    condition += ` AND ${index}sk < :bound`;
    values[':bound'] = bound.before;
  } else if (bound) {
    condition += ` AND ${index}sk > :bound`;
    values[':bound'] = bound.after;
  }
  return { IndexName: index, KeyConditionExpression: condition, ExpressionAttributeValues: values };
}

/** Every query of an index, by what it is for (see TABLE_SCHEMA for each index's partitions). */
export const indexQueries = {
  /** gsi1: the alert sources, or the escalation policies (`alertSourceKeys.listPartition`, `escalationPolicyKeys.listPartition`). */
  kind: (partition: string) => indexQuery('gsi1', partition),
  /** gsi2: the alert source of an integration key (at most one, unless the index is behind). */
  sourceByIntegrationKey: (integrationKey: string) => indexQuery('gsi2', alertSourceKeys.byIntegrationKey(integrationKey).gsi2pk),
  /** gsi2: the heartbeat monitor of a ping key (at most one, unless the index is behind). */
  heartbeatByKey: (key: string) => indexQuery('gsi2', heartbeatMonitorKeys.byKey(key).gsi2pk),
  /** gsi2: an alert source's events still QUEUED, in the order they were accepted (event ids sort by acceptance). */
  queuedEvents: (alertSourceId: string) => indexQuery('gsi2', eventKeys.queuedPartition(alertSourceId)),
  /** gsi2: the events' entries of an alert's log after a position, oldest first. */
  eventLogEntries: (alertId: string, after?: string) => indexQuery('gsi2', logEntryKeys.eventsPartition(alertId), after === undefined ? undefined : { after }),
};

/** The filters an alert listing may have; each picks an index below. */
export interface AlertListingFilter {
  statuses?: string[];
  alertSourceId?: string;
  /** Normalized. */
  alertKey?: string;
}

/** Which filters of a listing its index partition applies by itself. */
export interface ListingCover {
  statuses: boolean;
  alertSourceId: boolean;
}

/**
 * The index an alert listing reads, the most selective for its filters: by alert key (gsi4), by alert source (gsi2),
 * else by status (gsi3): the partitions that hold the statuses asked for (or all), merged newest first: `STATUS#OPEN`
 * for PENDING and ACCEPTED, `STATUS#RESOLVED`, and those older alerts still have (`STATUS#PENDING`,
 * `STATUS#ACCEPTED`). All sort by `<createdAt>#<alertId>`. `covers` says which filters the partitions already apply;
 * of the others, the alert source is filtered on the index's projected attribute, a status on the alert items read by
 * key (new alerts' entries do not project it): only one of PENDING and ACCEPTED asked for, `STATUS#OPEN` holds both.
 */
export function alertListingIndex(filter: AlertListingFilter): { index: IndexName; partitions: string[]; covers: ListingCover } {
  const none = { statuses: false, alertSourceId: false };
  if (filter.alertKey) return { index: 'gsi4', partitions: [alertKeys.byAlertKeyPartition(filter.alertKey)], covers: none };
  if (filter.alertSourceId) return { index: 'gsi2', partitions: [alertKeys.bySourcePartition(filter.alertSourceId)], covers: { ...none, alertSourceId: true } };
  const statuses: readonly string[] = filter.statuses?.length ? [...new Set(filter.statuses)] : ALERT_STATUSES;
  const partitions = [...new Set(statuses.flatMap((s) => [alertKeys.byStatusPartition(s), alertKeys.legacyStatusPartition(s)]))].sort();
  const bothOpen = statuses.includes('PENDING') && statuses.includes('ACCEPTED');
  return { index: 'gsi3', partitions, covers: { ...none, statuses: bothOpen || !partitions.includes('STATUS#OPEN') } };
}

/**
 * An alert's operator log entries after a position (inclusive: BETWEEN is; the caller drops the entry at `after`),
 * oldest first: items under the alert, on the table itself.
 */
export const operatorLogQuery = (alertId: string, after?: string) => ({
  KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
  ExpressionAttributeValues: {
    ':pk': logEntryKeys.partition(alertId),
    ':from': after ? `${logEntryKeys.prefix}${after}` : logEntryKeys.prefix,
    ':to': logEntryKeys.afterAll,
  },
});
