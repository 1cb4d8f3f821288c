// DYNAMODB_ENDPOINT and SQS_ENDPOINT (SPEC section 10): the local runtime uses a DynamoDB Local and an SQS-compatible server
// that run already, creates its table and queues there, and leaves both running when it stops.
import { ListQueuesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBClient, GetItemCommand, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair, startRuntimeProcess, type RuntimeProcess } from '../../local/child';
import { startDynamoDbLocal, type LocalDynamoDb } from '../../local/dynamodb';
import { startLocalQueues, type LocalQueues } from '../../local/queue';
import { LOCAL_NAMES } from '../../lambdas/contract';
import { clientFor } from '../support/client';

jest.setTimeout(240_000);

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };

describe('a runtime on existing endpoints', () => {
  let dataDir: string;
  let dynamo: LocalDynamoDb;
  let queues: LocalQueues;
  let rt: RuntimeProcess | undefined;

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'alertline-endpoints-'));
    dynamo = await startDynamoDbLocal({ dataDir, port: await freePortPair() });
    // A server with queues of other names only: the runtime's must be created there.
    queues = await startLocalQueues({ port: 0, visibilityTimeoutSeconds: 30, name: 'someone-else', notificationName: 'someone-else-notifications' });
  });

  afterAll(async () => {
    await rt?.stop();
    await queues?.stop();
    await dynamo?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  test('creates its table and queues there, applies events through them, and leaves them running', async () => {
    rt = await startRuntimeProcess({ env: { DYNAMODB_ENDPOINT: dynamo.endpoint, SQS_ENDPOINT: queues.endpoint }, timeoutMs: 120_000 });
    expect(rt.info.dynamoDbEndpoint).toBe(dynamo.endpoint);
    // It started no DynamoDB Local of its own.
    expect(existsSync(join(rt.dataDir, 'dynamodb'))).toBe(false);

    const api = clientFor(rt);
    const source = await api.createSource();
    const posted = await api.postEvent({ apiKey: source.integrationKey, eventType: 'ALERT', alertKey: 'endpoints', summary: 'on existing endpoints' });
    expect(posted.status).toBe(202);
    await api.applied([posted.body.eventId], 60_000);

    const db = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'local', credentials });
    const sqs = new SQSClient({ endpoint: queues.endpoint, region: 'us-east-1', credentials });
    try {
      const record = await db.send(
        new GetItemCommand({ TableName: LOCAL_NAMES.table, Key: { pk: { S: `EVENT#${posted.body.eventId}` }, sk: { S: 'EVENT' } } }),
      );
      expect(record.Item?.outcome?.S).toBe('CREATED');
      const names = ((await sqs.send(new ListQueuesCommand({}))).QueueUrls ?? []).map((url) => url.split('/').pop());
      expect(names).toEqual(expect.arrayContaining([`${LOCAL_NAMES.queue}.fifo`, LOCAL_NAMES.notificationQueue, 'someone-else.fifo']));

      await rt.stop();
      rt = undefined;
      // Both outlive the runtime: they were not its own.
      expect((await db.send(new ListTablesCommand({}))).TableNames).toContain(LOCAL_NAMES.table);
      expect((await sqs.send(new ListQueuesCommand({}))).QueueUrls?.length).toBeGreaterThan(0);
    } finally {
      db.destroy();
      sqs.destroy();
    }
  });
});
