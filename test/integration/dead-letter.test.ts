// A poison event is retried, parked in the dead-letter queue with its record FAILED, and replayed once by `npm run dlq`.
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { createDocumentClient } from '../../lambdas/store/client';
import { alertKeys, openAlertKeys } from '../../lambdas/store/keys';
import { clientFor } from '../support/client';

jest.setTimeout(120_000);

let rt: RuntimeProcess;
let client: ReturnType<typeof clientFor>;
const dlq = (...args: string[]) =>
  promisify(execFile)(process.execPath, ['--import', 'tsx', join(__dirname, '../../scripts/dlq.ts'), ...args, '--data-dir', rt.dataDir], {
    cwd: join(__dirname, '../..'),
    env: { ...process.env, NODE_NO_WARNINGS: '1' },
  });

beforeAll(async () => {
  // Failed messages come back after 1 s instead of 30, so five attempts take seconds.
  rt = await startRuntimeProcess({ env: { QUEUE_VISIBILITY_TIMEOUT: '1' } });
  client = clientFor(rt);
});
afterAll(() => rt?.stop());

it('parks a poison event as FAILED after 5 attempts, holds back only its own source, and redrives it to be applied once', async () => {
  const source = await client.createSource();
  const other = await client.createSource();
  // Corrupt data the processor cannot read: the key's open-alert lock names an alert whose stored JSON is broken.
  const db = createDocumentClient({ endpoint: rt.info.dynamoDbEndpoint });
  const table = rt.info.tableName;
  const lock = openAlertKeys.item(source.id, 'poison');
  const corrupt = alertKeys.item('corrupt-alert');
  await db.send(new PutCommand({ TableName: table, Item: { ...lock, openAlertIds: ['corrupt-alert'], revision: 'r1' } }));
  await db.send(
    new PutCommand({ TableName: table, Item: { ...corrupt, id: 'corrupt-alert', status: 'PENDING', images: '{not json', links: '[]', customDetails: '{}' } }),
  );

  const poison = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'poison', summary: 'poison' });
  const later = await client.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'later', summary: 'after the poison' });
  const elsewhere = await client.postEvent({ apiKey: other.integrationKey, eventType: 'ALERT', alertKey: 'fine', summary: 'another source' });

  // Another source is not held up: applied while the poison is still being retried.
  const [fine] = await client.applied([elsewhere.body.eventId], 5_000);
  expect(fine.outcome).toBe('CREATED');
  expect((await client.event(poison.body.eventId)).body.outcome).toBe('QUEUED');

  const [failed, afterIt] = await client.applied([poison.body.eventId, later.body.eventId], 60_000);
  expect(failed).toMatchObject({ outcome: 'FAILED' });
  // FIFO: the later event of the same source waited until the poison was parked.
  expect(afterIt.outcome).toBe('CREATED');
  expect(afterIt.processedAt >= failed.processedAt).toBe(true);

  const listed = await dlq('list');
  expect(listed.stdout).toContain(poison.body.eventId);
  const shown = JSON.parse((await dlq('show', poison.body.eventId)).stdout);
  expect(shown.record).toMatchObject({ eventId: poison.body.eventId, outcome: 'FAILED', error: expect.stringContaining('JSON') });
  expect(shown.message.body.alertKey).toBe('poison');

  // Repair the data, then replay: the event is applied, once, and its record says so.
  await db.send(new DeleteCommand({ TableName: table, Key: lock }));
  await db.send(new DeleteCommand({ TableName: table, Key: corrupt }));
  expect((await dlq('redrive')).stdout).toContain('Moved 1 message');
  const deadline = Date.now() + 15_000;
  let record = (await client.event(poison.body.eventId)).body;
  while (record.outcome === 'FAILED' && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    record = (await client.event(poison.body.eventId)).body;
  }
  expect(record).toMatchObject({ outcome: 'CREATED', alertId: expect.any(String) });
  expect((await dlq('list')).stdout).toContain('empty');
  const alerts = (await client.alerts(`alertKey=poison&alertSourceId=${source.id}`)).body.items;
  expect(alerts.map((a: any) => a.eventCount)).toEqual([1]);
  db.destroy();
});
