// A DynamoDB Local of the test's own, in a temporary folder of its own, with Alertline's table or (for tests that make
// their own tables) without, for tests of the stores that need no runtime around them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePortPair } from '../../local/child';
import { ensureTable, startDynamoDbLocal, type LocalDynamoDb } from '../../local/dynamodb';
import { createDocumentClient, type StoreContext } from '../../lambdas/store/client';

export interface LocalStore {
  ctx: StoreContext;
  endpoint: string;
  stop: () => Promise<void>;
}

/** DynamoDB Local, no table in it; `stop` removes its folder too. */
export async function startLocalDynamo(): Promise<LocalDynamoDb> {
  const dataDir = mkdtempSync(join(tmpdir(), 'alertline-store-'));
  try {
    const port = await freePortPair();
    const dynamo = await startDynamoDbLocal({ dataDir, port });
    return {
      endpoint: dynamo.endpoint,
      stop: async () => {
        await dynamo.stop();
        rmSync(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
}

export async function startLocalStore(tableName = 'alertline'): Promise<LocalStore> {
  const dynamo = await startLocalDynamo();
  await ensureTable(dynamo.endpoint, tableName);
  // A test's store answers slowly on its first writes (a cold JVM, a loaded machine): an attempt that timed out and is
  // retried would find its own conditional put and fail. One attempt, with time enough.
  const db = createDocumentClient({ endpoint: dynamo.endpoint, budget: { maxAttempts: 1, attemptTimeoutMs: 30_000, totalMs: 30_000 } });
  return {
    ctx: { db, tableName },
    endpoint: dynamo.endpoint,
    stop: async () => {
      db.destroy();
      await dynamo.stop();
    },
  };
}
