// A data folder from before the alert's details moved to an item of their own: its alerts carry details, images, links
// and custom details on their item, and still read whole (by id and in listings) and take appends and a resolve.
import { PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
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
  const legacy = { ...alertItem(alert), ...alertDetailsItem(alert), ...alertKeys.item(alert.id), entity: 'Alert' };
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
