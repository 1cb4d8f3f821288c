// A data folder from before the alert's details moved to an item of their own: its alerts carry details, images, links
// and custom details on their item, and still read whole (by id and in listings) and take appends and a resolve. And
// from before an alert's status moved to `alertStatus`: its alerts keep `status` (projected on every index), are listed
// under every status filter, and are accepted and resolved, by events and by operators.
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import type { Alert } from '../../lambdas/domain/alert';
import { alertDetailsItem, alertItem } from '../../lambdas/store/alert-rows';
import { createDocumentClient } from '../../lambdas/store/client';
import { alertKeys, openAlertKeys } from '../../lambdas/store/keys';
import { clientFor } from '../support/client';

jest.setTimeout(180_000);

let rt: RuntimeProcess;
let db: DynamoDBDocumentClient;

beforeAll(async () => {
  rt = await startRuntimeProcess();
  db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
});

afterAll(async () => {
  db?.destroy();
  await rt?.stop();
});

/** An alert's item as written before its status moved to `alertStatus`: `status`, which every index projects, an entry on
 * gsi1's `ALERTS` listing (which the listing of all alerts no longer reads) and its status's own gsi3 partition. */
function oldItem(alert: Alert) {
  const { alertStatus, ...item } = alertItem(alert);
  return { ...item, status: alertStatus, gsi1pk: 'ALERTS', gsi1sk: item.gsi2sk, gsi3pk: `STATUS#${alertStatus}` };
}

test('an alert written whole on one item reads whole, and events still act on it', async () => {
  const api = clientFor(rt);
  const source = await api.createSource();
  const now = new Date().toISOString();
  const alert: Alert = {
    id: '01LEGACY0000000000000000AA',
    alertSourceId: source.id,
    alertKey: 'legacy-disk',
    summary: 'written by the previous version',
    details: 'details kept on the alert item',
    status: 'PENDING',
    priority: 'HIGH',
    images: [],
    links: [{ href: 'https://example.com/runbook', text: 'runbook' }] as Alert['links'],
    customDetails: { host: 'db-1' },
    eventCount: 1,
    createdAt: now,
    updatedAt: now,
  };
  // The previous version's item: the large fields on it, no details item.
  const legacy = { ...oldItem(alert), ...alertDetailsItem(alert), ...alertKeys.item(alert.id), entity: 'Alert' };
  await db.send(new PutCommand({ TableName: rt.info.tableName, Item: legacy }));
  await db.send(
    new PutCommand({ TableName: rt.info.tableName, Item: { ...openAlertKeys.item(source.id, 'legacy-disk'), openAlertIds: [alert.id], revision: 'r-legacy' } }),
  );

  const read = await api.request('GET', `/api/alerts/${alert.id}`);
  expect(read.status).toBe(200);
  expect(read.body).toEqual(expect.objectContaining({ details: alert.details, links: alert.links, customDetails: alert.customDetails }));
  const listed = await api.alerts(`alertKey=legacy-disk`);
  expect(listed.body.items).toEqual([expect.objectContaining({ id: alert.id, details: alert.details, customDetails: alert.customDetails })]);

  const appended = await api.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'legacy-disk', summary: 'again' });
  const resolved = await api.postEvent({ apiKey: source.integrationKey, eventType: 'RESOLVE', alertKey: 'legacy-disk' });
  await api.applied([appended.body.eventId, resolved.body.eventId], 60_000);
  expect((await api.event(appended.body.eventId)).body).toEqual(expect.objectContaining({ outcome: 'APPENDED', alertId: alert.id }));
  const after = await api.request('GET', `/api/alerts/${alert.id}`);
  expect(after.body).toEqual(expect.objectContaining({ status: 'RESOLVED', eventCount: 2, details: alert.details, links: alert.links }));
});

test('an alert written with `status` is listed by its status, accepted and resolved, and then keeps `alertStatus` only', async () => {
  const api = clientFor(rt);
  const source = await api.createSource();
  const at = (minutesAgo: number) => new Date(Date.now() - minutesAgo * 60_000).toISOString();
  const old = (id: string, alertKey: string, status: Alert['status'], createdAt: string): Alert => ({
    id,
    alertSourceId: source.id,
    alertKey,
    summary: `${alertKey} (written by the previous version)`,
    status,
    priority: 'HIGH',
    images: [],
    links: [],
    customDetails: {},
    eventCount: 1,
    createdAt,
    updatedAt: createdAt,
  });
  const pending = old('01OLDSTATUS00000000000000P', 'old-pending', 'PENDING', at(30));
  const resolvedBefore = old('01OLDSTATUS00000000000000R', 'old-resolved', 'RESOLVED', at(20));
  for (const alert of [pending, resolvedBefore]) {
    await db.send(new PutCommand({ TableName: rt.info.tableName, Item: oldItem(alert) }));
    await db.send(new PutCommand({ TableName: rt.info.tableName, Item: alertDetailsItem(alert) }));
  }
  await db.send(
    new PutCommand({ TableName: rt.info.tableName, Item: { ...openAlertKeys.item(source.id, 'old-pending'), openAlertIds: [pending.id], revision: 'r-old' } }),
  );
  // New alerts beside them, newer: one stays PENDING, one is resolved.
  const [fresh] = await api.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'new-pending', summary: 'new' });
  const [gone] = await api.send({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'new-resolved', summary: 'new, resolved' });
  await api.send({ apiKey: source.integrationKey, eventType: 'RESOLVE', alertKey: 'new-resolved' });

  /** The ids a listing shows of this source's alerts, newest first, walked one alert per page. */
  async function listed(query: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await api.alerts(`${query}&limit=1${cursor ? `&nextCursor=${encodeURIComponent(cursor)}` : ''}`);
      expect(page.status).toBe(200);
      ids.push(...page.body.items.filter((a) => a.alertSourceId === source.id).map((a) => a.id as string));
      cursor = page.body.nextCursor;
    } while (cursor);
    return ids;
  }
  /** The same status filter on every index a listing can read: all alerts, by source, by status, by alert key. */
  async function expectListed(statuses: string, ids: string[]) {
    const keys = [pending, resolvedBefore].map((a) => a.alertKey).concat('new-pending', 'new-resolved');
    expect(await listed(`status=${statuses}&alertSourceId=${source.id}`)).toEqual(ids);
    expect(await listed(`status=${statuses}`)).toEqual(ids);
    const byKey: string[] = [];
    for (const alertKey of keys) byKey.push(...(await listed(`status=${statuses}&alertKey=${alertKey}`)));
    expect(new Set(byKey)).toEqual(new Set(ids));
  }

  await expectListed('PENDING', [fresh.alertId, pending.id]);
  await expectListed('PENDING,ACCEPTED', [fresh.alertId, pending.id]);
  await expectListed('RESOLVED', [gone.alertId, resolvedBefore.id]);

  // An operator accepts the old alert; the accept is conditioned on the status it had, in `status`.
  const accepted = await api.request('PUT', `/api/alerts/${pending.id}/accept`);
  expect(accepted.status).toBe(200);
  expect((await api.request('GET', `/api/alerts/${pending.id}`)).body).toMatchObject({ status: 'ACCEPTED', acceptedAt: expect.any(String) });
  await expectListed('PENDING', [fresh.alertId]);
  await expectListed('ACCEPTED', [pending.id]);
  await expectListed('PENDING,ACCEPTED', [fresh.alertId, pending.id]);
  // An event resolves it: the processor's write is conditioned on the status read, wherever the item keeps it.
  const [resolve] = await api.send({ apiKey: source.integrationKey, eventType: 'RESOLVE', alertKey: 'old-pending' });
  expect(resolve).toMatchObject({ outcome: 'RESOLVED', alertId: pending.id });
  await expectListed('RESOLVED', [gone.alertId, resolvedBefore.id, pending.id]);
  await expectListed('PENDING,ACCEPTED', [fresh.alertId]);
  // A resolved alert cannot be accepted: the refusal reads the status now in `alertStatus`.
  expect((await api.request('PUT', `/api/alerts/${pending.id}/accept`)).status).toBe(409);

  // Its first status change moved the status to `alertStatus` for good: no index entry projects it any more.
  const item = (await db.send(new GetCommand({ TableName: rt.info.tableName, Key: alertKeys.item(pending.id) }))).Item!;
  expect(item).toMatchObject({ alertStatus: 'RESOLVED', gsi3pk: 'STATUS#RESOLVED' });
  expect(item).not.toHaveProperty('status');
});
