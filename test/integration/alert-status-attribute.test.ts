// An alert's status kept in `alertStatus`, which no index projects, beside alerts written before with `status`, on
// DynamoDB Local: listings under a status filter their index does not apply keep their pages (at most `limit`
// alerts, newest first, each once, none outside the filters, the work of one request bounded), and every condition
// on an alert's status holds for both kinds of items.
import { BatchWriteCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ensureTable, type LocalDynamoDb } from '../../local/dynamodb';
import type { Alert, AlertStatus } from '../../lambdas/domain/alert';
import { measured, type Usage } from '../../lambdas/shared/usage';
import { listAlerts, type AlertFilter } from '../../lambdas/store/alert-list';
import { alertDetailsItem, alertItem } from '../../lambdas/store/alert-rows';
import { statusChange } from '../../lambdas/store/alert-status';
import { createDocumentClient, type StoreContext } from '../../lambdas/store/client';
import { conditions } from '../../lambdas/store/conditions';
import { ConditionFailed } from '../../lambdas/store/sdk-errors';
import { startLocalDynamo } from '../support/local-store';

jest.setTimeout(180_000);

let dynamo: LocalDynamoDb;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  dynamo = await startLocalDynamo();
  // DynamoDB Local on a busy machine: a write of 25 items may take longer than a Lambda's call budget.
  db = createDocumentClient({ endpoint: dynamo.endpoint, budget: { maxAttempts: 3, attemptTimeoutMs: 15_000, totalMs: 45_000 } });
});

afterAll(async () => {
  db?.destroy();
  await dynamo?.stop();
});

/** A table of its own for each scenario: the listing of all alerts then shows that scenario's alerts only. */
let tables = 0;
async function newTable(): Promise<StoreContext> {
  const tableName = `status-${++tables}`;
  await ensureTable(dynamo.endpoint, tableName);
  return { db, tableName };
}

const alert = (n: number, status: AlertStatus, source = 'src-1', alertKey = 'disk'): Alert => {
  const createdAt = new Date(Date.UTC(2026, 0, 1) + n * 1000).toISOString();
  return {
    id: `alert-${String(n).padStart(4, '0')}`,
    alertSourceId: source,
    alertKey,
    summary: `alert ${n}`,
    details: `details of alert ${n}`,
    status,
    priority: 'HIGH',
    images: [],
    links: [],
    customDetails: { n },
    eventCount: 1,
    createdAt,
    updatedAt: createdAt,
  };
};

/** The alert's item as written before its status moved to `alertStatus`: `status`, which every index projects, an entry on
 * gsi1's `ALERTS` listing (which the listing of all alerts no longer reads) and its status's own gsi3 partition. */
function oldItem(a: Alert) {
  const { alertStatus, ...item } = alertItem(a);
  return { ...item, status: alertStatus, gsi1pk: 'ALERTS', gsi1sk: item.gsi2sk, gsi3pk: `STATUS#${alertStatus}` };
}

/** Writes alerts, each with its details item; `old` ones with `status` on their item. */
async function write(ctx: StoreContext, alerts: Array<{ alert: Alert; old?: boolean }>) {
  const items = alerts.flatMap(({ alert: a, old }) => [old ? oldItem(a) : alertItem(a), alertDetailsItem(a)]);
  for (let i = 0; i < items.length; i += 25) {
    const batch = items.slice(i, i + 25).map((Item) => ({ PutRequest: { Item } }));
    await db.send(new BatchWriteCommand({ RequestItems: { [ctx.tableName]: batch } }));
  }
}

/** Every page of a listing, asserting each one's bound. */
async function walk(ctx: StoreContext, filter: Omit<AlertFilter, 'cursor'>) {
  const pages: Alert[][] = [];
  let cursor: string | undefined;
  do {
    const page = await listAlerts(ctx, { ...filter, cursor });
    expect(page.items.length).toBeLessThanOrEqual(filter.limit);
    pages.push(page.items);
    cursor = page.nextCursor;
    expect(pages.length).toBeLessThan(500);
  } while (cursor);
  return pages;
}

/** What one listing request consumed. */
async function usageOf(run: () => Promise<unknown>): Promise<Usage> {
  let usage: Usage | undefined;
  await measured('listing-test', run, (u) => (usage = u));
  return usage!;
}

describe('a listing under a status filter its index does not apply', () => {
  const STATUSES: AlertStatus[] = ['PENDING', 'ACCEPTED', 'RESOLVED', 'RESOLVED', 'PENDING', 'RESOLVED', 'RESOLVED'];
  let ctx: StoreContext;
  /** 60 alerts of two sources and two keys, old and new, of every status; newest first. */
  let all: Array<{ alert: Alert; old: boolean }>;

  beforeAll(async () => {
    ctx = await newTable();
    all = Array.from({ length: 60 }, (_, n) => ({
      alert: alert(n, STATUSES[n % STATUSES.length], n % 3 === 0 ? 'src-2' : 'src-1', n % 4 === 0 ? 'cpu' : 'disk'),
      old: n % 2 === 1,
    })).reverse();
    await write(ctx, all);
  });

  const expected = (keep: (a: Alert) => boolean) => all.map((x) => x.alert).filter(keep);
  const open = (a: Alert) => a.status !== 'RESOLVED';

  it.each([1, 2, 3, 7, 100])('walks the open alerts once each, newest first, old and new, %i per page', async (limit) => {
    const cases: Array<[Omit<AlertFilter, 'cursor' | 'limit'>, (a: Alert) => boolean]> = [
      // No filter, and several statuses: gsi3's status partitions merged.
      [{}, () => true],
      [{ statuses: ['PENDING', 'ACCEPTED'] }, open],
      // One open status: the open partition, filtered on the items, merged with older alerts' partition of it.
      [{ statuses: ['PENDING'] }, (a) => a.status === 'PENDING'],
      [{ statuses: ['ACCEPTED', 'RESOLVED'] }, (a) => a.status !== 'PENDING'],
      [{ statuses: ['PENDING', 'ACCEPTED'], alertSourceId: 'src-1' }, (a) => open(a) && a.alertSourceId === 'src-1'],
      [{ statuses: ['PENDING'], alertSourceId: 'src-2' }, (a) => a.status === 'PENDING' && a.alertSourceId === 'src-2'],
      [
        { statuses: ['ACCEPTED', 'RESOLVED'], alertKey: 'cpu', alertSourceId: 'src-2' },
        (a) => a.status !== 'PENDING' && a.alertKey === 'cpu' && a.alertSourceId === 'src-2',
      ],
      [{ statuses: ['RESOLVED'] }, (a) => a.status === 'RESOLVED'],
    ];
    for (const [filter, keep] of cases) {
      const pages = await walk(ctx, { ...filter, limit });
      expect({ filter, ids: pages.flat().map((a) => a.id) }).toEqual({ filter, ids: expected(keep).map((a) => a.id) });
      // Every page but the last is full: the matches are dense enough for the rounds to fill it.
      for (const page of pages.slice(0, -1)) expect(page).toHaveLength(limit);
    }
  });

  it('reads the alerts kept whole, with their details, and their status from either attribute', async () => {
    const { items } = await listAlerts(ctx, { statuses: ['PENDING', 'ACCEPTED'], limit: 100 });
    expect(items).toEqual(expected(open));
  });

  it('shows an alert under its new status once it changed, and not under the old one', async () => {
    const changed = all.find((x) => x.old && x.alert.status === 'PENDING')!.alert;
    await db.send(
      new UpdateCommand(statusChange(ctx.tableName, changed.id, 'RESOLVED', changed.createdAt, conditions.alertStatusIs('PENDING')).Update! as never),
    );
    const ids = async (statuses: AlertStatus[]) => (await walk(ctx, { statuses, limit: 4 })).flat().map((a) => a.id);
    expect(await ids(['PENDING', 'ACCEPTED'])).not.toContain(changed.id);
    expect(await ids(['RESOLVED', 'ACCEPTED'])).toContain(changed.id);
    expect((await walk(ctx, { statuses: ['RESOLVED'], limit: 4 })).flat().map((a) => a.id)).toContain(changed.id);
  });
});

describe('a sparse status filter', () => {
  it('finds the one open alert behind 250 resolved ones at once when no source or key is asked for (status partitions)', async () => {
    const ctx = await newTable();
    const resolved = Array.from({ length: 250 }, (_, n) => ({ alert: alert(n + 1, 'RESOLVED') }));
    await write(ctx, [{ alert: alert(0, 'PENDING') }, ...resolved]);
    let page: Awaited<ReturnType<typeof listAlerts>> | undefined;
    const usage = await usageOf(async () => (page = await listAlerts(ctx, { statuses: ['PENDING', 'ACCEPTED'], limit: 5 })));
    expect(page!.items.map((a) => a.id)).toEqual(['alert-0000']);
    expect(page!.nextCursor).toBeUndefined();
    expect(usage.rru).toBeLessThan(10);
  });

  it('bounds the items one request reads: a short page with a cursor, and the walk goes on to the match', async () => {
    const ctx = await newTable();
    // The one open alert is the oldest of its source, behind 250 resolved ones: the source's partition has them all.
    const resolved = Array.from({ length: 250 }, (_, n) => ({ alert: alert(n + 1, 'RESOLVED') }));
    await write(ctx, [{ alert: alert(0, 'PENDING') }, ...resolved]);
    const filter = { statuses: ['PENDING', 'ACCEPTED'] as AlertStatus[], alertSourceId: 'src-1', limit: 5 };
    let first: Awaited<ReturnType<typeof listAlerts>> | undefined;
    const usage = await usageOf(async () => (first = await listAlerts(ctx, filter)));
    expect(first!.items).toEqual([]);
    expect(first!.nextCursor).toEqual(expect.any(String));
    // At most 200 alert items of under 1 KB read, half a unit each, besides the index pages.
    expect(usage.rru).toBeLessThanOrEqual(110);
    const pages = await walk(ctx, filter);
    expect(pages.flat().map((a) => a.id)).toEqual(['alert-0000']);
    expect(pages.length).toBeLessThanOrEqual(3);
  });

  it('leaves out old alerts of another status on the index, without reading them', async () => {
    const ctx = await newTable();
    const resolved = Array.from({ length: 250 }, (_, n) => ({ alert: alert(n + 1, 'RESOLVED'), old: true }));
    await write(ctx, [{ alert: alert(0, 'PENDING'), old: true }, ...resolved]);
    let page: Awaited<ReturnType<typeof listAlerts>> | undefined;
    const usage = await usageOf(async () => (page = await listAlerts(ctx, { statuses: ['PENDING', 'ACCEPTED'], alertSourceId: 'src-1', limit: 5 })));
    expect(page!.items.map((a) => a.id)).toEqual(['alert-0000']);
    expect(page!.nextCursor).toBeUndefined();
    // The index pages and the one alert: reading the 250 resolved ones by key would cost over 100 units.
    expect(usage.rru).toBeLessThan(10);
  });
});

describe("conditions on an alert's status", () => {
  it('hold for an alert written with `status` as for one with `alertStatus`, and refuse a status it does not have', async () => {
    const ctx = await newTable();
    const change = (id: string, to: 'ACCEPTED' | 'RESOLVED', from: AlertStatus) =>
      db.send(new UpdateCommand(statusChange(ctx.tableName, id, to, '2026-01-02T00:00:00.000Z', conditions.alertStatusIs(from)).Update! as never));
    const open = (id: string) =>
      db.send(
        new UpdateCommand({
          TableName: ctx.tableName,
          Key: { pk: `ALERT#${id}`, sk: 'ALERT' },
          UpdateExpression: 'SET touched = :t',
          ...conditions.alertOpen,
          ExpressionAttributeValues: { ...conditions.alertOpen.ExpressionAttributeValues, ':t': 1 },
        }),
      );
    for (const [n, old] of [
      [1, false],
      [2, true],
    ] as const) {
      const a = alert(n, 'PENDING');
      await db.send(new PutCommand({ TableName: ctx.tableName, Item: old ? oldItem(a) : alertItem(a) }));
      await expect(change(a.id, 'RESOLVED', 'ACCEPTED')).rejects.toThrow(ConditionFailed);
      await expect(open(a.id)).resolves.toBeDefined();
      await change(a.id, 'ACCEPTED', 'PENDING');
      await expect(change(a.id, 'ACCEPTED', 'PENDING')).rejects.toThrow(ConditionFailed);
      await change(a.id, 'RESOLVED', 'ACCEPTED');
      await expect(open(a.id)).rejects.toThrow(ConditionFailed);
    }
  });
});
