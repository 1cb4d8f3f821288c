// The capacity counter against DynamoDB Local: a transaction counted from its items' sizes costs what the same writes cost
// as single calls (which DynamoDB Local reports right): twice the table's units, plus the index entries put or deleted.
// And what an alert's status change costs, now that no index projects the status of a new alert.
import { DeleteCommand, PutCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { measured, type Usage } from '../../lambdas/shared/usage';
import type { Alert } from '../../lambdas/domain/alert';
import { alertItem } from '../../lambdas/store/alert-rows';
import { statusChange } from '../../lambdas/store/alert-status';
import { conditions } from '../../lambdas/store/conditions';
import { startLocalStore, type LocalStore } from '../support/local-store';

jest.setTimeout(180_000);

const TABLE = 'alertline';

interface Consumed {
  Table?: { CapacityUnits?: number };
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** What a single call reported: the table's units and the indexes' units. */
const split = (c: Consumed | undefined) => ({
  table: c?.Table?.CapacityUnits ?? 0,
  indexes: Object.values(c?.GlobalSecondaryIndexes ?? {}).reduce((sum, i) => sum + (i.CapacityUnits ?? 0), 0),
});

/** A transaction's units in its own measured scope. */
async function unitsOf(run: () => Promise<unknown>): Promise<Usage> {
  let usage: Usage | undefined;
  await measured('capacity-test', run, (u) => (usage = u));
  return usage!;
}

/** An alert-like item with its four index entries; `id` of a fixed length, so that twins have equal sizes. */
const alert = (id: string, details: string, status = 'PENDING') => ({
  pk: `ALERT#${id}`,
  sk: 'ALERT',
  gsi1pk: 'ALERTS',
  gsi1sk: `2026-01-01T00:00:00.000Z#${id}`,
  gsi2pk: 'SOURCE#src-0001',
  gsi2sk: `2026-01-01T00:00:00.000Z#${id}`,
  gsi3pk: `STATUS#${status}`,
  gsi3sk: `2026-01-01T00:00:00.000Z#${id}`,
  gsi4pk: 'AKEY#disk-full',
  gsi4sk: `2026-01-01T00:00:00.000Z#${id}`,
  status,
  alertSourceId: 'src-0001',
  alertKeyNormalized: 'disk-full',
  summary: 'disk usage above threshold',
  details,
  eventCount: 1,
  updatedAt: '2026-01-01T00:00:00.000Z',
});

describe('capacity counter', () => {
  let store: LocalStore;
  let db: DynamoDBDocumentClient;

  beforeAll(async () => {
    store = await startLocalStore(TABLE);
    db = store.ctx.db;
  });

  afterAll(async () => {
    await store?.stop();
  });

  /**
   * Runs `single(key)` call by call on one set of keys, and the same writes as one transaction on twin keys; the
   * transaction counted by size must cost 2 x the table's units of the single calls plus their index units.
   */
  async function compare(
    singles: Array<(id: string) => { command: PutCommand | UpdateCommand | DeleteCommand; item: Record<string, unknown> }>,
    singleIds: string[],
    twinIds: string[],
  ) {
    let expected = 0;
    let reportedSingles = 0;
    const usageSingles = await unitsOf(async () => {
      for (const [i, make] of singles.entries()) {
        const out = (await db.send(make(singleIds[i]).command as PutCommand)) as { ConsumedCapacity?: Consumed };
        const { table, indexes } = split(out.ConsumedCapacity);
        expected += 2 * table + indexes;
        reportedSingles += table + indexes;
      }
    });
    // The single calls are counted as DynamoDB Local reports them.
    expect(usageSingles.wru).toBe(reportedSingles);
    const transaction = await unitsOf(() => db.send(new TransactWriteCommand({ TransactItems: singles.map((make, i) => make(twinIds[i]).item as never) })));
    expect(transaction.itemsEstimated).toBe(0);
    expect(transaction.wruBySize).toBe(expected);
    return { expected, transaction };
  }

  const put = (item: Record<string, unknown>) => ({
    command: new PutCommand({ TableName: TABLE, Item: item }),
    item: { Put: { TableName: TABLE, Item: item } },
  });
  const update = (key: Record<string, unknown>, expression: string, values: Record<string, unknown>, names?: Record<string, string>) => {
    const input = { TableName: TABLE, Key: key, UpdateExpression: expression, ExpressionAttributeValues: values, ExpressionAttributeNames: names };
    return { command: new UpdateCommand(input), item: { Update: input } };
  };

  it('counts a new item with four index entries, above 1 KB', async () => {
    const details = 'x'.repeat(1500);
    const { expected } = await compare([(id) => put(alert(id, details))], ['a-0001'], ['b-0001']);
    expect(expected).toBe(2 * 2 + 4); // 2 KB of item, four small index entries
  });

  it('counts five equal small puts as five (DynamoDB Local would report the distinct values only)', async () => {
    const small = (id: string) => put({ pk: `SMALL#${id}`, sk: 'SMALL', note: 'a small item of about a hundred bytes, no index' });
    const { expected } = await compare([small, small, small, small, small], ['s-01', 's-02', 's-03', 's-04', 's-05'], ['t-01', 't-02', 't-03', 't-04', 't-05']);
    expect(expected).toBe(10);
  });

  it('counts an update from the item it changes: an append touches no index, a status change moves one and re-puts three', async () => {
    for (const id of ['c-0001', 'd-0001']) await db.send(new PutCommand({ TableName: TABLE, Item: alert(id, 'y'.repeat(900)) }));
    const append = (id: string) =>
      update({ pk: `ALERT#${id}`, sk: 'ALERT' }, 'ADD eventCount :one SET updatedAt = :now, details = :details', {
        ':one': 1,
        ':now': '2026-01-01T00:01:00.000Z',
        ':details': 'z'.repeat(1200), // crosses 1 KB: the larger of old and new counts
      });
    await compare([append], ['c-0001'], ['d-0001']);
    const accept = (id: string) =>
      update(
        { pk: `ALERT#${id}`, sk: 'ALERT' },
        'SET #status = :s, gsi3pk = :g REMOVE summary',
        { ':s': 'ACCEPTED', ':g': 'STATUS#ACCEPTED' },
        { '#status': 'status' },
      );
    const { expected } = await compare([accept], ['c-0001'], ['d-0001']);
    expect(expected).toBe(2 * 2 + 2 + 3); // the item; gsi3 deleted and put; gsi1, gsi2, gsi4 re-put for the projected status
  });

  it('counts a sparse index entry moved and removed, and a delete', async () => {
    const event = (id: string) => ({ pk: `EVENT#${id}`, sk: 'EVENT', gsi2pk: 'QUEUED#src-0001', gsi2sk: id, outcome: 'QUEUED', payload: 'p'.repeat(700) });
    for (const id of ['e-0001', 'f-0001']) await db.send(new PutCommand({ TableName: TABLE, Item: event(id) }));
    const applied = (id: string) =>
      update({ pk: `EVENT#${id}`, sk: 'EVENT' }, 'SET outcome = :o, gsi2pk = :pk, gsi2sk = :sk REMOVE payload', {
        ':o': 'APPENDED',
        ':pk': 'LOG#alert-1',
        ':sk': `2026#${id}`,
      });
    await compare([applied], ['e-0001'], ['f-0001']);
    const remove = (id: string) => {
      const Key = { pk: `EVENT#${id}`, sk: 'EVENT' };
      return { command: new DeleteCommand({ TableName: TABLE, Key }), item: { Delete: { TableName: TABLE, Key } } };
    };
    await compare([remove], ['e-0001'], ['f-0001']);
  });

  describe("an alert's status change", () => {
    const newAlert = (id: string): Alert => ({
      id,
      alertSourceId: 'src-0001',
      alertKey: 'disk-full',
      summary: 'disk usage above threshold',
      status: 'PENDING',
      priority: 'HIGH',
      images: [],
      links: [],
      customDetails: {},
      eventCount: 1,
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-01T00:00:00.000Z',
    });
    /** The item an alert was written as before its status moved to alertStatus: `status`, which the indexes project. */
    /** An alert's item as written before: `status` (projected), an entry on gsi1's `ALERTS` listing, its status's own gsi3 partition. */
    const oldItem = (id: string) => {
      const { alertStatus, ...item } = alertItem(newAlert(id));
      return { ...item, status: alertStatus, gsi1pk: 'ALERTS', gsi1sk: item.gsi2sk, gsi3pk: `STATUS#${alertStatus}` };
    };
    /** The update the processor's ACCEPT and RESOLVE (and an operator's) make, as a transaction item. */
    const change = (id: string, status: 'ACCEPTED' | 'RESOLVED', from: string) =>
      statusChange(TABLE, id, status, '2026-01-01T00:05:00.000Z', conditions.alertStatusIs(from)).Update!;

    /** The units each index reports for one status change made as a single call. */
    async function indexUnits(id: string, status: 'ACCEPTED' | 'RESOLVED', from: string) {
      const out = (await db.send(new UpdateCommand(change(id, status, from) as never))) as { ConsumedCapacity?: Consumed };
      return {
        table: out.ConsumedCapacity?.Table?.CapacityUnits,
        indexes: Object.fromEntries(Object.entries(out.ConsumedCapacity?.GlobalSecondaryIndexes ?? {}).map(([name, c]) => [name, c.CapacityUnits])),
      };
    }
    /** What the same change costs in a transaction, as the processor and the API write it (counted by size). */
    const inTransaction = async (id: string, status: 'ACCEPTED' | 'RESOLVED', from: string) =>
      (await unitsOf(() => db.send(new TransactWriteCommand({ TransactItems: [{ Update: change(id, status, from) as never }] })))).wruBySize;

    it('moves no index entry of a new alert on accept (open is one gsi3 partition), only its gsi3 entry on resolve', async () => {
      for (const id of ['n-0001', 'n-0002']) await db.send(new PutCommand({ TableName: TABLE, Item: alertItem(newAlert(id)) }));
      expect(await indexUnits('n-0001', 'ACCEPTED', 'PENDING')).toEqual({ table: 1, indexes: {} });
      expect(await indexUnits('n-0001', 'RESOLVED', 'ACCEPTED')).toEqual({ table: 1, indexes: { gsi3: 2 } });
      // In a transaction: twice the item's unit, plus gsi3's delete and put on resolve.
      expect(await inTransaction('n-0002', 'ACCEPTED', 'PENDING')).toBe(2);
      expect(await inTransaction('n-0002', 'RESOLVED', 'ACCEPTED')).toBe(4);
    });

    it("rewrites an older alert's gsi1, gsi2 and gsi4 entries at its first change only", async () => {
      for (const id of ['o-0001', 'o-0002']) await db.send(new PutCommand({ TableName: TABLE, Item: oldItem(id) }));
      expect(await indexUnits('o-0001', 'ACCEPTED', 'PENDING')).toEqual({ table: 1, indexes: { gsi1: 1, gsi2: 1, gsi3: 2, gsi4: 1 } });
      expect(await indexUnits('o-0001', 'RESOLVED', 'ACCEPTED')).toEqual({ table: 1, indexes: { gsi3: 2 } });
      expect(await inTransaction('o-0002', 'ACCEPTED', 'PENDING')).toBe(7);
      expect(await inTransaction('o-0002', 'RESOLVED', 'ACCEPTED')).toBe(4);
    });
  });
});
