// The stores' error vocabulary: how the AWS SDK's errors are translated, what a cancelled event transaction means, and the queue's failures.
import type { SQSClient } from '@aws-sdk/client-sqs';
import type { Alert, Decision } from '../../lambdas/domain/alert';
import type { AcceptedEvent } from '../../lambdas/domain/event';
import { EventQueue, QueueUnavailable } from '../../lambdas/queue/event-queue';
import { classifyFailure, itemsFor, type Application } from '../../lambdas/store/alert-apply';
import { Conflict, NotFound, Unavailable } from '../../lambdas/store/errors';
import { alertKeys, eventKeys, openAlertKeys } from '../../lambdas/store/keys';
import { ConditionFailed, ifConditionFailed, toStoreError } from '../../lambdas/store/sdk-errors';
import { keyOf, type TransactItem } from '../../lambdas/store/transactions';

/** An error as the AWS SDK throws it: a named Error with the service's metadata. */
const sdkError = (name: string, extra: Record<string, unknown> = {}) =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: 400 }, ...extra });

/** TransactionCanceledException with one reason per item, in the order the items were given. */
const cancelled = (...codes: string[]) => sdkError('TransactionCanceledException', { CancellationReasons: codes.map((Code) => ({ Code })) });

describe('toStoreError', () => {
  it.each([
    ['an attempt over its timeout', Object.assign(new Error('timed out'), { name: 'TimeoutError' })],
    ['the call budget running out', Object.assign(new Error('over budget'), { name: 'TimeoutError', code: 'ETIMEDOUT' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['throttling', sdkError('ThrottlingException')],
    ['exceeded throughput', sdkError('ProvisionedThroughputExceededException')],
    ['a 5xx of the service', Object.assign(new Error('boom'), { name: 'InternalServerError', $metadata: { httpStatusCode: 500 } })],
    ['a transaction cancelled by throttling', cancelled('None', 'ThrottlingError')],
  ])('makes %s Unavailable, keeping the SDK error as its cause', (_, error) => {
    const translated = toStoreError(error);
    expect(translated).toBeInstanceOf(Unavailable);
    expect((translated as Error).cause).toBe(error);
  });

  it('makes a failed condition of one write a ConditionFailed (a Conflict) of item 0', () => {
    const translated = toStoreError(sdkError('ConditionalCheckFailedException'));
    expect(translated).toBeInstanceOf(ConditionFailed);
    expect(translated).toBeInstanceOf(Conflict);
    expect((translated as ConditionFailed).items).toEqual([0]);
  });

  it('names every item of a transaction whose condition failed, by position', () => {
    const translated = toStoreError(cancelled('None', 'ConditionalCheckFailed', 'None', 'ConditionalCheckFailed'));
    expect((translated as ConditionFailed).items).toEqual([1, 3]);
  });

  it('makes a transaction that met another one a Conflict, not a failed condition', () => {
    for (const error of [sdkError('TransactionConflictException'), cancelled('None', 'TransactionConflict')]) {
      const translated = toStoreError(error);
      expect(translated).toBeInstanceOf(Conflict);
      expect(translated).not.toBeInstanceOf(ConditionFailed);
    }
  });

  it('leaves a request the service refused as invalid, and any other error, as it is (a bug, not an outcome)', () => {
    const invalid = sdkError('ValidationException');
    expect(toStoreError(invalid)).toBe(invalid);
    const invalidItem = cancelled('ValidationError');
    expect(toStoreError(invalidItem)).toBe(invalidItem);
    const bug = new TypeError('x is undefined');
    expect(toStoreError(bug)).toBe(bug);
  });

  it('passes an error already in the vocabulary through unchanged', () => {
    for (const error of [new NotFound('gone'), new Conflict('raced'), new Unavailable('down'), new ConditionFailed('failed', [2])]) {
      expect(toStoreError(error)).toBe(error);
    }
  });
});

describe('ifConditionFailed', () => {
  it('answers the alternative when the condition failed, and throws anything else translated', async () => {
    await expect(ifConditionFailed(Promise.resolve('written'), () => 'refused')).resolves.toBe('written');
    await expect(ifConditionFailed(Promise.reject(sdkError('ConditionalCheckFailedException')), () => 'refused')).resolves.toBe('refused');
    await expect(ifConditionFailed(Promise.reject(sdkError('ThrottlingException')), () => 'refused')).rejects.toBeInstanceOf(Unavailable);
  });
});

describe('classifyFailure of an event transaction', () => {
  const now = '2026-01-01T00:00:00.000Z';
  const alert: Alert = {
    id: 'alert-1',
    alertSourceId: 'source-1',
    alertKey: 'disk',
    summary: 'disk full',
    status: 'PENDING',
    priority: 'HIGH',
    images: [],
    links: [],
    customDetails: {},
    eventCount: 1,
    createdAt: now,
    updatedAt: now,
  };
  const app: Application = {
    eventId: 'event-1',
    alertSourceId: 'source-1',
    alertKeyNormalized: 'disk',
    now,
    locks: { key: { revision: 'r1', openAlertIds: [] } },
    logEntry: { id: 'log-1', type: 'ALERT_RECEIVED', text: 'Alert created' },
    newAlert: alert,
    received: { eventType: 'ALERT', alertKey: 'disk', receivedAt: now },
  };
  const eventKey = eventKeys.item('event-1');
  const created = itemsFor('table', { kind: 'CREATE' }, app);
  const positionOf = (items: TransactItem[], key: { pk: string; sk: string }) =>
    items.findIndex((item) => keyOf(item).pk === key.pk && keyOf(item).sk === key.sk);

  it("assembles a CREATE as the event record, the key lock, the new alert and the alert's details", () => {
    expect(created.map(keyOf)).toEqual([eventKey, openAlertKeys.item('source-1', 'disk'), alertKeys.item('alert-1'), alertKeys.details('alert-1')]);
  });

  it("is a duplicate when the event record's condition failed: the event was applied or withdrawn already", () => {
    const failed = cancelled(...created.map((_, i) => (i === positionOf(created, eventKey) ? 'ConditionalCheckFailed' : 'None')));
    expect(classifyFailure(created, failed, eventKey)).toBe('duplicate');
  });

  it("is a conflict when the lock's or the alert's condition failed: someone else wrote first", () => {
    for (const key of [openAlertKeys.item('source-1', 'disk'), alertKeys.item('alert-1'), alertKeys.details('alert-1')]) {
      const failed = cancelled(...created.map((_, i) => (i === positionOf(created, key) ? 'ConditionalCheckFailed' : 'None')));
      expect(classifyFailure(created, failed, eventKey)).toBe('conflict');
    }
  });

  it('reads the key of the failed item, not the position the event record happens to have', () => {
    // The event record last: its failure is still a duplicate, and a failure of the first item (now the lock) is not.
    const reordered = [...created.slice(1), created[0]];
    expect(classifyFailure(reordered, cancelled('None', 'None', 'None', 'ConditionalCheckFailed'), eventKey)).toBe('duplicate');
    expect(classifyFailure(reordered, cancelled('ConditionalCheckFailed', 'None', 'None', 'None'), eventKey)).toBe('conflict');
  });

  it('is a duplicate when the event record failed along with others (a redelivery that also lost a race)', () => {
    expect(classifyFailure(created, cancelled('ConditionalCheckFailed', 'ConditionalCheckFailed', 'None'), eventKey)).toBe('duplicate');
  });

  it('is a duplicate for the one conditional write of an event that changes nothing else', () => {
    const decision: Decision = { kind: 'NO_OPEN_ALERT' };
    const single = itemsFor('table', decision, { ...app, newAlert: undefined, logEntry: undefined });
    expect(single).toHaveLength(1);
    expect(classifyFailure(single, sdkError('ConditionalCheckFailedException'), eventKey)).toBe('duplicate');
  });

  it('is a conflict when the transaction met another one, and nothing (to be thrown) for an outage or a bug', () => {
    expect(classifyFailure(created, cancelled('None', 'TransactionConflict', 'None'), eventKey)).toBe('conflict');
    expect(classifyFailure(created, sdkError('TransactionConflictException'), eventKey)).toBe('conflict');
    expect(classifyFailure(created, sdkError('ThrottlingException'), eventKey)).toBeUndefined();
    expect(classifyFailure(created, sdkError('ValidationException'), eventKey)).toBeUndefined();
  });
});

describe('the queue adapter', () => {
  const event = { eventId: 'e-1', alertSourceId: 's-1', receivedAt: '2026-01-01T00:00:00.000Z', eventType: 'ALERT', alertKey: 'disk' } as AcceptedEvent;
  const queueAnswering = (send: () => Promise<unknown>) => new EventQueue({ send } as unknown as SQSClient, 'https://queue');

  it('fails a send the queue did not take as QueueUnavailable, an Unavailable, with the SDK error as its cause', async () => {
    const timeout = Object.assign(new Error('socket hang up'), { name: 'TimeoutError', code: 'ECONNRESET' });
    const failure = await queueAnswering(() => Promise.reject(timeout))
      .send(event)
      .catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(QueueUnavailable);
    expect(failure).toBeInstanceOf(Unavailable);
    expect((failure as Error).cause).toBe(timeout);
  });

  it('fails an entry SQS refused in a batch the same way', async () => {
    // Two sends go out alone at once; the two made meanwhile wait and go out together, as one batch.
    const refused = queueAnswering(() => Promise.resolve({ Failed: [{ Id: 'e-4', Code: 'InternalError', SenderFault: false }] }));
    const results = await Promise.allSettled(['e-1', 'e-2', 'e-3', 'e-4'].map((eventId) => refused.send({ ...event, eventId })));
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected']);
    expect((results[3] as PromiseRejectedResult).reason).toBeInstanceOf(QueueUnavailable);
  });
});
