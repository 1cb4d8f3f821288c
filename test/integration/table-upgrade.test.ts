// A data folder made by an older version (its table lacks an index the code now queries) is brought up to the current schema at start.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  QueryCommand,
  UpdateTableCommand,
  type GlobalSecondaryIndex,
} from '@aws-sdk/client-dynamodb';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair, startRuntimeProcess } from '../../local/child';
import { ensureTable, startDynamoDbLocal, type LocalDynamoDb } from '../../local/dynamodb';
import { TABLE_SCHEMA } from '../../lambdas/contract';
import { clientFor } from '../support/client';
import { startLocalDynamo } from '../support/local-store';
import { waitFor } from '../support/wait-for';

jest.setTimeout(240_000);

const TABLE = 'alertline';
/** The index an older install lacks: the last one the schema added. */
const NEW_INDEX = TABLE_SCHEMA.indexes[TABLE_SCHEMA.indexes.length - 1];

const dynamoClient = (endpoint: string) => new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });

function indexDefinition(index: (typeof TABLE_SCHEMA.indexes)[number], projection: GlobalSecondaryIndex['Projection']): GlobalSecondaryIndex {
  return {
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: projection,
  };
}

/** The table as an older version created it: the given indexes only. */
async function createOldTable(client: DynamoDBClient, tableName: string, indexes: GlobalSecondaryIndex[]): Promise<void> {
  const attributes = new Set([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey, ...indexes.flatMap((i) => i.KeySchema!.map((k) => k.AttributeName!))]);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes,
    }),
  );
}

async function indexStatuses(client: DynamoDBClient, tableName: string): Promise<Record<string, string | undefined>> {
  const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
  return Object.fromEntries((Table!.GlobalSecondaryIndexes ?? []).map((i) => [i.IndexName!, i.IndexStatus]));
}

describe('ensureTable on a table made by an older version', () => {
  let db: LocalDynamoDb;
  let client: DynamoDBClient;

  beforeAll(async () => {
    db = await startLocalDynamo();
    client = dynamoClient(db.endpoint);
  });

  afterAll(async () => {
    client?.destroy();
    await db?.stop();
  });

  test('creates the missing index, keeps the items, and serves them through it', async () => {
    const current = { ProjectionType: TABLE_SCHEMA.projection.type, NonKeyAttributes: [...TABLE_SCHEMA.projection.nonKeyAttributes] };
    const older = TABLE_SCHEMA.indexes.filter((index) => index.name !== NEW_INDEX.name).map((index) => indexDefinition(index, current));
    await createOldTable(client, TABLE, older);
    const items = ['a', 'b', 'c'].map((id, n) => ({
      pk: { S: `ALERT#${id}` },
      sk: { S: 'ALERT' },
      status: { S: 'PENDING' },
      alertSourceId: { S: 'source-1' },
      alertKeyNormalized: { S: 'disk-full' },
      summary: { S: `alert ${id}` },
      [NEW_INDEX.partitionKey]: { S: 'AKEY#disk-full' },
      [NEW_INDEX.sortKey]: { S: `2026-01-01T00:00:0${n}.000Z#${id}` },
    }));
    for (const item of items) await client.send(new PutItemCommand({ TableName: TABLE, Item: item }));

    await expect(ensureTable(db.endpoint, TABLE)).resolves.toEqual({ created: false, indexesBuilt: [NEW_INDEX.name] });

    expect(await indexStatuses(client, TABLE)).toEqual(Object.fromEntries(TABLE_SCHEMA.indexes.map((index) => [index.name, 'ACTIVE'])));
    // It was made without TTL: ensureTable turns it on, so that event records and counters expire as on AWS.
    const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: TABLE }));
    expect(TimeToLiveDescription).toMatchObject({ TimeToLiveStatus: 'ENABLED', AttributeName: TABLE_SCHEMA.ttlAttribute });
    const { Items } = await client.send(
      new QueryCommand({
        TableName: TABLE,
        IndexName: NEW_INDEX.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': NEW_INDEX.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: 'AKEY#disk-full' } },
      }),
    );
    expect(Items!.map((item) => [item.pk.S, item.status.S])).toEqual([
      ['ALERT#a', 'PENDING'],
      ['ALERT#b', 'PENDING'],
      ['ALERT#c', 'PENDING'],
    ]);
    for (const item of items) {
      const { Item } = await client.send(new GetItemCommand({ TableName: TABLE, Key: { pk: item.pk, sk: item.sk } }));
      expect(Item).toEqual(item);
    }

    // Once current, a start changes nothing.
    await expect(ensureTable(db.endpoint, TABLE)).resolves.toEqual({ created: false, indexesBuilt: [] });
  });

  test('rebuilds an index whose projection is not the current one, so listings get the attributes they filter on', async () => {
    const tableName = 'alertline-keys-only';
    const [first, ...rest] = TABLE_SCHEMA.indexes;
    const current = { ProjectionType: TABLE_SCHEMA.projection.type, NonKeyAttributes: [...TABLE_SCHEMA.projection.nonKeyAttributes] };
    await createOldTable(client, tableName, [indexDefinition(first, { ProjectionType: 'KEYS_ONLY' }), ...rest.map((index) => indexDefinition(index, current))]);
    await client.send(
      new PutItemCommand({
        TableName: tableName,
        Item: { pk: { S: 'ALERT#a' }, sk: { S: 'ALERT' }, status: { S: 'ACCEPTED' }, [first.partitionKey]: { S: 'ALERTS' }, [first.sortKey]: { S: 'x#a' } },
      }),
    );

    await expect(ensureTable(db.endpoint, tableName)).resolves.toEqual({ created: false, indexesBuilt: [first.name] });

    const { Items } = await client.send(
      new QueryCommand({
        TableName: tableName,
        IndexName: first.name,
        KeyConditionExpression: '#pk = :pk',
        ExpressionAttributeNames: { '#pk': first.partitionKey },
        ExpressionAttributeValues: { ':pk': { S: 'ALERTS' } },
      }),
    );
    expect(Items!.map((item) => item.status?.S)).toEqual(['ACCEPTED']);
  });
});

describe('npm start on a data folder whose table lacks an index', () => {
  test('adds the index at start, and the alerts made before are listed through it', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'alertline-upgrade-'));
    try {
      const first = await startRuntimeProcess({ dataDir });
      const api = clientFor(first);
      const source = await api.createSource();
      await api.send({ apiKey: source.integrationKey, eventType: 'ALERT', summary: 'disk full', alertKey: 'Disk-Full' });
      await first.stop();

      // Make it the folder of an older version: drop the newest index.
      const db = await startDynamoDbLocal({ dataDir, port: await freePortPair() });
      const client = dynamoClient(db.endpoint);
      try {
        await client.send(new UpdateTableCommand({ TableName: TABLE, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: NEW_INDEX.name } }] }));
        await waitFor(async () => !(NEW_INDEX.name in (await indexStatuses(client, TABLE))), { timeoutMs: 30_000, what: `${NEW_INDEX.name} to be dropped` });
      } finally {
        client.destroy();
        await db.stop();
      }

      const second = await startRuntimeProcess({ dataDir, adminToken: first.adminToken });
      try {
        const res = await clientFor(second).alerts('alertKey=disk-full');
        expect(res.status).toBe(200);
        expect(res.body.items.map((alert: { summary: string; alertSourceId: string }) => [alert.summary, alert.alertSourceId])).toEqual([
          ['disk full', source.id],
        ]);
      } finally {
        await second.stop();
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
