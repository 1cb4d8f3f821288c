// An APPEND or an ACCEPT is applied with two single writes, not a transaction: its alert, marked with the event's id,
// then its record. These tests cut the processor off between the two (as a crash would), deliver the event again as the
// queue does (a redelivery), and look at what a user would see: the alert's count and status, its log, the event's
// outcome. They also withdraw the event in that gap, which must leave no effect behind, and check that an event's
// last attempt writes all or nothing.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { SQSRecord } from 'aws-lambda';
import { applyEvent, type ApplyDeps, type Delivery } from '../../lambdas/app/apply-event';
import type { AlertSource } from '../../lambdas/domain/alert-source';
import type { AcceptedEvent, EventType } from '../../lambdas/domain/event';
import { eventId as newEventId } from '../../lambdas/handlers/ids';
import { readKeyLock } from '../../lambdas/store/alert-locks';
import { AlertStore } from '../../lambdas/store/alerts';
import type { StoreContext } from '../../lambdas/store/client';
import { EventStore } from '../../lambdas/store/events';
import { indexQueries } from '../../lambdas/store/keys';
import { queryKeys } from '../../lambdas/store/items';
import { asciiJson } from '../../lambdas/queue/event-queue';
import { lambdaContext } from '../../local/lambda-context';
import { startLocalStore, type LocalStore } from '../support/local-store';
import { ConditionFailed } from '../../lambdas/store/sdk-errors';

jest.setTimeout(120_000);

let store: LocalStore;
let events: EventStore;
let alerts: AlertStore;

beforeAll(async () => {
  store = await startLocalStore();
  events = new EventStore(store.ctx, { recoverable: true });
  alerts = new AlertStore(store.ctx);
});
afterAll(() => store?.stop());

class Crash extends Error {}

/** The test's store context with its client's send replaced (the calls it passes on go to the real client). */
const withSend = (send: DynamoDBDocumentClient['send']): StoreContext => ({
  tableName: store.ctx.tableName,
  db: Object.assign(Object.create(store.ctx.db) as DynamoDBDocumentClient, { send }),
});

type Command = { constructor: { name: string }; input: Record<string, unknown> };

/**
 * A store context whose client stops at the first call `cut` picks, before sending it: it throws (a processor that
 * dies there), or runs `meanwhile` first and then sends it (someone else acting in that gap).
 */
function cutting(cut: (command: Command) => boolean, meanwhile?: () => Promise<void>): StoreContext {
  let done = false;
  const db = store.ctx.db;
  const send = (async (command: Command) => {
    if (!done && cut(command)) {
      done = true;
      if (!meanwhile) throw new Crash('cut off');
      await meanwhile();
    }
    return db.send(command as never);
  }) as unknown as DynamoDBDocumentClient['send'];
  return withSend(send);
}

const keyOf = (command: Command) => String((command.input.Key as { pk?: string } | undefined)?.pk ?? '');
/** The record's write: an update of the event's item. */
const recordWrite = (command: Command) => command.constructor.name === 'UpdateCommand' && keyOf(command).startsWith('EVENT#');
/** A put of an item whose sort key or partition key is as given (a new alert's item, its key's lock). */
const putOf = (test: (item: { pk: string; sk: string }) => boolean) => (command: Command) =>
  command.constructor.name === 'PutCommand' && test(command.input.Item as { pk: string; sk: string });
const lockPut = putOf((item) => item.pk.startsWith('OPEN#'));
/** Any write at all, single or transaction. */
const anyWrite = (command: Command) => ['UpdateCommand', 'PutCommand', 'TransactWriteCommand'].includes(command.constructor.name);

const depsWith = (ctx: StoreContext): ApplyDeps => {
  let n = 0;
  return {
    alerts: new AlertStore(ctx),
    policyForRoutingKey: async () => undefined,
    now: () => new Date().toISOString(),
    newId: () => `log-${Date.now()}-${n++}`,
  };
};

let sourceCount = 0;
const newSource = () => ({ id: `source-${++sourceCount}-${Date.now()}`, alertCreation: 'ONE_OPEN_ALERT_ALLOWED', alertPriorityRule: 'HIGH' }) as AlertSource;

async function accepted(source: AlertSource, eventType: EventType, alertKey = 'disk'): Promise<AcceptedEvent> {
  const event: AcceptedEvent = {
    eventId: newEventId(),
    alertSourceId: source.id,
    receivedAt: new Date().toISOString(),
    eventType,
    alertKey,
    summary: `${eventType} ${alertKey}`,
  };
  await events.recordQueued(event);
  return event;
}

/** A first delivery, as the processor applies it in AWS (ProcessorConfig.singleWrites). */
const apply = (event: AcceptedEvent, source: AlertSource, ctx: StoreContext = store.ctx, delivery: Delivery = { singleWrites: true }) =>
  applyEvent(event, source, depsWith(ctx), delivery);
/** The queue's redelivery of a message whose first attempt failed: its receive count says it may have been tried. */
const redeliver = (event: AcceptedEvent, source: AlertSource, ctx: StoreContext = store.ctx) => apply(event, source, ctx, { tried: true, singleWrites: true });
/** A redrive of a parked message, long after the event arrived (see Delivery.mayHaveBeenParked). */
const redrive = (event: AcceptedEvent, source: AlertSource, ctx: StoreContext = store.ctx) =>
  apply(event, source, ctx, { tried: true, singleWrites: true, mayHaveBeenParked: true });

/** A context cut off before the event's record, where the event is withdrawn (ingest answered 503) first. */
const withdrawing = (event: AcceptedEvent) => cutting(recordWrite, async () => void (await events.withdraw(event.eventId)));
const alertsOf = async (source: AlertSource) => (await alerts.list({ alertSourceId: source.id, limit: 50 })).items;
const loggedEvents = async (alertId: string) => (await queryKeys(store.ctx, { ...indexQueries.eventLogEntries(alertId) })).keys.length;

describe('an event cut off between its alert write and its record, delivered again', () => {
  it('appends once: the count goes up by one, one log entry, outcome APPENDED', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const second = await accepted(source, 'ALERT');
    await expect(apply(second, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
    expect((await alertsOf(source))[0].eventCount).toBe(2);
    expect((await events.get(second.eventId))?.outcome).toBe('QUEUED');

    expect(await redeliver(second, source)).toMatchObject({ outcome: 'APPENDED' });
    const [alert] = await alertsOf(source);
    expect(alert.eventCount).toBe(2);
    expect(await events.get(second.eventId)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
    expect(await loggedEvents(alert.id)).toBe(2);
    // Delivered once more after it was recorded: a duplicate, nothing changes.
    expect(await redeliver(second, source)).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].eventCount).toBe(2);
  });

  it('accepts once: the redelivery is the same ACCEPTED, not ALREADY_ACCEPTED', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const accept = await accepted(source, 'ACCEPT');
    await expect(apply(accept, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
    expect((await alertsOf(source))[0].status).toBe('ACCEPTED');
    expect(await redeliver(accept, source)).toMatchObject({ outcome: 'ACCEPTED' });
    expect((await events.get(accept.eventId))?.outcome).toBe('ACCEPTED');
  });

  it('is not applied again after an operator resolved its alert and the key was released meanwhile', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const second = await accepted(source, 'ALERT');
    await expect(apply(second, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
    const [open] = await alertsOf(source);
    const alert = (await alerts.get(open.id))!;
    await alerts.changeStatus(alert, 'RESOLVED', { id: 'op-1', type: 'RESOLVED', text: 'resolved by an operator' }, new Date().toISOString());

    // Decided afresh, the ALERT would open a new alert: it was applied to the one now resolved, and stays so.
    expect(await redeliver(second, source)).toMatchObject({ outcome: 'APPENDED', alertId: open.id });
    const list = await alertsOf(source);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ status: 'RESOLVED', eventCount: 2 });
  });

  it('applies once when two workers take it at once: the second finds the first one’s mark and records the outcome', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ALERT');
    let second: unknown;
    const first = await apply(
      event,
      source,
      cutting(recordWrite, async () => void (second = await redeliver(event, source))),
    );
    expect(second).toMatchObject({ outcome: 'APPENDED' });
    expect(first).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].eventCount).toBe(2);
    expect((await events.get(event.eventId))?.outcome).toBe('APPENDED');
  });

  it('is a duplicate when delivered again after later events of its key were applied', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const early = await accepted(source, 'ALERT');
    await apply(early, source);
    for (let i = 0; i < 3; i++) await apply(await accepted(source, 'ALERT'), source);
    expect(await redeliver(early, source)).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].eventCount).toBe(5);
  });
});

/**
 * A store context whose first alert write lands but loses its answer, as a timed-out attempt does: `meanwhile` runs
 * (other processors writing on the alert), then the same write is sent again, as the SDK's retry sends it; its refusal
 * reports `attempts` as the SDK counts them.
 */
function retriedAfterLanding(meanwhile: () => Promise<void>, attempts: number): StoreContext {
  let done = false;
  const db = store.ctx.db;
  const send = (async (command: Command) => {
    const alertWrite = ['UpdateCommand', 'PutCommand'].includes(command.constructor.name) && keyOf(command).startsWith('ALERT#');
    if (done || !alertWrite) return db.send(command as never);
    done = true;
    await db.send(command as never);
    await meanwhile();
    try {
      return await db.send(command as never);
    } catch (error) {
      // The store's client has translated the SDK's refusal; its cause carries the SDK's count of attempts.
      const refused = error as ConditionFailed;
      const cause = refused.cause as { $metadata?: object };
      throw new ConditionFailed(refused.message, refused.items, { cause: { ...cause, $metadata: { ...cause?.$metadata, attempts } } });
    }
  }) as unknown as DynamoDBDocumentClient['send'];
  return withSend(send);
}

describe('a write that landed, lost its answer and was retried while other processors wrote on the alert', () => {
  it('an append overwritten by one other append since is applied once', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ALERT');
    const other = await accepted(source, 'ALERT');
    const result = await apply(
      event,
      source,
      retriedAfterLanding(async () => void (await apply(other, source)), 1),
    );
    expect(result).toMatchObject({ outcome: 'APPENDED' });
    expect((await alertsOf(source))[0].eventCount).toBe(3);
    expect((await events.get(event.eventId))?.outcome).toBe('APPENDED');
  });

  it('an accept followed by two appends since is ACCEPTED once, found in the alert’s log', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ACCEPT');
    const others = [await accepted(source, 'ALERT'), await accepted(source, 'ALERT')];
    const meanwhile = async () => {
      for (const other of others) await apply(other, source);
    };
    const result = await apply(event, source, retriedAfterLanding(meanwhile, 2));
    expect(result).toMatchObject({ outcome: 'ACCEPTED' });
    expect((await events.get(event.eventId))?.outcome).toBe('ACCEPTED');
    const [alert] = await alertsOf(source);
    expect(alert).toMatchObject({ status: 'ACCEPTED', eventCount: 3 });
  });
});

describe('an ALERT that opens an alert, cut off part way and delivered again', () => {
  const cuts: Array<[string, (command: Command) => boolean]> = [
    ['after the alert, before its lock and details', lockPut],
    ['after the alert and its lock, before its details', putOf((item) => item.sk === 'DETAILS')],
    ['before its record', recordWrite],
  ];
  it.each(cuts)('creates one alert when cut off %s: the key’s next events find it', async (_where, cut) => {
    const source = newSource();
    const event = await accepted(source, 'ALERT');
    await expect(apply(event, source, cutting(cut))).rejects.toBeInstanceOf(Crash);
    const again = await redeliver(event, source);
    expect(again).toMatchObject({ outcome: 'CREATED' });
    const list = await alertsOf(source);
    expect(list).toHaveLength(1);
    expect(list[0].id).toBe((again as { alertId: string }).alertId);
    expect(await events.get(event.eventId)).toMatchObject({ outcome: 'CREATED', alertId: list[0].id });
    expect(await loggedEvents(list[0].id)).toBe(1);
    // Its details were written, and the key's lock names it: the next ALERT appends, the ACCEPT accepts it.
    expect((await alerts.get(list[0].id))?.summary).toBe('ALERT disk');
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED', alertId: list[0].id });
    expect(await apply(await accepted(source, 'ACCEPT'), source)).toMatchObject({ outcome: 'ACCEPTED', alertId: list[0].id });
    expect(await alertsOf(source)).toHaveLength(1);
  });

  it('where each event opens an alert, opens its own once beside the key’s other open alerts', async () => {
    const source = { ...newSource(), alertCreation: 'ONE_ALERT_PER_EVENT' } as AlertSource;
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ALERT');
    await expect(apply(event, source, cutting(lockPut))).rejects.toBeInstanceOf(Crash);
    const again = await redeliver(event, source);
    expect(again).toMatchObject({ outcome: 'CREATED' });
    expect(await redeliver(event, source)).toEqual({ duplicate: true });
    const list = await alertsOf(source);
    expect(list).toHaveLength(2);
    expect((await readKeyLock(store.ctx, source.id, 'disk')).openAlertIds).toEqual(expect.arrayContaining(list.map((a) => a.id)));
    expect(await loggedEvents((again as { alertId: string }).alertId)).toBe(1);
  });

  it('puts no alert an operator resolved meanwhile back on its key’s lock: the next ALERT opens a new one', async () => {
    const source = newSource();
    const event = await accepted(source, 'ALERT');
    await expect(apply(event, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
    const [created] = await alertsOf(source);
    await alerts.changeStatus((await alerts.get(created.id))!, 'RESOLVED', { id: 'op-2', type: 'RESOLVED', text: 'resolved' }, new Date().toISOString());
    expect(await redeliver(event, source)).toMatchObject({ outcome: 'CREATED', alertId: created.id });
    expect((await readKeyLock(store.ctx, source.id, 'disk')).openAlertIds).not.toContain(created.id);
    const next = await apply(await accepted(source, 'ALERT'), source);
    expect(next).toMatchObject({ outcome: 'CREATED' });
    expect(await apply(await accepted(source, 'ACCEPT'), source)).toMatchObject({ outcome: 'ACCEPTED', alertId: (next as { alertId: string }).alertId });
    expect((await alertsOf(source)).map((a) => a.status)).toEqual(['ACCEPTED', 'RESOLVED']);
  });

  it('a new alert taken back with a delete the SDK sent again (its answer lost) is gone: the event appends to the other one', async () => {
    const source = newSource();
    const event = await accepted(source, 'ALERT');
    const other = await accepted(source, 'ALERT');
    const db = store.ctx.db;
    const cut = { lock: false, delete: false };
    const send = (async (command: Command) => {
      if (!cut.lock && lockPut(command)) {
        // The key's next ALERT opens its alert between this event's item and its lock: the lock write is refused.
        cut.lock = true;
        await apply(other, source);
      }
      if (!cut.delete && command.constructor.name === 'DeleteCommand' && keyOf(command).startsWith('ALERT#')) {
        cut.delete = true;
        await db.send(command as never);
      }
      return db.send(command as never);
    }) as unknown as DynamoDBDocumentClient['send'];
    expect(await apply(event, source, withSend(send))).toMatchObject({ outcome: 'APPENDED' });
    expect(cut).toEqual({ lock: true, delete: true });
    expect((await alertsOf(source)).map((a) => a.eventCount)).toEqual([2]);
  });

  it('a new alert on the first delivery is four single writes: alert, lock, details, record', async () => {
    const source = newSource();
    const calls: string[] = [];
    const watching = cutting((command) => {
      if (command.constructor.name !== 'GetCommand' && command.constructor.name !== 'BatchGetCommand')
        calls.push(`${command.constructor.name} ${keyOf(command) || (command.input.Item as { pk: string }).pk.split('#')[0]}`);
      return false;
    });
    expect(await apply(await accepted(source, 'ALERT'), source, watching)).toMatchObject({ outcome: 'CREATED' });
    expect(calls).toEqual(['PutCommand ALERT', 'PutCommand OPEN', 'PutCommand ALERT', expect.stringMatching(/^UpdateCommand EVENT#/)]);
  });
});

describe('a RESOLVE cut off part way and delivered again', () => {
  const lockRelease = (command: Command) =>
    (command.constructor.name === 'PutCommand' && (command.input.Item as { pk: string }).pk.startsWith('OPEN#')) ||
    (command.constructor.name === 'DeleteCommand' && keyOf(command).startsWith('OPEN#'));
  it.each([
    ['after the alert, before the lock’s release', lockRelease],
    ['before its record', recordWrite],
  ])('resolves once when cut off %s, and the key is free for a new alert', async (_where, cut) => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const resolve = await accepted(source, 'RESOLVE');
    await expect(apply(resolve, source, cutting(cut))).rejects.toBeInstanceOf(Crash);
    expect(await redeliver(resolve, source)).toMatchObject({ outcome: 'RESOLVED' });
    expect(await redeliver(resolve, source)).toEqual({ duplicate: true });
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'CREATED' });
    expect((await alertsOf(source)).map((a) => a.status)).toEqual(['PENDING', 'RESOLVED']);
  });
});

describe('an event withdrawn between its alert write and its record (ingest told the caller 503)', () => {
  it.each([
    ['appended to', 'ALERT', true],
    ['opened', 'ALERT', false],
  ] as const)('takes back what it %s when the attempt dies before taking it back itself: the redelivery does', async (_what, type, withAlert) => {
    const source = newSource();
    if (withAlert) await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, type);
    const dying = cutting(recordWrite, async () => {
      await events.withdraw(event.eventId);
      throw new Crash('cut off after the withdrawal');
    });
    await expect(apply(event, source, dying)).rejects.toBeInstanceOf(Crash);
    expect(await redeliver(event, source)).toEqual({ duplicate: true });
    const list = await alertsOf(source);
    expect(list.map((a) => a.eventCount)).toEqual(withAlert ? [1] : []);
    // The key is as it was: the next ALERT appends to the open alert, or opens the first one.
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: withAlert ? 'APPENDED' : 'CREATED' });
    expect(await alertsOf(source)).toHaveLength(1);
  });

  it('leaves the alert’s count and log as they were', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ALERT');
    expect(await apply(event, source, withdrawing(event))).toEqual({ duplicate: true });
    const [alert] = await alertsOf(source);
    expect(alert.eventCount).toBe(1);
    expect(await loggedEvents(alert.id)).toBe(1);
    expect((await events.get(event.eventId))?.outcome).toBe('WITHDRAWN');
  });

  it('leaves no alert behind when it would have opened one, and the key free for the next ALERT', async () => {
    const source = newSource();
    const event = await accepted(source, 'ALERT');
    expect(await apply(event, source, withdrawing(event))).toEqual({ duplicate: true });
    expect(await alertsOf(source)).toHaveLength(0);
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'CREATED' });
    expect(await alertsOf(source)).toHaveLength(1);
  });

  it('leaves a resolved alert open as it was (ACCEPTED) and its key locked: the next ALERT appends to it', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    await apply(await accepted(source, 'ACCEPT'), source);
    const resolve = await accepted(source, 'RESOLVE');
    expect(await apply(resolve, source, withdrawing(resolve))).toEqual({ duplicate: true });
    expect((await alertsOf(source)).map((a) => a.status)).toEqual(['ACCEPTED']);
    expect((await alerts.list({ alertSourceId: source.id, statuses: ['ACCEPTED'], limit: 10 })).items).toHaveLength(1);
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED' });
  });

  it('leaves the alert PENDING, to be accepted by the next ACCEPT', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const accept = await accepted(source, 'ACCEPT');
    expect(await apply(accept, source, withdrawing(accept))).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].status).toBe('PENDING');
    expect((await alerts.list({ alertSourceId: source.id, statuses: ['PENDING'], limit: 10 })).items).toHaveLength(1);
    expect(await apply(await accepted(source, 'ACCEPT'), source)).toMatchObject({ outcome: 'ACCEPTED' });
  });
});

describe('an event parked with its mark left behind (an outage through its later attempts), redriven after later events', () => {
  // Cut off before its record, then parked: its later attempts failed before they wrote or read anything. Its source's
  // later events then overwrite its mark on the alert; the redrive must find it all the same.
  const parkedAfterItsAlert = async (event: AcceptedEvent, source: AlertSource) =>
    expect(apply(event, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
  /** Parked so, and withdrawn too: ingest had answered 503 although the queue took the message. */
  const parkedAndWithdrawn = async (event: AcceptedEvent, source: AlertSource) => {
    await parkedAfterItsAlert(event, source);
    await events.withdraw(event.eventId);
  };
  const later = async (source: AlertSource, count: number) => {
    for (let i = 0; i < count; i++) expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED' });
  };

  it.each([1, 2, 3])('an append overwritten by %i later append(s) counts once', async (laterCount) => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'ALERT');
    await parkedAfterItsAlert(parked, source);
    await later(source, laterCount);

    const [alert] = await alertsOf(source);
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
    expect((await alertsOf(source))[0].eventCount).toBe(2 + laterCount);
    expect(await events.get(parked.eventId)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
    expect(await loggedEvents(alert.id)).toBe(2 + laterCount);
    expect(await redrive(parked, source)).toEqual({ duplicate: true });
  });

  it('is found when the processor marked it FAILED on its last attempt, however young', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'ALERT');
    await parkedAfterItsAlert(parked, source);
    await events.markFailed(parked, 'DynamoDB was unreachable', new Date().toISOString());
    await later(source, 2);
    expect(await redeliver(parked, source)).toMatchObject({ outcome: 'APPENDED' });
    expect((await alertsOf(source))[0].eventCount).toBe(4);
  });

  it('an accept overwritten by later appends is ACCEPTED once, not ALREADY_ACCEPTED', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'ACCEPT');
    await parkedAfterItsAlert(parked, source);
    await later(source, 2);
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'ACCEPTED' });
    expect(await redrive(parked, source)).toEqual({ duplicate: true });
    expect(await alertsOf(source)).toMatchObject([{ status: 'ACCEPTED', eventCount: 3 }]);
  });

  it('a new alert appended to since is CREATED once: one alert, its count as many as its events, its key still locked', async () => {
    const source = newSource();
    const parked = await accepted(source, 'ALERT');
    await parkedAfterItsAlert(parked, source);
    await later(source, 2);
    const [alert] = await alertsOf(source);
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'CREATED', alertId: alert.id });
    expect(await redrive(parked, source)).toEqual({ duplicate: true });
    expect(await alertsOf(source)).toMatchObject([{ id: alert.id, eventCount: 3, status: 'PENDING' }]);
    expect(await loggedEvents(alert.id)).toBe(3);
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
  });

  it('a resolve redriven after a new alert of its key resolves its own alert, not the new one', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'RESOLVE');
    await parkedAfterItsAlert(parked, source);
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'CREATED' });
    await later(source, 1);
    const [newer, resolved] = await alertsOf(source);
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'RESOLVED', alertId: resolved.id });
    expect(await alertsOf(source)).toMatchObject([
      { id: newer.id, status: 'PENDING', eventCount: 2 },
      { id: resolved.id, status: 'RESOLVED' },
    ]);
  });

  it('is found when the event that overwrote its mark was itself cut off before its record and delivered again', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'ALERT');
    await parkedAfterItsAlert(parked, source);
    const next = await accepted(source, 'ALERT');
    await expect(apply(next, source, cutting(recordWrite))).rejects.toBeInstanceOf(Crash);
    expect(await redeliver(next, source)).toMatchObject({ outcome: 'APPENDED' });
    await later(source, 1);
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'APPENDED' });
    expect((await alertsOf(source))[0].eventCount).toBe(4);
  });

  it('withdrawn, and its new alert written on since: the alert stays as it is, with its details and its lock', async () => {
    const source = newSource();
    const parked = await accepted(source, 'ALERT');
    await parkedAndWithdrawn(parked, source);
    await later(source, 2);
    const [alert] = await alertsOf(source);
    expect(await redrive(parked, source)).toEqual({ duplicate: true });
    expect((await alerts.get(alert.id))?.summary).toBe('ALERT disk');
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
    expect(await alertsOf(source)).toMatchObject([{ id: alert.id, eventCount: 4 }]);
  });

  it('withdrawn, and a later withdrawn event’s undo gave its mark back: taken back once, however often delivered', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = await accepted(source, 'ALERT');
    await parkedAndWithdrawn(parked, source);
    const next = await accepted(source, 'ALERT');
    expect(await apply(next, source, withdrawing(next))).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].eventCount).toBe(2);
    for (let i = 0; i < 3; i++) expect(await redrive(parked, source)).toEqual({ duplicate: true });
    expect((await alertsOf(source))[0].eventCount).toBe(1);
  });

  it('withdrawn, its new alert commented on since (a transaction, which leaves the mark): the alert stays', async () => {
    const source = newSource();
    const parked = await accepted(source, 'ALERT');
    await parkedAndWithdrawn(parked, source);
    expect(await apply(await accepted(source, 'COMMENT'), source)).toMatchObject({ outcome: 'COMMENTED' });
    const [alert] = await alertsOf(source);
    expect(await redrive(parked, source)).toEqual({ duplicate: true });
    expect(await alertsOf(source)).toMatchObject([{ id: alert.id, status: 'PENDING' }]);
    expect(await apply(await accepted(source, 'ALERT'), source)).toMatchObject({ outcome: 'APPENDED', alertId: alert.id });
  });

  it('a new alert cut off before its lock, while the key’s next ALERT opened another: the redrive appends to that one', async () => {
    const source = newSource();
    const parked = await accepted(source, 'ALERT');
    await expect(apply(parked, source, cutting(lockPut))).rejects.toBeInstanceOf(Crash);
    const other = await apply(await accepted(source, 'ALERT'), source);
    expect(other).toMatchObject({ outcome: 'CREATED' });
    expect(await redrive(parked, source)).toMatchObject({ outcome: 'APPENDED', alertId: (other as { alertId: string }).alertId });
    expect(await alertsOf(source)).toMatchObject([{ id: (other as { alertId: string }).alertId, eventCount: 2, status: 'PENDING' }]);
  });

  it('is found by the processor when its message comes back later than it could have been parked', async () => {
    // Its attempts a visibility timeout (1 s here) apart: after 4 s it may have been parked and redriven.
    Object.assign(process.env, { POWERTOOLS_LOG_LEVEL: 'SILENT', POWERTOOLS_METRICS_DISABLED: 'true' });
    const { createBatchProcessor } = require('../../lambdas/handlers/processor') as typeof import('../../lambdas/handlers/processor');
    const processBatch = createBatchProcessor({
      tableName: store.ctx.tableName,
      dynamoDbEndpoint: store.endpoint,
      sourceCacheTtlMs: 0,
      maxReceiveCount: 5,
      visibilityTimeoutSeconds: 1,
      singleWrites: true,
    });
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const parked = { ...(await accepted(source, 'ALERT')), receivedAt: new Date(Date.now() - 60_000).toISOString() };
    await parkedAfterItsAlert(parked, source);
    await later(source, 2);
    const message = {
      messageId: 'm-redriven',
      receiptHandle: 'rh-redriven',
      body: asciiJson(parked),
      attributes: { ApproximateReceiveCount: '2', SentTimestamp: String(Date.now()), MessageGroupId: source.id, MessageDeduplicationId: parked.eventId },
      messageAttributes: {},
      md5OfBody: '',
      eventSource: 'aws:sqs',
      eventSourceARN: 'arn:aws:sqs:local:000000000000:alertline-events.fifo',
      awsRegion: 'us-east-1',
    } as unknown as SQSRecord;
    expect(await processBatch({ Records: [message] }, lambdaContext('processor'))).toEqual({ batchItemFailures: [] });
    expect(await events.get(parked.eventId)).toMatchObject({ outcome: 'APPENDED' });
    expect((await alertsOf(source))[0].eventCount).toBe(4);
  });

  it('a young redelivery with no earlier attempt reads no alert’s log', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    await later(source, 2);
    const queries: string[] = [];
    const watching = cutting((command) => {
      if (command.constructor.name === 'QueryCommand') queries.push(String(Object.values(command.input.ExpressionAttributeValues as object)[0]));
      return false;
    });
    expect(await redeliver(await accepted(source, 'ALERT'), source, watching)).toMatchObject({ outcome: 'APPENDED' });
    expect(queries.filter((partition) => partition.startsWith('LOG#'))).toEqual([]);
    expect(queries.length).toBeGreaterThan(0);
  });
});

describe('an event’s last attempt', () => {
  it('writes its alert and its record in one transaction: cut off, nothing of it was written', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const event = await accepted(source, 'ALERT');
    const calls: string[] = [];
    const watching = cutting((command) => {
      calls.push(command.constructor.name);
      return anyWrite(command);
    });
    await expect(apply(event, source, watching, { tried: true, singleWrites: false })).rejects.toBeInstanceOf(Crash);
    expect(calls).toContain('TransactWriteCommand');
    expect(calls).not.toContain('UpdateCommand');
    expect((await alertsOf(source))[0].eventCount).toBe(1);
    expect(await apply(event, source, store.ctx, { tried: true, singleWrites: false })).toMatchObject({ outcome: 'APPENDED' });
    expect((await alertsOf(source))[0].eventCount).toBe(2);
  });

  it('a first delivery takes the single-write way: no transaction', async () => {
    const source = newSource();
    await apply(await accepted(source, 'ALERT'), source);
    const calls: string[] = [];
    const watching = cutting((command) => {
      calls.push(command.constructor.name);
      return false;
    });
    expect(await apply(await accepted(source, 'ALERT'), source, watching)).toMatchObject({ outcome: 'APPENDED' });
    expect(calls.filter((c) => c !== 'GetCommand' && c !== 'BatchGetCommand')).toEqual(['UpdateCommand', 'UpdateCommand']);
  });
});
