// Named condition expressions: every invariant the store relies on is spelled out here once.

/** Where an alert item keeps its status: `alertStatus`, or `status` on an item written before (see alertStatusIn). */
export const alertStatusNames = { '#alertStatus': 'alertStatus', '#status': 'status' } as const;

/**
 * The alert's status is one of `values` (placeholder -> status). An alert keeps its status in `alertStatus`, which
 * no index projects, so that a status change rewrites only its gsi3 entry; an alert written before that (and not
 * changed since) still has it in `status`. Every condition on an alert's status is this one.
 */
function alertStatusIn(values: Record<string, string>) {
  const placeholders = Object.keys(values).join(', ');
  return {
    ConditionExpression: `(#alertStatus IN (${placeholders}) OR (attribute_not_exists(#alertStatus) AND #status IN (${placeholders})))`,
    ExpressionAttributeNames: { ...alertStatusNames },
    ExpressionAttributeValues: values,
  };
}

export const conditions = {
  /** The item must not exist yet (new alert, new open-alert lock, new event record, new alert source). */
  isNew: { ConditionExpression: 'attribute_not_exists(pk)' },
  /** The item must exist (update or delete of something the caller read). */
  exists: { ConditionExpression: 'attribute_exists(pk)' },
  /**
   * An event is applied at most once: only while it has no record yet (AWS: ingest writes none), its record still waits
   * (QUEUED, as the local runtime wrote it before its journal), or it is being redriven (FAILED). Applied or withdrawn (WITHDRAWN), it never is again.
   */
  eventNotApplied: {
    ConditionExpression: 'attribute_not_exists(pk) OR outcome IN (:queued, :failed)',
    ExpressionAttributeValues: { ':queued': 'QUEUED', ':failed': 'FAILED' },
  },
  /** Only an event not yet applied, with no record or a QUEUED one (a data folder of an older version), can be parked as FAILED. */
  eventQueuedOrAbsent: {
    ConditionExpression: 'attribute_not_exists(pk) OR outcome = :queued',
    ExpressionAttributeValues: { ':queued': 'QUEUED' },
  },
  /**
   * An event can be withdrawn (its tombstone put) while it is not applied nor parked: no record, a QUEUED one, or a
   * tombstone already (withdrawing twice is withdrawing). With eventNotApplied, withdrawal and application exclude each other.
   */
  eventWithdrawable: {
    ConditionExpression: 'attribute_not_exists(pk) OR outcome IN (:queued, :withdrawn)',
    ExpressionAttributeValues: { ':queued': 'QUEUED', ':withdrawn': 'WITHDRAWN' },
  },
  /** The alert must still be open (PENDING or ACCEPTED), wherever its item keeps its status (see alertStatusIn). */
  alertOpen: alertStatusIn({ ':pending': 'PENDING', ':accepted': 'ACCEPTED' }),
  /** The alert must still have the status the caller read. */
  alertStatusIs: (status: string) => alertStatusIn({ ':expected': status }),
  /**
   * A lock must still be at the revision the caller read (undefined: it must not exist). Revisions are random, not
   * counters: a lock deleted and created again must not look unchanged to a writer that read its first life.
   */
  lockAt: (revision: string | undefined) =>
    revision === undefined
      ? { ConditionExpression: 'attribute_not_exists(pk)' }
      : { ConditionExpression: 'revision = :lockRevision', ExpressionAttributeValues: { ':lockRevision': revision } },
  /** The routing key's claim must still name this escalation policy. */
  routingKeyHeldBy: (policyId: string) => ({ ConditionExpression: 'policyId = :policyId', ExpressionAttributeValues: { ':policyId': policyId } }),
  /**
   * The escalation policy must exist and still have the routing key the caller read (none: undefined), so that a
   * write based on a stale read cannot leave the policy and its routing key's claim disagreeing.
   */
  policyRoutingKeyIs: (routingKey: string | undefined) =>
    routingKey === undefined
      ? { ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(routingKey)' }
      : {
          ConditionExpression: 'attribute_exists(pk) AND routingKey = :routingKey',
          ExpressionAttributeValues: { ':routingKey': routingKey },
        },
} as const;
